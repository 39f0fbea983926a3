import FleetSim
import FleetSimKernel
import Foundation

/// Reads `traffic`: the synthetic rate shape (rate, arrivals, daily and weekly curves, spikes) or a trace to replay,
/// and the request classes with their token lengths; checks that every class has a deployment that can serve it.
struct TrafficDecoder {
    let baseDirectory: String

    static let syntheticKeys = ["rate", "arrivals", "diurnal", "weekly", "spikes", "randomSpikes"]

    func decode(_ value: ScenarioValue, deployments: [DeploymentSpec], horizon: Double) throws -> TrafficSpec {
        let fields = try value.mapping(allowed: Self.syntheticKeys + ["classes", "trace"])
        let classes: [RequestClass]
        if let classesValue = fields["classes"] {
            classes = try decodeClasses(classesValue, deployments: deployments)
        } else if deployments.count == 1 {
            classes = [RequestClass(name: "default", deployment: deployments[0].name)]
        } else {
            throw value.error("missing 'classes': with several deployments, each class must name the one that serves it")
        }
        let traffic: TrafficSpec
        if let traceValue = fields["trace"] {
            if let synthetic = Self.syntheticKeys.first(where: { fields[$0] != nil }) {
                throw fields[synthetic]!.error("'\(synthetic)' shapes synthetic traffic and cannot be combined with 'trace'; "
                    + "use trace.scale and trace.speedup to change a replayed trace's rate")
            }
            let replay = try TraceDecoder(baseDirectory: baseDirectory).decode(traceValue, classes: classes)
            traffic = TrafficSpec(ratePerSecond: 0, classes: classes, trace: replay)
        } else {
            let rate = try fields.required("rate", "mean requests per second, e.g. 40/s (or a 'trace' to replay)")
                .rate(in: 0...ScenarioDecoder.maxRatePerSecond)
            traffic = TrafficSpec(
                ratePerSecond: rate,
                arrivals: try fields["arrivals"].map(decodeArrivals) ?? .poisson,
                diurnal: try fields["diurnal"].map { try decodeDiurnal($0, rate: rate) },
                weekly: try fields["weekly"].map(decodeWeekly),
                spikes: try fields["spikes"]?.list().flatMap { try decodeSpikes($0, horizon: horizon) } ?? [],
                randomSpikes: try fields["randomSpikes"].map(decodeRandomSpikes),
                classes: classes)
        }
        try checkServed(traffic, deployments: deployments, classesValue: fields["classes"] ?? value)
        if traffic.trace == nil {
            try checkTokenLengths(traffic, deployments: deployments, classesValue: fields["classes"] ?? value)
        }
        return traffic
    }

    /// An LLM deployment's service time and an API's bill come from token counts, so synthetic requests that can
    /// reach one need lengths.
    private func checkTokenLengths(_ traffic: TrafficSpec, deployments: [DeploymentSpec], classesValue: ScenarioValue) throws {
        let reaching = Scenario(name: "check", durationSeconds: 1, traffic: traffic, deployments: deployments).classesReaching
        for (deployment, classes) in zip(deployments, reaching) {
            let kind: String
            if case .api = deployment.kind { kind = "a per-token API" } else if deployment.profile != nil { kind = "an LLM deployment" } else { continue }
            for index in classes {
                let requestClass = traffic.classes[index]
                guard requestClass.promptTokens == nil || requestClass.outputTokens == nil else { continue }
                let items = (try? classesValue.list()) ?? []
                let location = index < items.count ? items[index] : classesValue
                let via = requestClass.deployment == deployment.name ? "goes to" : "can reach"
                throw location.error("class '\(requestClass.name)' \(via) '\(deployment.name)', \(kind): "
                    + "give it promptTokens and outputTokens (distributions of token counts)")
            }
        }
    }

    private func decodeArrivals(_ value: ScenarioValue) throws -> ArrivalProcess {
        let processes = ["poisson", "deterministic", "gamma", "mmpp"]
        if let text = value.scalarText {
            switch text {
            case "poisson": return .poisson
            case "deterministic": return .deterministic
            default: throw value.expected("poisson, deterministic, {gamma: {cv: …}} or {mmpp: {…}}")
            }
        }
        let (process, parameters) = try value.mapping(allowed: processes).oneOf(processes, "an arrival process")
        switch process {
        case "gamma":
            let cv = try parameters.mapping(allowed: ["cv"]).required("cv", "the inter-arrival coefficient of variation")
                .number("a coefficient of variation", in: 0.01...100)
            return .gamma(cv: cv)
        case "mmpp":
            let fields = try parameters.mapping(allowed: ["ratio", "burstShare", "meanBurst"])
            let ratio = try fields.required("ratio", "burst rate over calm rate, e.g. 4")
                .number("a ratio of at least 1", in: 1...1e6)
            let share = try fields.required("burstShare", "the share of time spent bursting, e.g. 10%")
                .fraction(in: 0.001...0.999)
            let burst = try fields.required("meanBurst", "the mean length of a burst, e.g. 2m")
                .duration(in: 1e-3...ScenarioDecoder.maxDurationSeconds)
            return .mmpp(MMPP(ratio: ratio, highFraction: share, meanBurstSeconds: burst))
        default:
            // Written as a mapping, e.g. {poisson: {}}.
            return process == "poisson" ? .poisson : .deterministic
        }
    }

    private func decodeWeekly(_ value: ScenarioValue) throws -> [Double] {
        let items = try value.list()
        guard items.count == 7 else {
            throw value.error("expected 7 day multipliers (the first for the scenario's first day), found \(items.count)")
        }
        let values = try items.map { try $0.number("a non-negative multiplier", in: 0...1e6) }
        guard values.reduce(0, +) > 0 else { throw value.error("the day multipliers are all zero") }
        return values
    }

    private func decodeRandomSpikes(_ value: ScenarioValue) throws -> RandomSpikes {
        let fields = try value.mapping(allowed: ["perDay", "multiplier", "duration", "ramp"])
        let perDay = try fields.required("perDay", "the mean number of spikes per day").number("a mean count", in: 0...10_000)
        let multiplier = try DistributionDecoder.decode(
            try fields.required("multiplier", "the rate factor at a spike's height, e.g. {uniform: [2, 4]}"),
            as: .count, baseDirectory: baseDirectory)
        let duration = try DistributionDecoder.decode(
            try fields.required("duration", "how long a spike lasts, e.g. {exponential: {mean: 20m}}"),
            as: .duration, baseDirectory: baseDirectory)
        let ramp = try fields["ramp"]?.duration(in: ScenarioDecoder.nonNegative) ?? 0
        return RandomSpikes(perDay: perDay, multiplier: multiplier, duration: duration, rampSeconds: ramp)
    }

    /// A cosine `{peakHour, peakToTrough}`, hourly multipliers `{profile}`, or a peak stated as planners state one,
    /// `{peakHour, peak, trough}` (rates, the traffic's `rate` being the mean; or `peakToMean`, `troughToMean`).
    private func decodeDiurnal(_ value: ScenarioValue, rate: Double) throws -> DiurnalShape {
        let fields = try value.mapping(allowed: ["peakHour", "peakToTrough", "profile", "peak", "trough", "peakToMean", "troughToMean"])
        if let profileValue = fields["profile"] {
            if let other = ["peakHour", "peakToTrough", "peak", "trough", "peakToMean", "troughToMean"].first(where: { fields[$0] != nil }) {
                throw fields[other]!.error("give either 'profile' or a peak ('peakHour' with 'peakToTrough' or 'peak'), not both")
            }
            let items = try profileValue.list()
            guard items.count == 24 else { throw profileValue.expected("24 hourly multipliers, found \(items.count) in") }
            let values = try items.map { try $0.number("a non-negative multiplier", in: 0...1e6) }
            guard values.reduce(0, +) > 0 else { throw profileValue.error("the hourly multipliers are all zero") }
            return .hourly(values)
        }
        let peakHour = try fields.required("peakHour", "hour of the daily maximum, 0–24").number("an hour", in: 0...24)
        let peakKey = ["peak", "peakToMean"].filter { fields[$0] != nil }
        if !peakKey.isEmpty {
            if peakKey.count == 2 { throw fields["peakToMean"]!.error("give either 'peak' (a rate) or 'peakToMean', not both") }
            if fields["peakToTrough"] != nil { throw fields["peakToTrough"]!.error("give either 'peakToTrough' or a peak and trough, not both") }
            guard rate > 0 || fields["peakToMean"] != nil else { throw value.error("a peak needs a 'rate' (the mean) above 0") }
            let peak = try fields["peakToMean"]?.number("a ratio above 1", in: 1...1e6)
                ?? (try fields["peak"]!.rate(in: 0...ScenarioDecoder.maxRatePerSecond)) / rate
            let trough = try fields["troughToMean"]?.number("a ratio from 0 to below 1", in: 0...1)
                ?? (try fields["trough"]?.rate(in: 0...ScenarioDecoder.maxRatePerSecond)).map { $0 / rate }
                ?? max(0, 2 - peak)  // The plain cosine when it reaches the peak, else a trough of 0 and a sharper peak.
            guard peak > 1 else {
                throw (fields["peak"] ?? fields["peakToMean"]!).error("the peak must be above the mean (rate \(Quantities.shortest(rate))/s)")
            }
            guard let shape = DiurnalShape.peaked(peakHour: peakHour, peakToMean: peak, troughToMean: trough) else {
                throw (fields["trough"] ?? fields["troughToMean"] ?? value).error("the trough must be below the mean (rate \(Quantities.shortest(rate))/s)")
            }
            return shape
        }
        let ratio = try fields.required("peakToTrough", "daily maximum over minimum, ≥ 1 (or 'peak' and 'trough' as rates)")
            .number("a ratio of at least 1", in: 1...1e6)
        return .smooth(peakHour: peakHour, peakToTrough: ratio)
    }

    /// A spike `{at, duration, multiplier, ramp}`, or one that recurs daily, `{every, from, to, multiplier, ramp}`
    /// with `every` a day list (`[mon, tue]`), `day` or `weekday`; expanded into one spike per day of the horizon.
    private func decodeSpikes(_ value: ScenarioValue, horizon: Double) throws -> [Spike] {
        guard (try value.mapping(allowed: [])["every"]) != nil else { return [try decodeSpike(value)] }
        let fields = try value.mapping(allowed: ["every", "from", "to", "multiplier", "ramp"])
        let everyValue = fields["every"]!
        let days: [Int]
        switch everyValue.scalarText {
        case "day": days = Array(0...6)
        case "weekday": days = Array(0...4)
        case "weekend": days = [5, 6]
        case let other? where !other.isEmpty: throw everyValue.expected("day, weekday, weekend or a list of days ([mon, fri])")
        default: days = try AutoscalerDecoder.decodeDays(everyValue)
        }
        let from = try AutoscalerDecoder.timeOfDay(try fields.required("from", "a time of day, \"09:00\""))
        let toValue = try fields.required("to", "a time of day, \"09:30\"")
        let to = try AutoscalerDecoder.timeOfDay(toValue)
        guard to > from else { throw toValue.expected("a time after 'from' on the same day") }
        let multiplier = try fields.required("multiplier", "the rate factor at its height").number("a non-negative multiplier", in: 0...1e6)
        let ramp = try fields["ramp"]?.duration(in: ScenarioDecoder.nonNegative) ?? 0
        if 2 * ramp > to - from {
            throw fields["ramp"]!.expected("a ramp at most half the spike's duration (\(Quantities.format(seconds: to - from)))")
        }
        return stride(from: 0.0, to: horizon, by: 86_400).compactMap { midnight in
            let weekday = Int(midnight / 86_400) % 7
            guard days.contains(weekday) else { return nil }
            return Spike(atSeconds: midnight + from, durationSeconds: to - from, multiplier: multiplier, rampSeconds: ramp)
        }
    }

    private func decodeSpike(_ value: ScenarioValue) throws -> Spike {
        let fields = try value.mapping(allowed: ["at", "duration", "multiplier", "ramp"])
        let at = try fields.required("at", "when the spike starts, e.g. 13h").duration(in: ScenarioDecoder.nonNegative)
        let durationValue = try fields.required("duration", "how long it lasts, ramps included")
        let duration = try durationValue.duration(in: 1e-3...ScenarioDecoder.maxDurationSeconds)
        let multiplier = try fields.required("multiplier", "the rate factor at its height")
            .number("a non-negative multiplier", in: 0...1e6)
        let ramp = try fields["ramp"]?.duration(in: ScenarioDecoder.nonNegative) ?? 0
        if 2 * ramp > duration {
            throw fields["ramp"]!.expected("a ramp at most half the spike's duration (\(Quantities.format(seconds: duration)))")
        }
        return Spike(atSeconds: at, durationSeconds: duration, multiplier: multiplier, rampSeconds: ramp)
    }

    private func decodeClasses(_ value: ScenarioValue, deployments: [DeploymentSpec]) throws -> [RequestClass] {
        let items = try value.list()
        guard !items.isEmpty else { throw value.expected("at least one request class") }
        var seen = Set<String>()
        return try items.map { item in
            let fields = try item.mapping(allowed: ["name", "weight", "deployment", "promptTokens", "outputTokens", "difficulty",
                                                      "promptCache"])
            let nameValue = try fields.required("name", "the class name")
            let name = try nameValue.name()
            guard seen.insert(name).inserted else { throw nameValue.error("duplicate class name '\(name)'") }
            let weight = try fields["weight"]?.number("a positive weight", in: 1e-12...1e12) ?? 1
            let deploymentValue = try fields.required("deployment", "which deployment serves this class")
            let deployment = try deploymentValue.name()
            let names = deployments.map(\.name)
            guard names.contains(deployment) else {
                throw deploymentValue.error("unknown deployment '\(deployment)'" + Suggestions.didYouMean(deployment, among: names)
                    + " (deployments: \(names.joined(separator: ", ")))")
            }
            let tokens = { (key: String) in
                try fields[key].map { try DistributionDecoder.decode($0, as: .count, baseDirectory: baseDirectory) }
            }
            var requestClass = RequestClass(
                name: name, weight: weight, deployment: deployment, promptTokens: try tokens("promptTokens"),
                outputTokens: try tokens("outputTokens"),
                difficulty: try fields["difficulty"].map { try DistributionDecoder.decode($0, as: .count, baseDirectory: baseDirectory) })
            requestClass.promptCacheShare = try fields["promptCache"].map(TierDecoder.promptCacheShare)
            return requestClass
        }
    }

    /// A deployment that receives traffic must have somewhere to serve it.
    private func checkServed(_ traffic: TrafficSpec, deployments: [DeploymentSpec], classesValue: ScenarioValue) throws {
        guard traffic.ratePerSecond > 0 || traffic.trace != nil else { return }
        for requestClass in traffic.classes {
            guard let deployment = deployments.first(where: { $0.name == requestClass.deployment }),
                  deployment.isReplicas, deployment.overflow == nil, deployment.replicaCount == 0, !deployment.pools.contains(where: { $0.reclaim?.trace != nil }),
                  !Self.mayAddReplicas(deployment.autoscaler)
            else { continue }
            throw ScenarioError(
                file: classesValue.file, line: nil, keyPath: "deployments.\(deployment.name).pools",
                message: "no replicas, but traffic class '\(requestClass.name)' sends requests to this deployment")
        }
    }

    private static func mayAddReplicas(_ autoscaler: AutoscalerSpec?) -> Bool {
        guard let autoscaler else { return false }
        return autoscaler.replicaBounds.upperBound > 0 || autoscaler.schedule.contains { ($0.minReplicas ?? 0) > 0 }
    }
}
