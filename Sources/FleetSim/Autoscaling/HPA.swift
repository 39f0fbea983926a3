/// The Kubernetes HorizontalPodAutoscaler (autoscaling/v2) decision, as the controller in kubernetes'
/// `pkg/controller/podautoscaler` makes it (replica_calculator.go for the ratio and pod handling, horizontal.go for
/// stabilization and scaling policies). Written from the documented algorithm and its tests' facts, not from its code.
///
/// This file is the pure decision: metrics and history in, replica count out. Wiring it to a simulated fleet (sync
/// period, metric lag, starting replicas) is the autoscaling capability's other half.
public enum HPA {
    /// One pod's sample of the metric.
    public struct PodSample: Sendable, Equatable {
        /// The measured value (millicores for CPU, or the custom metric); nil when the pod has no metric yet.
        public var value: Double?
        /// Whether the pod is ready. Only resource (CPU) metrics treat unready pods specially, as Kubernetes does.
        public var ready: Bool
        /// The pod's resource request, for utilization targets (same unit as `value`).
        public var request: Double?

        public init(value: Double?, ready: Bool = true, request: Double? = nil) {
            self.value = value
            self.ready = ready
            self.request = request
        }
    }

    public enum Target: Sendable, Equatable {
        /// Average utilization of the pods' requests, as a fraction (0.7 for 70 %); a resource metric.
        case utilization(Double)
        /// Average value per pod (a Pods metric, e.g. queue length or requests per second).
        case averageValue(Double)
    }

    /// The desired replica count before behavior is applied (replica_calculator.go).
    ///
    /// Pods without a metric count as using 100 % of the target when the ratio says scale down, and 0 when it
    /// says scale up. For resource metrics, unready pods are left out, and when the ratio says scale up they are
    /// counted at 0. After either adjustment, no change is made if the new ratio is within tolerance or points the
    /// other way.
    public static func desiredReplicas(
        current: Int, samples: [PodSample], target: Target, tolerance: Tolerance = Tolerance()
    ) -> Int {
        let isResource: Bool
        let targetValue: Double
        switch target {
        case .utilization(let fraction): isResource = true; targetValue = fraction
        case .averageValue(let value): isResource = false; targetValue = value
        }
        var measured: [PodSample] = []
        var unready: [PodSample] = []
        var missing: [PodSample] = []
        for sample in samples {
            if sample.value == nil {
                missing.append(sample)
            } else if isResource && !sample.ready {
                unready.append(sample)
            } else {
                measured.append(sample)
            }
        }
        guard !measured.isEmpty else { return current }

        func ratio(_ pods: [PodSample]) -> Double {
            let total = pods.reduce(0) { $0 + ($1.value ?? 0) }
            if isResource {
                let requests = pods.reduce(0) { $0 + ($1.request ?? 0) }
                return requests > 0 ? total / requests / targetValue : 0
            }
            return total / Double(pods.count) / targetValue
        }

        let usageRatio = ratio(measured)
        let scaleUpWithUnready = !unready.isEmpty && usageRatio > 1
        if !scaleUpWithUnready && missing.isEmpty {
            if tolerance.contains(usageRatio) { return current }
            return Int((usageRatio * Double(measured.count)).rounded(.up))
        }

        var adjusted = measured
        for var pod in missing {
            // Assume the pod is at the target when scaling down, idle when scaling up: the cautious direction.
            let atTarget = isResource ? (pod.request ?? 0) * targetValue : targetValue
            pod.value = usageRatio < 1 ? atTarget : 0
            adjusted.append(pod)
        }
        if scaleUpWithUnready {
            for var pod in unready {
                pod.value = 0
                adjusted.append(pod)
            }
        }
        let newRatio = ratio(adjusted)
        if tolerance.contains(newRatio) || (usageRatio < 1 && newRatio > 1) || (usageRatio > 1 && newRatio < 1) {
            return current
        }
        let newReplicas = Int((newRatio * Double(adjusted.count)).rounded(.up))
        if (newRatio < 1 && newReplicas > current) || (newRatio > 1 && newReplicas < current) {
            return current
        }
        return newReplicas
    }

    /// The desired count for an External metric with an `AverageValue` target: the deployment-wide `total` over the
    /// target per replica, unless the ratio to the current count is within tolerance.
    public static func desiredReplicas(
        current: Int, externalTotal total: Double, targetPerReplica: Double, tolerance: Tolerance = Tolerance()
    ) -> Int {
        if current > 0 && tolerance.contains(total / (targetPerReplica * Double(current))) { return current }
        return Int((total / targetPerReplica).rounded(.up))
    }

    /// How far the usage ratio may stray from 1 before the controller acts: 10 % both ways by default; per direction
    /// as with Kubernetes' configurable tolerance (`behavior.scaleUp.tolerance`, `behavior.scaleDown.tolerance`).
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

        /// Kubernetes' defaults: scale up without stabilization by the larger of 4 pods or 100 % per 15 s.
        public static let defaultScaleUp = Rules(
            stabilizationWindowSeconds: 0, policies: [Policy(.pods, 4, periodSeconds: 15), Policy(.percent, 100, periodSeconds: 15)])
        /// Kubernetes' defaults: scale down after 300 s of stabilization, by up to 100 % per 15 s.
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

    /// The controller's memory between syncs: past recommendations (for stabilization) and past scale changes (for
    /// the per-period policies), with the behavior that reads them.
    public struct Controller: Sendable {
        public var minReplicas: Int
        public var maxReplicas: Int
        /// nil: the legacy rule of autoscaling/v1 (5-minute downscale stabilization, scale-up at most
        /// max(2 × current, 4)).
        public var behavior: Behavior?
        private var recommendations: [(time: Double, replicas: Int)] = []
        private var scaleUps: [(time: Double, replicas: Int)] = []
        private var scaleDowns: [(time: Double, replicas: Int)] = []

        public init(minReplicas: Int, maxReplicas: Int, behavior: Behavior? = Behavior()) {
            self.minReplicas = minReplicas
            self.maxReplicas = maxReplicas
            self.behavior = behavior
        }

        /// The replica count to set at `now`, given the current count and the calculator's desired count.
        public mutating func decide(now: Double, current: Int, desired: Int) -> Int {
            // Scaling is off for a target scaled to zero by hand while min > 0, as in Kubernetes.
            if current == 0 && minReplicas > 0 { return 0 }
            let decided: Int
            if let behavior {
                let stabilized = stabilize(now: now, current: current, desired: desired, behavior: behavior)
                decided = limitRate(now: now, current: current, desired: stabilized, behavior: behavior)
            } else {
                decided = legacy(now: now, current: current, desired: desired)
            }
            record(now: now, current: current, decided: decided)
            return decided
        }

        private mutating func stabilize(now: Double, current: Int, desired: Int, behavior: Behavior) -> Int {
            var up = desired
            var down = desired
            let upCutoff = now - behavior.scaleUp.stabilizationWindowSeconds
            let downCutoff = now - behavior.scaleDown.stabilizationWindowSeconds
            for recommendation in recommendations {
                if recommendation.time > upCutoff { up = min(up, recommendation.replicas) }
                if recommendation.time > downCutoff { down = max(down, recommendation.replicas) }
            }
            recommendations.append((now, desired))
            let longest = max(behavior.scaleUp.stabilizationWindowSeconds, behavior.scaleDown.stabilizationWindowSeconds)
            recommendations.removeAll { $0.time <= now - longest }
            return min(max(current, up), down)
        }

        private func limitRate(now: Double, current: Int, desired: Int, behavior: Behavior) -> Int {
            if desired > current {
                let limit = max(scaleUpLimit(now: now, current: current, rules: behavior.scaleUp), current)
                return min(desired, limit, maxReplicas)
            }
            if desired < current {
                let limit = min(scaleDownLimit(now: now, current: current, rules: behavior.scaleDown), current)
                return max(desired, limit, minReplicas)
            }
            return min(max(desired, minReplicas), maxReplicas)
        }

        private func scaleUpLimit(now: Double, current: Int, rules: Rules) -> Int {
            if rules.selectPolicy == .disabled { return current }
            let proposals = rules.policies.map { policy -> Int in
                let start = current - change(in: scaleUps, since: now - policy.periodSeconds)
                switch policy.kind {
                case .pods: return start + policy.value
                case .percent: return Int((Double(start) * (1 + Double(policy.value) / 100)).rounded(.up))
                }
            }
            return (rules.selectPolicy == .min ? proposals.min() : proposals.max()) ?? current
        }

        private func scaleDownLimit(now: Double, current: Int, rules: Rules) -> Int {
            if rules.selectPolicy == .disabled { return current }
            let proposals = rules.policies.map { policy -> Int in
                let start = current + change(in: scaleDowns, since: now - policy.periodSeconds)
                switch policy.kind {
                case .pods: return start - policy.value
                case .percent: return Int(Double(start) * (1 - Double(policy.value) / 100))
                }
            }
            // Max selects the policy allowing the biggest change, which for scaling down is the lowest count.
            return (rules.selectPolicy == .min ? proposals.max() : proposals.min()) ?? current
        }

        private func change(in events: [(time: Double, replicas: Int)], since cutoff: Double) -> Int {
            events.reduce(0) { $0 + ($1.time > cutoff ? $1.replicas : 0) }
        }

        private mutating func legacy(now: Double, current: Int, desired: Int) -> Int {
            var stabilized = desired
            for recommendation in recommendations where recommendation.time > now - 300 {
                stabilized = max(stabilized, recommendation.replicas)
            }
            recommendations.append((now, desired))
            recommendations.removeAll { $0.time <= now - 300 }
            let scaleUpLimit = max(2 * current, 4)
            return max(min(stabilized, scaleUpLimit, maxReplicas), minReplicas)
        }

        private mutating func record(now: Double, current: Int, decided: Int) {
            if decided > current { scaleUps.append((now, decided - current)) }
            if decided < current { scaleDowns.append((now, current - decided)) }
            // Policies look back at most their longest period; keep an hour, far more than any real policy.
            scaleUps.removeAll { $0.time <= now - 3_600 }
            scaleDowns.removeAll { $0.time <= now - 3_600 }
        }
    }
}
