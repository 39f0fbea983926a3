import FleetSim
import Foundation

/// Reads a KEDA `ScaledObject` (keda.sh/v1alpha1) as the queue policy: `minReplicaCount` (0), `maxReplicaCount`
/// (100), `idleReplicaCount`, `pollingInterval` (30 s), `cooldownPeriod` (300 s), `initialCooldownPeriod` (0 s) and
/// `advanced.horizontalPodAutoscalerConfig.behavior`, with KEDA's defaults; one trigger, of type `prometheus`,
/// whose query names a metric FleetSim measures. `cpu` and `memory` triggers are refused by name: they are
/// Resource metrics, which a scenario's `hpa` policy simulates.
enum KEDAManifest {
    /// Metrics a Prometheus query may name, and what FleetSim measures for each when the query sums them over the
    /// deployment's pods.
    static let queryMetrics: [(name: String, metric: ScalingMetric)] = [
        ("vllm:num_requests_waiting", .totalQueueLength), ("vllm:num_requests_running", .totalRunning),
        ("dcgm_fi_dev_gpu_util", .totalGPUUtilization),
        ("totalQueueLength", .totalQueueLength), ("totalInFlight", .totalInFlight), ("totalRunning", .totalRunning),
        ("totalGPUUtilization", .totalGPUUtilization),
    ]

    static func decode(_ root: ScenarioValue) throws -> QueueScalerSpec {
        let top = try root.mapping(allowed: ["apiVersion", "kind", "metadata", "spec", "status"])
        let apiVersion = try top.required("apiVersion", "keda.sh/v1alpha1")
        guard try apiVersion.string() == "keda.sh/v1alpha1" else { throw apiVersion.expected("apiVersion keda.sh/v1alpha1") }
        let spec = try top.required("spec", "the ScaledObject's spec").mapping(allowed: [
            "scaleTargetRef", "pollingInterval", "cooldownPeriod", "initialCooldownPeriod", "idleReplicaCount",
            "minReplicaCount", "maxReplicaCount", "advanced", "triggers", "fallback",
        ])
        let limit = AutoscalerDecoder.maxReplicas
        let minReplicas = try spec["minReplicaCount"]?.integer("a replica count", in: 0...limit) ?? 0
        let maxReplicas = try spec["maxReplicaCount"]?.integer("a replica count of at least 1", in: 1...limit) ?? 100
        if minReplicas > maxReplicas {
            throw spec["minReplicaCount"]!.error("minReplicaCount (\(minReplicas)) is above maxReplicaCount (\(maxReplicas))")
        }
        // KEDA's documentation: "Due to limitations in HPA controller the only supported value for this property
        // is 0" (kedacore/keda#2314); with more, KEDA's idle count and the HPA's minimum take turns.
        let idle = try spec["idleReplicaCount"]?.integer("0, the only idle count KEDA supports", in: 0...0)
        if let idle, idle >= minReplicas {
            throw spec["idleReplicaCount"]!.error("idleReplicaCount (\(idle)) must be below minReplicaCount (\(minReplicas))")
        }
        func seconds(_ key: String, _ fallback: Int, atLeast floor: Int) throws -> Double {
            Double(try spec[key]?.integer("whole seconds", in: floor...7 * 86_400) ?? fallback)
        }
        var behavior: HPA.Behavior?
        var tolerance = HPA.Tolerance()
        if let advanced = spec["advanced"] {
            let fields = try advanced.mapping(allowed: ["horizontalPodAutoscalerConfig", "restoreToOriginalReplicaCount", "scalingModifiers"])
            if let modifiers = fields["scalingModifiers"] {
                throw modifiers.error("scalingModifiers (composite metrics) are not modelled")
            }
            if let config = fields["horizontalPodAutoscalerConfig"] {
                (behavior, tolerance) = try HPAManifest.decodeBehavior(try config.mapping(allowed: ["name", "behavior"])["behavior"])
            }
        }
        let triggersValue = try spec.required("triggers", "the scaler's triggers")
        let triggers = try triggersValue.list()
        guard triggers.count == 1 else {
            throw triggersValue.expected("one trigger (FleetSim simulates a single KEDA scaler per ScaledObject)")
        }
        let (metric, threshold, activation) = try decodeTrigger(triggers[0])
        return QueueScalerSpec(
            metric: metric, targetPerReplica: threshold, activationThreshold: activation, minReplicas: minReplicas,
            maxReplicas: maxReplicas, idleReplicas: idle, pollingSeconds: try seconds("pollingInterval", 30, atLeast: 1),
            cooldownSeconds: try seconds("cooldownPeriod", 300, atLeast: 0),
            initialCooldownSeconds: try seconds("initialCooldownPeriod", 0, atLeast: 0), behavior: behavior,
            tolerance: tolerance)
    }

    private static func decodeTrigger(_ value: ScenarioValue) throws -> (ScalingMetric, Double, Double) {
        let fields = try value.mapping(allowed: ["type", "name", "metadata", "authenticationRef", "metricType", "useCachedMetrics"])
        let typeValue = try fields.required("type", "the scaler, e.g. prometheus")
        let type = try typeValue.string()
        if type == "cpu" || type == "memory" {
            throw typeValue.error("a \(type) trigger is a Resource metric; simulate it with an `hpa` policy on utilization "
                + "(or an HorizontalPodAutoscaler manifest)")
        }
        guard type == "prometheus" else { throw typeValue.expected("a prometheus trigger (the scaler FleetSim simulates)") }
        if let metricType = fields["metricType"], try metricType.string() != "AverageValue" {
            throw metricType.expected("AverageValue (KEDA's default; Value targets are not modelled)")
        }
        let metadata = try fields.required("metadata", "{serverAddress, query, threshold}").mapping(allowed: [])
        let queryValue = try metadata.required("query", "the PromQL query")
        let query = try queryValue.string()
        guard let match = queryMetric(query) else {
            throw queryValue.error("expected the deployment's total of a metric FleetSim measures, sum(METRIC{...}) or "
                + "METRIC{...} with METRIC one of " + queryMetrics.map(\.name).joined(separator: ", ")
                + ", found \"\(query)\": KEDA divides the query's value by the threshold to get replicas, so rates, "
                + "ratios and arithmetic would need their own model")
        }
        let metric = match.metric
        let threshold = try number(try metadata.required("threshold", "the value per replica"), "a threshold", in: 1e-3...1e9)
        let activation = try metadata["activationThreshold"].map { try number($0, "an activation threshold", in: 0...1e9) } ?? 0
        return (metric, threshold, activation)
    }

    /// The metric a query sums: `sum(M{…})`, `sum by (…) (M{…})`, `sum(M{…}) by (…)` or a bare `M{…}`, with M a
    /// name of `queryMetrics` (DCGM's in any case); nil for anything else.
    static func queryMetric(_ query: String) -> (name: String, metric: ScalingMetric)? {
        let selector = #"(?<metric>[A-Za-z_:][A-Za-z0-9_:]*)\s*(?:\{[^{}]*\})?"#
        let grouping = #"(?:(?:by|without)\s*\([^()]*\))"#
        let forms = [#"^\s*\#(selector)\s*$"#, #"^\s*sum\s*\#(grouping)?\s*\(\s*\#(selector)\s*\)\s*\#(grouping)?\s*$"#]
        for form in forms {
            guard let regex = try? NSRegularExpression(pattern: form),
                  let found = regex.firstMatch(in: query, range: NSRange(query.startIndex..., in: query)),
                  let range = Range(found.range(withName: "metric"), in: query)
            else { continue }
            let name = String(query[range])
            return queryMetrics.first { $0.name == name || ($0.name.hasPrefix("dcgm") && $0.name == name.lowercased()) }
        }
        return nil
    }

    /// KEDA's metadata values are strings holding numbers.
    private static func number(_ value: ScenarioValue, _ what: String, in range: ClosedRange<Double>) throws -> Double {
        guard let number = Double(try value.string()), number.isFinite, range.contains(number) else {
            throw value.expected("\(what) from \(Quantities.shortest(range.lowerBound)) to \(Quantities.shortest(range.upperBound))")
        }
        return number
    }
}
