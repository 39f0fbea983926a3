import Foundation

/// What a policy sees at a sync: the replica count it set last (Kubernetes' `spec.replicas`), the replicas that
/// exist now, and the metric samples the pipeline lets through.
struct FleetView {
    /// Replicas starting or ready; draining ones are on their way out and, like terminating pods, ignored.
    struct Pod {
        var replica: Int
        var ready: Bool
    }

    var current: Int
    var pods: [Pod]
    var samples: [MetricSample]

    /// A deployment-wide metric averaged over the visible samples; nil when there are none yet.
    func total(_ metric: ScalingMetric) -> Double? {
        guard !samples.isEmpty else { return nil }
        return samples.reduce(0) { $0 + $1.total(metric) } / Double(samples.count)
    }

    var arrivalsPerSecond: Double? {
        guard !samples.isEmpty else { return nil }
        return samples.reduce(0) { $0 + $1.arrivalsPerSecond } / Double(samples.count)
    }

    /// Each pod's metric as the HPA receives it: averaged over the samples that have it, unready if the pod is not
    /// ready now or was not ready through one of them, missing if no sample has it.
    func podSamples(_ metric: ScalingMetric) -> [HPA.PodSample] {
        var readings: [Int: (sum: Double, count: Int, ready: Bool)] = [:]
        for sample in samples {
            for pod in sample.pods where pod.serving || metric == .utilization {
                let value = pod.value(of: metric)
                let previous = readings[pod.replica] ?? (0, 0, true)
                readings[pod.replica] = (previous.sum + value, previous.count + 1, previous.ready && pod.ready)
            }
        }
        return pods.map { pod in
            guard let reading = readings[pod.replica] else {
                return HPA.PodSample(value: nil, ready: pod.ready, request: 1)
            }
            return HPA.PodSample(
                value: reading.sum / Double(reading.count), ready: pod.ready && reading.ready, request: 1)
        }
    }
}

/// A decision and what it rests on, for `events.csv`.
struct ScalingDecision {
    var replicas: Int
    /// The metric value behind it and the policy's raw recommendation, in words.
    var basis: String
}

/// A scaling policy, asked for a replica count every sync period.
protocol Autoscaler {
    mutating func decide(now: Double, view: FleetView) -> ScalingDecision
}

func makeAutoscaler(_ spec: AutoscalerSpec, expectedRate: ((Double) -> Double)?, startupSeconds: Double) -> any Autoscaler {
    switch spec.policy {
    case .fixed(let count):
        return FixedAutoscaler(count: count)
    case .hpa(let hpa):
        return HPAAutoscaler(spec: hpa)
    case .queue(let queue):
        return QueueAutoscaler(spec: queue)
    case .predictive(let predictive):
        return PredictiveAutoscaler(
            spec: predictive, expectedRate: expectedRate,
            leadSeconds: predictive.leadSeconds ?? startupSeconds + predictive.syncPeriodSeconds)
    }
}

struct FixedAutoscaler: Autoscaler {
    let count: Int

    func decide(now: Double, view: FleetView) -> ScalingDecision {
        ScalingDecision(replicas: count, basis: "fixed at \(count)")
    }
}

/// The Kubernetes HPA: the replica calculator per metric, the largest recommendation, then behavior.
struct HPAAutoscaler: Autoscaler {
    let spec: HPASpec
    var controller: HPA.Controller

    init(spec: HPASpec) {
        self.spec = spec
        controller = HPA.Controller(minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, behavior: spec.behavior)
    }

    mutating func decide(now: Double, view: FleetView) -> ScalingDecision {
        var recommendation: Int?
        var basis: [String] = []
        for target in spec.metrics {
            let desired: Int
            if target.metric.isExternal {
                guard let total = view.total(target.metric) else { continue }
                desired = HPA.desiredReplicas(
                    current: view.current, externalTotal: total, targetPerReplica: target.target, tolerance: spec.tolerance)
                basis.append("\(target.metric.rawValue) \(format(total)) (target \(format(target.target)) per replica)")
            } else {
                let samples = view.podSamples(target.metric)
                let measured = samples.filter { $0.value != nil && (target.metric != .utilization || $0.ready) }
                guard !measured.isEmpty else { continue }
                desired = HPA.desiredReplicas(
                    current: view.current, samples: samples,
                    target: target.metric == .utilization ? .utilization(target.target) : .averageValue(target.target),
                    tolerance: spec.tolerance)
                let mean = measured.reduce(0) { $0 + $1.value! } / Double(measured.count)
                let unmeasured = samples.count - measured.count
                basis.append("\(target.metric.rawValue) \(format(mean)) (target \(format(target.target))) over \(measured.count) ready pods"
                    + (unmeasured > 0 ? ", \(unmeasured) unready or without metrics" : ""))
            }
            recommendation = max(recommendation ?? desired, desired)
        }
        guard let recommendation else {
            return ScalingDecision(replicas: view.current, basis: "no metrics yet")
        }
        let replicas = controller.decide(now: now, current: view.current, desired: recommendation)
        return ScalingDecision(replicas: replicas, basis: basis.joined(separator: "; ") + " → recommends \(recommendation)")
    }
}

/// KEDA: activation and scale to and from zero by polling the scaler, an HPA on the External metric in between.
struct QueueAutoscaler: Autoscaler {
    let spec: QueueScalerSpec
    var controller: HPA.Controller
    var nextPoll = 0.0
    var active = false
    var lastActive = 0.0

    init(spec: QueueScalerSpec) {
        self.spec = spec
        controller = HPA.Controller(
            minReplicas: max(spec.minReplicas, 1), maxReplicas: spec.maxReplicas, behavior: spec.behavior)
    }

    mutating func decide(now: Double, view: FleetView) -> ScalingDecision {
        guard let total = view.total(spec.metric) else {
            return ScalingDecision(replicas: view.current, basis: "no metrics yet")
        }
        if now + 1e-9 >= nextPoll {
            active = total > spec.activationThreshold
            if active { lastActive = now }
            nextPoll = now + spec.pollingSeconds
        }
        let basis = "\(spec.metric.rawValue) \(format(total)) (target \(format(spec.targetPerReplica)) per replica, "
            + "activation above \(format(spec.activationThreshold))): \(active ? "active" : "inactive")"
        if view.current == 0 {
            return ScalingDecision(replicas: active ? max(spec.minReplicas, 1) : 0, basis: basis + (active ? " → activates" : ""))
        }
        if !active && spec.minReplicas == 0 && now - lastActive >= spec.cooldownSeconds {
            return ScalingDecision(replicas: 0, basis: basis + " for \(Int(now - lastActive)) s → scales to zero")
        }
        let desired = HPA.desiredReplicas(current: view.current, externalTotal: total, targetPerReplica: spec.targetPerReplica)
        let replicas = controller.decide(now: now, current: view.current, desired: desired)
        return ScalingDecision(replicas: replicas, basis: basis + " → recommends \(desired)")
    }
}

/// Sizes the fleet for the load expected one start-up ahead, never below the load measured now.
struct PredictiveAutoscaler: Autoscaler {
    let spec: PredictiveSpec
    let expectedRate: ((Double) -> Double)?
    let leadSeconds: Double
    var controller: HPA.Controller
    /// Measured rates by sync, for the seasonal forecast (one period's worth).
    var history: [(time: Double, rate: Double)] = []
    var level: Double?

    init(spec: PredictiveSpec, expectedRate: ((Double) -> Double)?, leadSeconds: Double) {
        self.spec = spec
        self.expectedRate = expectedRate
        self.leadSeconds = leadSeconds
        controller = HPA.Controller(minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas)
    }

    mutating func decide(now: Double, view: FleetView) -> ScalingDecision {
        let observed = view.arrivalsPerSecond ?? 0
        let forecast: Double
        let method: String
        switch spec.forecast {
        case .shape:
            forecast = expectedRate?(now + leadSeconds) ?? observed
            method = "rate curve"
        case .seasonal(let period):
            history.append((now, observed))
            history.removeAll { $0.time < now - period - leadSeconds - spec.syncPeriodSeconds }
            let then = now + leadSeconds - period
            let nearest = history.min { abs($0.time - then) < abs($1.time - then) }
            forecast = nearest.map { abs($0.time - then) <= spec.syncPeriodSeconds ? $0.rate : observed } ?? observed
            method = "seasonal naive"
        case .ewma(let alpha):
            level = level.map { alpha * observed + (1 - alpha) * $0 } ?? observed
            forecast = level!
            method = "EWMA"
        }
        let load = max(forecast, observed) * (1 + spec.headroom)
        let desired = min(max(Int((load / spec.requestsPerReplica - 1e-9).rounded(.up)), spec.minReplicas), spec.maxReplicas)
        // The HPA's smoothing leaves a target at zero alone; a forecast has every reason to start one.
        let replicas = view.current == 0 ? desired : controller.decide(now: now, current: view.current, desired: desired)
        return ScalingDecision(
            replicas: replicas,
            basis: "\(method) forecast \(format(forecast))/s in \(Int(leadSeconds)) s, measured \(format(observed))/s → recommends \(desired)")
    }
}

private func format(_ value: Double) -> String {
    String(format: value.magnitude >= 100 ? "%.0f" : "%.3g", value)
}
