import FleetSim
import Foundation
import Yams

/// Decodes `deployments.<name>.autoscaler`: one policy (`fixed`, `hpa`, `manifest`, `queue`, `predictive` or
/// `scheduled`), with optional `metrics` (the pipeline) and `schedule` (time-of-day bounds).
struct AutoscalerDecoder {
    static let maxReplicas = 100_000
    let baseDirectory: String
    /// Whether the traffic is synthetic (a rate curve exists for `forecast: shape`).
    let hasRateCurve: Bool

    static let policies = ["fixed", "hpa", "manifest", "queue", "predictive", "scheduled"]

    func decode(_ value: ScenarioValue) throws -> AutoscalerSpec {
        let fields = try value.mapping(allowed: Self.policies + ["metrics", "schedule"])
        var schedule = try fields["schedule"].map(decodeSchedule) ?? []
        let policy: ScalingPolicy
        switch try fields.oneOf(Self.policies, "the scaling policy") {
        case ("fixed", let count):
            policy = .fixed(try count.integer("a replica count", in: 0...Self.maxReplicas))
        case ("hpa", let hpa):
            policy = .hpa(try decodeHPA(hpa))
        case ("manifest", let path):
            throw path.error("a manifest is read when the scenario file is (ManifestExpansion); found one afterwards")
        case ("queue", let queue):
            policy = .queue(try decodeQueue(queue))
        case ("predictive", let predictive):
            policy = .predictive(try decodePredictive(predictive))
        case (_, let scheduled):
            let scheduledFields = try scheduled.mapping(allowed: ["replicas", "rules"])
            policy = .fixed(try scheduledFields.required("replicas", "the count outside every rule")
                .integer("a replica count", in: 0...Self.maxReplicas))
            if fields["schedule"] != nil {
                throw fields["schedule"]!.error("'scheduled' has its own 'rules'; drop 'schedule'")
            }
            schedule = try decodeSchedule(try scheduledFields.required("rules", "a list of {days, from, to, min, max}"))
        }
        let spec = AutoscalerSpec(
            policy: policy, metrics: try fields["metrics"].map { try decodePipeline($0, stock: .stock(for: policy)) }, schedule: schedule)
        if case .predictive(let predictive) = policy, predictive.forecast == .shape, !hasRateCurve {
            throw fields["predictive"]!.error("forecast 'shape' reads the synthetic traffic's rate curve; a replayed trace has none (use seasonal or ewma)")
        }
        return spec
    }

    /// A key left out keeps the stock pipeline's value (a `window` left out is one scrape when `scrape` is given).
    private func decodePipeline(_ value: ScenarioValue, stock: MetricPipelineSpec) throws -> MetricPipelineSpec {
        let fields = try value.mapping(allowed: ["scrape", "window", "lag"])
        let scrape = try fields["scrape"]?.duration(in: 1e-3...86_400) ?? stock.scrapeSeconds
        let window = try fields["window"]?.duration(in: 1e-3...86_400) ?? (fields["scrape"] == nil ? stock.windowSeconds : scrape)
        if window < scrape - 1e-9 {
            throw fields["window"]!.expected("a window of at least one scrape interval (\(Quantities.format(seconds: scrape)))")
        }
        return MetricPipelineSpec(
            scrapeSeconds: scrape, windowSeconds: window, lagSeconds: try fields["lag"]?.duration(in: 0...86_400) ?? stock.lagSeconds)
    }

    // MARK: HPA

    private func decodeHPA(_ value: ScenarioValue) throws -> HPASpec {
        let fields = try value.mapping(
            allowed: ["minReplicas", "maxReplicas", "metric", "metrics", "behavior", "tolerance", "syncPeriod",
                      "cpuInitializationPeriod"])
        let (minReplicas, maxReplicas) = try replicaRange(fields, defaultMin: 1)
        let metricValues: [ScenarioValue]
        switch try fields.oneOf(["metric", "metrics"], "what the HPA scales on, e.g. {utilization: 70%}") {
        case ("metric", let one): metricValues = [one]
        case (_, let list): metricValues = try list.list()
        }
        guard !metricValues.isEmpty else { throw fields["metrics"]!.expected("at least one metric") }
        var spec = HPASpec(
            minReplicas: minReplicas, maxReplicas: maxReplicas, metrics: try metricValues.map(decodeMetric),
            behavior: try fields["behavior"].map(decodeBehavior),
            syncPeriodSeconds: try fields["syncPeriod"]?.duration(in: 1e-3...86_400) ?? 15,
            cpuInitializationSeconds: try fields["cpuInitializationPeriod"]?.duration(in: 0...86_400) ?? 300)
        if minReplicas == 0 && !spec.metrics.contains(where: { $0.metric.isExternal }) {
            throw fields["minReplicas"]!.error(
                "minReplicas 0 needs an External metric (totalQueueLength, totalInFlight, totalRunning or "
                + "totalGPUUtilization), as Kubernetes requires with HPAScaleToZero: a Resource or Pods metric has no "
                + "pod to read at zero replicas")
        }
        if let tolerance = fields["tolerance"] { spec.tolerance = try decodeTolerance(tolerance) }
        return spec
    }

    /// One value both ways (`10%`) or `{scaleUp, scaleDown}`, each 10 % when left out.
    private func decodeTolerance(_ tolerance: ScenarioValue) throws -> HPA.Tolerance {
        if tolerance.scalarText != nil { return HPA.Tolerance(try tolerance.fraction(in: 0...10)) }
        let both = try tolerance.mapping(allowed: ["scaleUp", "scaleDown"])
        return HPA.Tolerance(
            scaleUp: try both["scaleUp"]?.fraction(in: 0...10) ?? 0.1,
            scaleDown: try both["scaleDown"]?.fraction(in: 0...1) ?? 0.1)
    }

    /// `{utilization: 70%}`, `{concurrency: 8}`, `{queueLength: 4}`, `{requestsPerSecond: 5}`,
    /// `{totalQueueLength: 4}` or `{totalInFlight: 16}` (the last two per replica).
    private func decodeMetric(_ value: ScenarioValue) throws -> MetricTarget {
        let names = ScalingMetric.allCases.map(\.rawValue)
        let fields = try value.mapping(allowed: names)
        let (name, targetValue) = try fields.oneOf(names, "one metric and its target")
        let metric = ScalingMetric(rawValue: name)!
        if metric == .utilization {
            let fraction = try targetValue.fraction(in: 0.01...1)
            guard abs(fraction * 100 - (fraction * 100).rounded()) < 1e-9 else {
                throw targetValue.expected("a whole percentage, as Kubernetes' averageUtilization is (e.g. 70%)")
            }
            return MetricTarget(metric, target: fraction)
        }
        if metric == .requestsPerSecond {
            return MetricTarget(metric, target: try targetValue.rate(in: 1e-3...1e9))
        }
        // Kubernetes passes targets in milli-units: 1m (0.001) is the smallest above 0.
        return MetricTarget(metric, target: try targetValue.number("a positive target per replica", in: 1e-3...1e9))
    }

    /// Kubernetes' `behavior` shape, with durations: `{scaleUp: {stabilizationWindow, selectPolicy, policies:
    /// [{type: Pods|Percent, value, period}]}, scaleDown: …}`; a direction left out keeps its default.
    func decodeBehavior(_ value: ScenarioValue) throws -> HPA.Behavior {
        let fields = try value.mapping(allowed: ["scaleUp", "scaleDown"])
        return HPA.Behavior(
            scaleUp: try fields["scaleUp"].map { try decodeRules($0, defaults: .defaultScaleUp, seconds: false) } ?? .defaultScaleUp,
            scaleDown: try fields["scaleDown"].map { try decodeRules($0, defaults: .defaultScaleDown, seconds: false) } ?? .defaultScaleDown)
    }

    /// One direction's rules. `seconds`: the manifest's spelling (`stabilizationWindowSeconds`, `periodSeconds`,
    /// integers) rather than the scenario's durations.
    func decodeRules(_ value: ScenarioValue, defaults: HPA.Rules, seconds: Bool) throws -> HPA.Rules {
        let windowKey = seconds ? "stabilizationWindowSeconds" : "stabilizationWindow"
        let periodKey = seconds ? "periodSeconds" : "period"
        // The manifest's per-direction tolerance is read by HPAManifest; a scenario gives `tolerance` on the HPA.
        let fields = try value.mapping(allowed: [windowKey, "selectPolicy", "policies"] + (seconds ? ["tolerance"] : []))
        func duration(_ value: ScenarioValue, max: Double) throws -> Double {
            seconds ? Double(try value.integer("whole seconds", in: 0...Int(max))) : try value.duration(in: 0...max)
        }
        var rules = defaults
        if let window = fields[windowKey] { rules.stabilizationWindowSeconds = try duration(window, max: 3600) }
        if let select = fields["selectPolicy"] {
            guard let policy = HPA.SelectPolicy(rawValue: try select.string()) else {
                throw select.expected("Max, Min or Disabled")
            }
            rules.selectPolicy = policy
        }
        if let policiesValue = fields["policies"] {
            rules.policies = try policiesValue.list().map { item in
                let policyFields = try item.mapping(allowed: ["type", "value", periodKey])
                let typeValue = try policyFields.required("type", "Pods or Percent")
                guard let kind = HPA.Policy.Kind(rawValue: try typeValue.string()) else {
                    throw typeValue.expected("Pods or Percent")
                }
                let amount = try policyFields.required("value", "how many pods, or what percentage")
                    .integer("a positive integer", in: 1...1_000_000)
                let period = try duration(try policyFields.required(periodKey, "the period the limit applies to"), max: 1800)
                guard period > 0 else { throw policyFields[periodKey]!.expected("a period longer than 0 (at most 30 minutes)") }
                return HPA.Policy(kind, amount, periodSeconds: period)
            }
            if rules.policies.isEmpty && rules.selectPolicy != .disabled {
                throw policiesValue.expected("at least one policy (or selectPolicy: Disabled)")
            }
        }
        return rules
    }

    // MARK: Queue-based (KEDA)

    private func decodeQueue(_ value: ScenarioValue) throws -> QueueScalerSpec {
        let fields = try value.mapping(allowed: [
            "metric", "target", "activation", "minReplicas", "maxReplicas", "idleReplicas", "polling", "cooldown",
            "initialCooldown", "behavior", "tolerance", "syncPeriod",
        ])
        var metric = ScalingMetric.totalQueueLength
        if let metricValue = fields["metric"] {
            guard let named = ScalingMetric(rawValue: try metricValue.string()), named.isExternal else {
                throw metricValue.expected(ScalingMetric.allCases.filter(\.isExternal).map(\.rawValue).joined(separator: ", "))
            }
            metric = named
        }
        let (minReplicas, maxReplicas) = try replicaRange(fields, defaultMin: 0)
        // Only 0, as KEDA supports only 0 (kedacore/keda#2314): with more, its idle count and the HPA's minimum take turns.
        let idle = try fields["idleReplicas"]?.integer("0, the only idle count KEDA supports", in: 0...0)
        if let idle, idle >= minReplicas {
            throw fields["idleReplicas"]!.error("idleReplicas (\(idle)) must be below minReplicas (\(minReplicas)), as KEDA requires")
        }
        return QueueScalerSpec(
            metric: metric,
            targetPerReplica: try fields.required("target", "requests per replica, e.g. 4")
                .number("a positive target per replica", in: 1e-3...1e9),
            activationThreshold: try fields["activation"]?.number("a non-negative threshold", in: 0...1e9) ?? 0,
            minReplicas: minReplicas, maxReplicas: maxReplicas, idleReplicas: idle,
            pollingSeconds: try fields["polling"]?.duration(in: 1e-3...86_400) ?? 30,
            cooldownSeconds: try fields["cooldown"]?.duration(in: 0...7 * 86_400) ?? 300,
            initialCooldownSeconds: try fields["initialCooldown"]?.duration(in: 0...7 * 86_400) ?? 0,
            behavior: try fields["behavior"].map(decodeBehavior),
            tolerance: try fields["tolerance"].map(decodeTolerance) ?? HPA.Tolerance(),
            syncPeriodSeconds: try fields["syncPeriod"]?.duration(in: 1e-3...86_400) ?? 15)
    }

    // MARK: Predictive

    private func decodePredictive(_ value: ScenarioValue) throws -> PredictiveSpec {
        let fields = try value.mapping(allowed: [
            "forecast", "requestsPerReplica", "headroom", "lead", "minReplicas", "maxReplicas", "syncPeriod",
        ])
        let forecastValue = try fields.required("forecast", "shape, {seasonal: {period}} or {ewma: {alpha}}")
        let forecast: PredictiveSpec.Forecast
        if let word = forecastValue.scalarText {
            guard word == "shape" else { throw forecastValue.expected("shape, {seasonal: {period: 1d}} or {ewma: {alpha: 0.3}}") }
            forecast = .shape
        } else {
            let forms = try forecastValue.mapping(allowed: ["seasonal", "ewma"])
            switch try forms.oneOf(["seasonal", "ewma"], "the forecast") {
            case ("seasonal", let seasonal):
                let period = try seasonal.mapping(allowed: ["period"])["period"]?.duration(in: 60...366 * 86_400) ?? 86_400
                forecast = .seasonal(periodSeconds: period)
            case (_, let ewma):
                let alpha = try ewma.mapping(allowed: ["alpha"]).required("alpha", "the weight of the newest rate")
                forecast = .ewma(alpha: try alpha.number("a weight in (0, 1]", in: 1e-6...1))
            }
        }
        let (minReplicas, maxReplicas) = try replicaRange(fields, defaultMin: 1)
        return PredictiveSpec(
            forecast: forecast,
            requestsPerReplica: try fields.required("requestsPerReplica", "the rate one replica carries, e.g. 8/s")
                .rate(in: 1e-9...1e9),
            headroom: try fields["headroom"]?.fraction(in: 0...10) ?? 0.2,
            leadSeconds: try fields["lead"]?.duration(in: 0...86_400),
            minReplicas: minReplicas, maxReplicas: maxReplicas,
            syncPeriodSeconds: try fields["syncPeriod"]?.duration(in: 1e-3...86_400) ?? 60)
    }

    // MARK: Schedules

    static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    private func decodeSchedule(_ value: ScenarioValue) throws -> [ScheduleRule] {
        try value.list().map { item in
            let fields = try item.mapping(allowed: ["days", "from", "to", "min", "max"])
            let days = try fields["days"].map { Set(try Self.decodeDays($0)) } ?? Set(0..<7)
            let from = try Self.timeOfDay(try fields.required("from", "a time of day, e.g. \"08:00\""))
            let to = try Self.timeOfDay(try fields.required("to", "a time of day, e.g. \"20:00\""))
            let minReplicas = try fields["min"]?.integer("a replica count", in: 0...Self.maxReplicas)
            let maxReplicas = try fields["max"]?.integer("a replica count", in: 0...Self.maxReplicas)
            if minReplicas == nil && maxReplicas == nil { throw item.error("a rule needs 'min', 'max' or both") }
            if let minReplicas, let maxReplicas, minReplicas > maxReplicas {
                throw fields["min"]!.error("min (\(minReplicas)) is above max (\(maxReplicas))")
            }
            if from == to { throw fields["to"]!.expected("a time other than 'from'") }
            return ScheduleRule(days: days, fromSeconds: from, toSeconds: to, minReplicas: minReplicas, maxReplicas: maxReplicas)
        }
    }

    /// A list of day names, `[mon, tue]`, as day numbers (Monday 0).
    static func decodeDays(_ value: ScenarioValue) throws -> [Int] {
        try value.list().map { day in
            guard let index = dayNames.firstIndex(of: try day.string().lowercased()) else {
                throw day.expected("a day: \(dayNames.joined(separator: ", "))")
            }
            return index
        }
    }

    /// "HH:MM" from 00:00 to 24:00.
    static func timeOfDay(_ value: ScenarioValue) throws -> Double {
        let text = try value.string()
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]), (0...24).contains(hours),
              (0..<60).contains(minutes), hours * 60 + minutes <= 24 * 60
        else { throw value.expected("a time of day as HH:MM, e.g. \"08:30\"") }
        return Double(hours * 3600 + minutes * 60)
    }

    // MARK: Shared

    private func replicaRange(_ fields: ScenarioMapping, defaultMin: Int) throws -> (Int, Int) {
        let minReplicas = try fields["minReplicas"]?.integer("a replica count", in: 0...Self.maxReplicas) ?? defaultMin
        let maxValue = try fields.required("maxReplicas", "the most replicas the policy may ask for")
        let maxReplicas = try maxValue.integer("a replica count of at least 1", in: 1...Self.maxReplicas)
        if minReplicas > maxReplicas {
            throw fields["minReplicas"]!.error("minReplicas (\(minReplicas)) is above maxReplicas (\(maxReplicas))")
        }
        return (minReplicas, maxReplicas)
    }
}
