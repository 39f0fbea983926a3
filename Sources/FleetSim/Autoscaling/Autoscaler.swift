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
