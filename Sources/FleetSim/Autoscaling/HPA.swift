/// The Kubernetes HorizontalPodAutoscaler (autoscaling/v2) replica calculation, as kubernetes'
/// `pkg/controller/podautoscaler/replica_calculator.go` and `metrics/utilization.go` make it (v1.35–v1.36 behaviour;
/// docs/model-assumptions.md lists the version read and every rule). Written from the algorithm and its tests'
/// tables, not from its code. The controller's memory — stabilization and rate limits — is in HPAController.swift.
public enum HPA {
    /// One pod as the calculator sees it.
    public struct PodSample: Sendable, Equatable {
        /// The pod's metric: for a Resource target in milli-units of the same unit as `request` (millicores), for a
        /// Pods target in the metric's own unit; nil when the pod has no metric.
        public var value: Double?
        /// False for a pod Kubernetes groups as unready: Pending (still being placed and provisioned) for every
        /// metric, and for a Resource metric one inside its CPU initialization period whose sample began before it
        /// became ready, or one that has never been ready (HPAFleetView decides which).
        public var ready: Bool
        /// The pod's resource request (millicores), for utilization targets.
        public var request: Double?

        public init(value: Double?, ready: Bool = true, request: Double? = nil) {
            self.value = value
            self.ready = ready
            self.request = request
        }
    }

    public enum Target: Sendable, Equatable {
        /// Average utilization of the pods' requests, a whole percent as Kubernetes' `averageUtilization` is (given
        /// as a fraction: 0.7 for 70 %); a Resource metric.
        case utilization(Double)
        /// Average value per pod (a Pods metric, e.g. queue length or requests per second).
        case averageValue(Double)

        var percent: Int64 {
            if case .utilization(let fraction) = self { return Int64((fraction * 100).rounded()) }
            return 0
        }
    }

    /// The calculator's proposal for one Resource or Pods metric (`GetResourceReplicas`, `calcPlainMetricReplicas`);
    /// nil when no ready pod has a metric (Kubernetes: "did not receive metrics for targeted pods"), which makes the
    /// metric invalid.
    ///
    /// Pods without a metric count, when the ratio says scale down, at 100 % of their request (or the target, if it
    /// is above 100 %) for a Resource metric and at the target for a Pods metric; when it says scale up, at 0; at a
    /// ratio of exactly 1 they are left out. Unready pods are left out, and counted at 0 when the ratio says scale up.
    /// After either adjustment nothing changes if the new ratio is within tolerance or points the other way.
    public static func desiredReplicas(
        current: Int, samples: [PodSample], target: Target, tolerance: Tolerance = Tolerance()
    ) -> Int? {
        var measured: [PodSample] = []
        var unready: [PodSample] = []
        var missing: [PodSample] = []
        for sample in samples {
            if !sample.ready {
                unready.append(sample)
            } else if sample.value == nil {
                missing.append(sample)
            } else {
                measured.append(sample)
            }
        }
        guard !measured.isEmpty, let usageRatio = ratio(measured, target) else { return nil }
        let scaleUpWithUnready = !unready.isEmpty && usageRatio > 1
        if !scaleUpWithUnready && missing.isEmpty {
            if tolerance.contains(usageRatio) { return current }
            return Int((usageRatio * Double(measured.count)).rounded(.up))
        }

        var adjusted = measured
        if usageRatio != 1 {
            for var pod in missing {
                switch target {
                case .utilization:
                    pod.value = usageRatio < 1 ? (pod.request ?? 0) * Double(max(100, target.percent)) / 100 : 0
                case .averageValue(let value):
                    pod.value = usageRatio < 1 ? value : 0
                }
                adjusted.append(pod)
            }
        }
        if scaleUpWithUnready {
            for var pod in unready {
                pod.value = 0
                adjusted.append(pod)
            }
        }
        guard let newRatio = ratio(adjusted, target) else { return current }
        if tolerance.contains(newRatio) || (usageRatio < 1 && newRatio > 1) || (usageRatio > 1 && newRatio < 1) {
            return current
        }
        let newReplicas = Int((newRatio * Double(adjusted.count)).rounded(.up))
        if (newRatio < 1 && newReplicas > current) || (newRatio > 1 && newReplicas < current) {
            return current
        }
        return newReplicas
    }

    /// The metric's current value as Kubernetes reports it: the utilization in whole percent for a Resource target,
    /// the average per pod for a Pods target, over the ready pods with a metric.
    public static func usage(_ samples: [PodSample], target: Target) -> Double? {
        let measured = samples.filter { $0.ready && $0.value != nil }
        guard !measured.isEmpty else { return nil }
        switch target {
        case .utilization:
            return utilizationPercent(measured).map(Double.init)
        case .averageValue:
            return Double(averageMilli(measured)) / 1000
        }
    }

    /// The usage ratio: for utilization, Σ usage × 100 ÷ Σ requests truncated to a whole percent, then over the
    /// target percent (`GetResourceUtilizationRatio`); for an average value, the mean in milli-units truncated,
    /// over the target in milli-units (`GetMetricUsageRatio`).
    static func ratio(_ pods: [PodSample], _ target: Target) -> Double? {
        switch target {
        case .utilization:
            guard let percent = utilizationPercent(pods) else { return nil }
            return Double(percent) / Double(target.percent)
        case .averageValue(let value):
            return Double(averageMilli(pods)) / Double(targetMilli(value))
        }
    }

    static func utilizationPercent(_ pods: [PodSample]) -> Int64? {
        let usage = pods.reduce(Int64(0)) { $0 + Int64(($1.value ?? 0).rounded()) }
        let requests = pods.reduce(Int64(0)) { $0 + Int64(($1.request ?? 0).rounded()) }
        guard requests > 0 else { return nil }
        return usage * 100 / requests
    }

    static func averageMilli(_ pods: [PodSample]) -> Int64 {
        pods.reduce(Int64(0)) { $0 + milli($1.value ?? 0) } / Int64(pods.count)
    }

    /// A metric value in milli-units, as the metrics adapters pass it (`NewMilliQuantity(int64(v × 1000))`:
    /// truncated), held within ±9e15 so that sums of a fleet's pods cannot overflow.
    static func milli(_ value: Double) -> Int64 {
        Int64(min(max(value * 1000, -9e15), 9e15).rounded(.towardZero))
    }

    /// A target in milli-units, as `MilliValue()` gives it (rounded up): never 0 for a target above 0, so the ratio
    /// is always defined. The decoders refuse targets below 1 m.
    static func targetMilli(_ value: Double) -> Int64 {
        max(1, Int64(min(value * 1000, 9e15).rounded(.up)))
    }

    /// The proposal for an External metric with an `AverageValue` target (`GetExternalPerPodMetricReplicas`):
    /// ⌈total ÷ target per pod⌉, unless total ÷ (target × the pods that exist) is within tolerance, when it is the
    /// pods that exist (`status.replicas`). From zero pods the ratio is infinite, so the formula applies.
    public static func desiredReplicas(
        statusReplicas: Int, externalTotal total: Double, targetPerReplica: Double, tolerance: Tolerance = Tolerance()
    ) -> Int {
        let usage = Double(milli(total))
        let target = Double(targetMilli(targetPerReplica))
        if statusReplicas > 0 && tolerance.contains(usage / (target * Double(statusReplicas))) { return statusReplicas }
        return Int((usage / target).rounded(.up))
    }

    /// How far the usage ratio may stray from 1 before the controller acts: 10 % both ways by default
    /// (`--horizontal-pod-autoscaler-tolerance`); per direction as with Kubernetes' configurable tolerance
    /// (`behavior.scaleUp.tolerance`, `behavior.scaleDown.tolerance`, on by default since v1.35). Inclusive.
    public struct Tolerance: Sendable, Equatable {
        public var scaleUp: Double
        public var scaleDown: Double

        public init(scaleUp: Double = 0.1, scaleDown: Double = 0.1) {
            self.scaleUp = scaleUp
            self.scaleDown = scaleDown
        }

        public init(_ both: Double) {
            self.init(scaleUp: both, scaleDown: both)
        }

        func contains(_ ratio: Double) -> Bool {
            1 - scaleDown <= ratio && ratio <= 1 + scaleUp
        }
    }

    // MARK: Behavior

    public struct Policy: Sendable, Equatable {
        public enum Kind: String, Sendable { case pods = "Pods", percent = "Percent" }
        public var kind: Kind
        public var value: Int
        public var periodSeconds: Double

        public init(_ kind: Kind, _ value: Int, periodSeconds: Double) {
            self.kind = kind
            self.value = value
            self.periodSeconds = periodSeconds
        }
    }

    public enum SelectPolicy: String, Sendable { case max = "Max", min = "Min", disabled = "Disabled" }

    public struct Rules: Sendable, Equatable {
        public var stabilizationWindowSeconds: Double
        public var selectPolicy: SelectPolicy
        public var policies: [Policy]

        public init(stabilizationWindowSeconds: Double, selectPolicy: SelectPolicy = .max, policies: [Policy]) {
            self.stabilizationWindowSeconds = stabilizationWindowSeconds
            self.selectPolicy = selectPolicy
            self.policies = policies
        }

        /// Kubernetes' defaults (`pkg/apis/autoscaling/v2/defaults.go`): scale up without stabilization by the
        /// larger of 4 pods or 100 % per 15 s.
        public static let defaultScaleUp = Rules(
            stabilizationWindowSeconds: 0, policies: [Policy(.pods, 4, periodSeconds: 15), Policy(.percent, 100, periodSeconds: 15)])
        /// Kubernetes' defaults: scale down after 300 s of stabilization (the controller's
        /// `--horizontal-pod-autoscaler-downscale-stabilization`), by up to 100 % per 15 s.
        public static let defaultScaleDown = Rules(
            stabilizationWindowSeconds: 300, policies: [Policy(.percent, 100, periodSeconds: 15)])
    }

    public struct Behavior: Sendable, Equatable {
        public var scaleUp: Rules
        public var scaleDown: Rules

        public init(scaleUp: Rules = .defaultScaleUp, scaleDown: Rules = .defaultScaleDown) {
            self.scaleUp = scaleUp
            self.scaleDown = scaleDown
        }
    }
}
