import FleetSim
import Foundation
import Yams

/// Reads a Kubernetes `HorizontalPodAutoscaler` manifest (autoscaling/v2) as an HPA policy.
///
/// Metrics map to FleetSim's: a `Resource` metric with a `Utilization` target (cpu, or a GPU resource) is
/// `utilization`; `Pods` metrics with an `AverageValue` target are named after FleetSim's per-replica metrics or
/// vLLM's (`vllm:num_requests_running` is concurrency, `vllm:num_requests_waiting` the queue); `External` metrics
/// with an `AverageValue` target are `totalQueueLength` / `totalInFlight`. Anything else is refused by name.
/// `scaleTargetRef` is not read: the manifest scales the deployment that references it.
enum HPAManifest {
    static let podsMetricNames: [String: ScalingMetric] = [
        "concurrency": .concurrency, "queueLength": .queueLength, "requestsPerSecond": .requestsPerSecond,
        "vllm:num_requests_running": .concurrency, "vllm:num_requests_waiting": .queueLength,
    ]
    static let externalMetricNames: [String: ScalingMetric] = [
        "totalQueueLength": .totalQueueLength, "totalInFlight": .totalInFlight,
    ]
    static let utilizationResources = ["cpu", "nvidia.com/gpu", "gpu"]

    /// `reference` is the scenario value that named the file; errors inside the manifest name the manifest.
    static func read(path: String, from reference: ScenarioValue) throws -> HPASpec {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw reference.error("cannot read the HPA manifest \(path)")
        }
        return try decode(ScenarioValue(node: try ScenarioLoader.compose(path: path), file: path))
    }

    static func decode(_ root: ScenarioValue) throws -> HPASpec {
        let top = try root.mapping(allowed: ["apiVersion", "kind", "metadata", "spec", "status"])
        let apiVersion = try top.required("apiVersion", "autoscaling/v2")
        guard try apiVersion.string() == "autoscaling/v2" else {
            throw apiVersion.expected("apiVersion autoscaling/v2 (v1 and the v2beta versions are not read)")
        }
        let kind = try top.required("kind", "HorizontalPodAutoscaler")
        guard try kind.string() == "HorizontalPodAutoscaler" else { throw kind.expected("kind HorizontalPodAutoscaler") }
        let spec = try top.required("spec", "the autoscaler's spec").mapping(
            allowed: ["scaleTargetRef", "minReplicas", "maxReplicas", "metrics", "behavior"])
        let minReplicas = try spec["minReplicas"]?.integer("a replica count of at least 1", in: 1...AutoscalerDecoder.maxReplicas) ?? 1
        let maxValue = try spec.required("maxReplicas", "the most replicas")
        let maxReplicas = try maxValue.integer("a replica count of at least 1", in: 1...AutoscalerDecoder.maxReplicas)
        if minReplicas > maxReplicas {
            throw spec["minReplicas"]!.error("minReplicas (\(minReplicas)) is above maxReplicas (\(maxReplicas))")
        }
        var metrics = [MetricTarget(.utilization, target: 0.8)]  // Kubernetes' default: 80 % CPU.
        if let metricsValue = spec["metrics"] {
            metrics = try metricsValue.list().map(decodeMetric)
            guard !metrics.isEmpty else { throw metricsValue.expected("at least one metric") }
        }
        var behavior: HPA.Behavior?
        var tolerance = HPA.Tolerance()
        if let behaviorValue = spec["behavior"] {
            let fields = try behaviorValue.mapping(allowed: ["scaleUp", "scaleDown"])
            let rules = AutoscalerDecoder(baseDirectory: "", hasRateCurve: false)
            var decoded = HPA.Behavior()
            if let up = fields["scaleUp"] {
                decoded.scaleUp = try rules.decodeRules(up, defaults: .defaultScaleUp, seconds: true)
                tolerance.scaleUp = try up.mapping(allowed: [])["tolerance"].map(quantity) ?? tolerance.scaleUp
            }
            if let down = fields["scaleDown"] {
                decoded.scaleDown = try rules.decodeRules(down, defaults: .defaultScaleDown, seconds: true)
                tolerance.scaleDown = try down.mapping(allowed: [])["tolerance"].map(quantity) ?? tolerance.scaleDown
            }
            behavior = decoded
        }
        return HPASpec(
            minReplicas: minReplicas, maxReplicas: maxReplicas, metrics: metrics, behavior: behavior, tolerance: tolerance)
    }

    private static func decodeMetric(_ value: ScenarioValue) throws -> MetricTarget {
        let fields = try value.mapping(allowed: ["type", "resource", "pods", "external", "object", "containerResource"])
        let typeValue = try fields.required("type", "Resource, Pods or External")
        let type = try typeValue.string()
        switch type {
        case "Resource":
            let resource = try fields.required("resource", "{name, target}").mapping(allowed: ["name", "target"])
            let name = try resource.required("name", "the resource, e.g. cpu")
            guard utilizationResources.contains(try name.string()) else {
                throw name.expected("a resource FleetSim measures as utilization (\(utilizationResources.joined(separator: ", ")))")
            }
            let target = try resource.required("target", "{type: Utilization, averageUtilization}")
                .mapping(allowed: ["type", "averageUtilization", "averageValue", "value"])
            let targetType = try target.required("type", "Utilization")
            guard try targetType.string() == "Utilization" else {
                throw targetType.expected("a Utilization target (FleetSim's replicas have no resource requests in absolute units)")
            }
            let percent = try target.required("averageUtilization", "a percentage, e.g. 70")
                .integer("a percentage from 1 to 100", in: 1...100)
            return MetricTarget(.utilization, target: Double(percent) / 100)
        case "Pods", "External":
            let key = type == "Pods" ? "pods" : "external"
            let known = type == "Pods" ? podsMetricNames : externalMetricNames
            let body = try fields.required(key, "{metric: {name}, target}").mapping(allowed: ["metric", "target"])
            let metricName = try body.required("metric", "{name}").mapping(allowed: ["name", "selector"]).required("name", "the metric's name")
            guard let metric = known[try metricName.string()] else {
                throw metricName.error("unknown \(type) metric \"\(try metricName.string())\"; FleetSim measures "
                    + known.keys.sorted().joined(separator: ", ")
                    + Suggestions.didYouMean(try metricName.string(), among: Array(known.keys)))
            }
            let target = try body.required("target", "{type: AverageValue, averageValue}")
                .mapping(allowed: ["type", "averageValue", "value", "averageUtilization"])
            let targetType = try target.required("type", "AverageValue")
            guard try targetType.string() == "AverageValue" else { throw targetType.expected("an AverageValue target") }
            let amount = try quantity(try target.required("averageValue", "the target per pod, e.g. \"4\""))
            guard amount > 0 else { throw target["averageValue"]!.expected("a target above 0") }
            return MetricTarget(metric, target: amount)
        default:
            throw typeValue.expected("a metric type FleetSim simulates (Resource, Pods or External; Object and ContainerResource are not modelled)")
        }
    }

    /// A Kubernetes quantity: a number with an optional suffix m (milli), k, M or G.
    static func quantity(_ value: ScenarioValue) throws -> Double {
        let text = try value.string()
        let suffixes: [(String, Double)] = [("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9)]
        for (suffix, scale) in suffixes where text.hasSuffix(suffix) {
            if let number = Double(text.dropLast(suffix.count)), number.isFinite { return number * scale }
        }
        guard let number = Double(text), number.isFinite, number >= 0 else {
            throw value.expected("a Kubernetes quantity such as \"4\", \"500m\" or \"2k\"")
        }
        return number
    }
}
