import Foundation

/// Autoscaling: a policy asked for a replica count every sync period, from what the metric pipeline lets it see.
///
/// A policy is one file: a type conforming to `Autoscaler`, its spec (AutoscalerSpec.swift), its case in
/// `makeAutoscaler` and its decoder and encoder entries (FleetSimIO/Scenario). The control loop (ControlLoop.swift)
/// samples it and holds its decision within the bounds.
protocol Autoscaler {
    mutating func decide(now: Double, view: FleetView) -> ScalingDecision
}

/// What a policy sees at a sync: the replica count it set last (Kubernetes' `spec.replicas`), the replicas that
/// exist now, and the metric samples the pipeline lets through.
struct FleetView {
    /// A replica as a pod: Pending while its instance is provisioned, Running from when its model starts loading
    /// (`startedAt`), Ready from `readyAt`. Draining replicas are on their way out and, like terminating pods, left out.
    struct Pod {
        var replica: Int
        var startedAt: Double?
        var readyAt: Double?

        var pending: Bool { startedAt == nil }
        var ready: Bool { readyAt != nil }
    }

    var now: Double
    var current: Int
    var pods: [Pod]
    var samples: [MetricSample]
    /// How far back the visible samples reach: the metric's window, as metrics-server reports it.
    var windowSeconds: Double

    /// Pods that exist (Kubernetes' `status.replicas`): what External AverageValue targets divide by.
    var statusReplicas: Int { pods.count }

    /// A deployment-wide metric averaged over the visible samples; nil when there are none yet.
    func total(_ metric: ScalingMetric) -> Double? {
        guard !samples.isEmpty else { return nil }
        return samples.reduce(0) { $0 + $1.total(metric) } / Double(samples.count)
    }

    var arrivalsPerSecond: Double? {
        guard !samples.isEmpty else { return nil }
        return samples.reduce(0) { $0 + $1.arrivalsPerSecond } / Double(samples.count)
    }

    /// Each pod as the HPA's replica calculator receives it (`groupPods`): a Pending pod is unready; a pod without
    /// a sample of the metric is missing; for `utilization` (a Resource metric, read as CPU is) a pod inside its
    /// CPU initialization period is unready if it is not ready or its metric's window began before it became ready,
    /// and after that period (`cpuInitializationSeconds`) only if it has never been ready — which, as FleetSim's
    /// replicas never lose readiness, is when it is not ready now, whatever the initial readiness delay. Utilization
    /// is reported in millicores of a 1,000 m request.
    func podSamples(_ metric: ScalingMetric, cpuInitializationSeconds: Double = 300) -> [HPA.PodSample] {
        var readings: [Int: (sum: Double, count: Int)] = [:]
        var latest = -Double.infinity
        for sample in samples {
            for pod in sample.pods where pod.serving || metric.reportedWhileLoading {
                let previous = readings[pod.replica] ?? (0, 0)
                readings[pod.replica] = (previous.sum + pod.value(of: metric), previous.count + 1)
            }
            latest = max(latest, sample.time)
        }
        let isResource = metric == .utilization
        return pods.map { pod in
            guard let startedAt = pod.startedAt else { return HPA.PodSample(value: nil, ready: false, request: 1_000) }
            guard let reading = readings[pod.replica] else { return HPA.PodSample(value: nil, ready: true, request: 1_000) }
            let mean = reading.sum / Double(reading.count)
            guard isResource else { return HPA.PodSample(value: mean, ready: true) }
            var unready = !pod.ready
            if startedAt + cpuInitializationSeconds > now, let readyAt = pod.readyAt {
                unready = latest < readyAt + windowSeconds - 1e-9
            }
            return HPA.PodSample(value: (mean * 1_000).rounded(), ready: !unready, request: 1_000)
        }
    }
}

/// A decision and what it rests on, for `events.csv`.
struct ScalingDecision {
    var replicas: Int
    /// The metric value behind it and the policy's raw recommendation, in words.
    var basis: String
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

/// A metric value in a decision's basis: three significant digits, or whole from 100 on.
func format(_ value: Double) -> String {
    String(format: value.magnitude >= 100 ? "%.0f" : "%.3g", value)
}
