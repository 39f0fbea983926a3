import FleetSim
import Foundation
import Yams

/// Reads a Kubernetes manifest file as a scaling policy: an autoscaling/v2 `HorizontalPodAutoscaler`, or a KEDA
/// `ScaledObject` (KEDAManifest.swift). The file may be what `kubectl apply -f` takes — several YAML documents, or a
/// `kind: List` — and the autoscaler is picked from it: the only one, or the one whose `scaleTargetRef.name` is the
/// deployment's name. Other kinds (the Deployment, a Service) are skipped.
///
/// Metrics map to what FleetSim measures (`metricNames`). `scaleTargetRef` only picks the autoscaler.
enum HPAManifest {
    /// Metric names a manifest may use, by metric type, and what FleetSim measures for each. DCGM names match in
    /// any case (the exporter writes `DCGM_FI_DEV_GPU_UTIL`, Prometheus setups often lower-case it).
    static let podsMetricNames: [String: ScalingMetric] = [
        "concurrency": .concurrency, "running": .running, "queueLength": .queueLength,
        "requestsPerSecond": .requestsPerSecond, "gpuUtilization": .gpuUtilization,
        "vllm:num_requests_running": .running, "vllm:num_requests_waiting": .queueLength,
        "dcgm_fi_dev_gpu_util": .gpuUtilization,
    ]
    static let externalMetricNames: [String: ScalingMetric] = [
        "totalQueueLength": .totalQueueLength, "totalInFlight": .totalInFlight, "totalRunning": .totalRunning,
        "totalGPUUtilization": .totalGPUUtilization,
        "vllm:num_requests_waiting": .totalQueueLength, "vllm:num_requests_running": .totalRunning,
        "dcgm_fi_dev_gpu_util": .totalGPUUtilization,
    ]
    /// Resource metrics come from metrics-server, which serves cpu and memory only; `cpu` stands for the replica's
    /// utilization (docs/autoscaling.md).
    static let utilizationResources = ["cpu"]

    /// The policy in the manifest at `path` for the deployment `deployment`; `reference` is the scenario value that
    /// named the file. Errors inside the manifest name the manifest and its line.
    static func read(path: String, from reference: ScenarioValue?, deployment: String) throws -> ScalingPolicy {
        if let reference, !FileManager.default.isReadableFile(atPath: path) {
            throw reference.error("cannot read the manifest \(path)")
        }
        let documents = try ScenarioLoader.composeAll(path: path).flatMap { try items(ScenarioValue(node: $0, file: path)) }
        let autoscalers = try documents.filter { document in
            let kind = try document.mapping(allowed: [])["kind"]?.string()
            return kind == "HorizontalPodAutoscaler" || kind == "ScaledObject"
        }
        guard !autoscalers.isEmpty else {
            let kinds = documents.compactMap { try? $0.mapping(allowed: [])["kind"]?.string() }
            // The line of the first object's kind, where a misspelled kind would be.
            let line = documents.lazy.compactMap { try? $0.mapping(allowed: [])["kind"]?.node.mark?.line }.first
                ?? documents.first?.node.mark?.line
            throw ScenarioError(file: path, line: line, keyPath: "", message:
                "holds no HorizontalPodAutoscaler or ScaledObject" + (kinds.isEmpty ? "" : " (found \(kinds.joined(separator: ", ")))"))
        }
        let chosen: ScenarioValue
        if autoscalers.count == 1 {
            chosen = autoscalers[0]
        } else {
            let targets = autoscalers.map { targetName($0) ?? "?" }
            guard let index = targets.firstIndex(of: deployment), targets.filter({ $0 == deployment }).count == 1 else {
                let line = autoscalers[1].node.mark?.line
                if deployment.isEmpty {
                    throw ScenarioError(file: path, line: line, keyPath: "", message:
                        "holds \(autoscalers.count) autoscalers (scaling \(targets.joined(separator: ", "))); name one with --target")
                }
                throw ScenarioError(file: path, line: line, keyPath: "", message:
                    "holds \(autoscalers.count) autoscalers (scaling \(targets.joined(separator: ", "))); exactly one must "
                    + "have scaleTargetRef.name \(deployment), the deployment that reads it")
            }
            chosen = autoscalers[index]
        }
        if try chosen.mapping(allowed: [])["kind"]?.string() == "ScaledObject" {
            return .queue(try KEDAManifest.decode(chosen))
        }
        return .hpa(try decode(chosen))
    }

    /// A document, or the items of a `kind: List`.
    private static func items(_ document: ScenarioValue) throws -> [ScenarioValue] {
        let fields = try document.mapping(allowed: [])
        guard try fields["kind"]?.string() == "List" else { return [document] }
        return try fields.required("items", "the list's objects").list()
    }

    private static func targetName(_ document: ScenarioValue) -> String? {
        let spec = try? document.mapping(allowed: [])["spec"]?.mapping(allowed: [])
        return try? spec?["scaleTargetRef"]?.mapping(allowed: [])["name"]?.string()
    }

    static func decode(_ root: ScenarioValue) throws -> HPASpec {
        let top = try root.mapping(allowed: ["apiVersion", "kind", "metadata", "spec", "status"])
        let apiVersion = try top.required("apiVersion", "autoscaling/v2")
        guard try apiVersion.string() == "autoscaling/v2" else {
            throw apiVersion.expected("apiVersion autoscaling/v2 (v1 and the v2beta versions are not read)")
        }
        let spec = try top.required("spec", "the autoscaler's spec").mapping(
            allowed: ["scaleTargetRef", "minReplicas", "maxReplicas", "metrics", "behavior"])
        let minReplicas = try spec["minReplicas"]?.integer("a replica count", in: 0...AutoscalerDecoder.maxReplicas) ?? 1
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
        if minReplicas == 0 && !metrics.contains(where: { $0.metric.isExternal }) {
            throw spec["minReplicas"]!.error(
                "minReplicas 0 needs an External (or Object) metric, as Kubernetes requires with the HPAScaleToZero gate")
        }
        let (behavior, tolerance) = try decodeBehavior(spec["behavior"])
        return HPASpec(
            minReplicas: minReplicas, maxReplicas: maxReplicas, metrics: metrics, behavior: behavior, tolerance: tolerance)
    }

    /// autoscaling/v2 `behavior` (seconds as integers, per-direction `tolerance`); nil when absent.
    static func decodeBehavior(_ value: ScenarioValue?) throws -> (HPA.Behavior?, HPA.Tolerance) {
        var tolerance = HPA.Tolerance()
        guard let value else { return (nil, tolerance) }
        let fields = try value.mapping(allowed: ["scaleUp", "scaleDown"])
        let rules = AutoscalerDecoder(baseDirectory: "", hasRateCurve: false)
        var decoded = HPA.Behavior()
        if let up = fields["scaleUp"] {
            decoded.scaleUp = try rules.decodeRules(up, defaults: .defaultScaleUp, seconds: true)
            tolerance.scaleUp = try up.mapping(allowed: [])["tolerance"].map { try quantity($0, in: 0...10) } ?? tolerance.scaleUp
        }
        if let down = fields["scaleDown"] {
            decoded.scaleDown = try rules.decodeRules(down, defaults: .defaultScaleDown, seconds: true)
            tolerance.scaleDown = try down.mapping(allowed: [])["tolerance"].map { try quantity($0, in: 0...1) } ?? tolerance.scaleDown
        }
        return (decoded, tolerance)
    }

    private static func decodeMetric(_ value: ScenarioValue) throws -> MetricTarget {
        let fields = try value.mapping(allowed: ["type", "resource", "pods", "external", "object", "containerResource"])
        let typeValue = try fields.required("type", "Resource, Pods or External")
        let type = try typeValue.string()
        switch type {
        case "Resource":
            let resource = try fields.required("resource", "{name, target}").mapping(allowed: ["name", "target"])
            let name = try resource.required("name", "the resource, e.g. cpu")
            let resourceName = try name.string()
            if resourceName == "nvidia.com/gpu" || resourceName == "gpu" {
                throw name.error("metrics-server serves only cpu and memory, so an HPA on Resource \(resourceName) gets no metric "
                    + "on a real cluster and never scales; for GPU utilization use NVIDIA DCGM's DCGM_FI_DEV_GPU_UTIL as a "
                    + "Pods or External metric (through Prometheus), or cpu for the replica's utilization")
            }
            guard utilizationResources.contains(resourceName) else {
                throw name.expected("cpu, the resource FleetSim measures as the replica's utilization (memory is not modelled)")
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
            let nameValue = try body.required("metric", "{name}").mapping(allowed: ["name", "selector"]).required("name", "the metric's name")
            let name = try nameValue.string()
            guard let metric = known[name] ?? known[name.lowercased()].flatMap({ name.lowercased().hasPrefix("dcgm") ? $0 : nil }) else {
                throw nameValue.error(unknownMetric(name, type: type, known: known))
            }
            let target = try body.required("target", "{type: AverageValue, averageValue}")
                .mapping(allowed: ["type", "averageValue", "value", "averageUtilization"])
            let targetType = try target.required("type", "AverageValue")
            guard try targetType.string() == "AverageValue" else {
                throw targetType.expected("an AverageValue target (Value targets are not modelled)")
            }
            let amount = try quantity(try target.required("averageValue", "the target per pod, e.g. \"4\""), in: 1e-3...1e9)
            return MetricTarget(metric, target: amount)
        default:
            throw typeValue.expected("a metric type FleetSim simulates (Resource, Pods or External; Object and ContainerResource are not modelled)")
        }
    }

    /// What can be measured, and how to map a metric of one's own to it.
    static func unknownMetric(_ name: String, type: String, known: [String: ScalingMetric]) -> String {
        let byMetric = Dictionary(grouping: known.keys.sorted(), by: { known[$0]! })
        let lines = byMetric.keys.sorted { $0.rawValue < $1.rawValue }.map { metric in
            "\(metric.rawValue) (\(byMetric[metric]!.joined(separator: ", ")))"
        }
        return "unknown \(type) metric \"\(name)\"\(Suggestions.didYouMean(name, among: Array(known.keys))). FleetSim "
            + "measures: \(lines.joined(separator: "; ")). To simulate this HPA, rename the metric in a copy of the "
            + "manifest to the one that measures the same thing (the names in parentheses are accepted as they are)"
    }

    /// A Kubernetes quantity: a number with an optional suffix m (milli), k, M or G, within `range` (the range the
    /// scenario's own key takes, so that every value a manifest sets is checked here, at its line).
    static func quantity(_ value: ScenarioValue, in range: ClosedRange<Double> = 0...1e9) throws -> Double {
        let text = try value.string()
        let suffixes: [(String, Double)] = [("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9)]
        var parsed = Double(text)
        for (suffix, scale) in suffixes where parsed == nil && text.hasSuffix(suffix) {
            parsed = Double(text.dropLast(suffix.count)).map { $0 * scale }
        }
        guard let number = parsed, number.isFinite, range.contains(number) else {
            throw value.expected("a Kubernetes quantity such as \"4\", \"500m\" or \"2k\", from \(Quantities.shortest(range.lowerBound)) "
                + "to \(Quantities.shortest(range.upperBound))")
        }
        return number
    }
}
