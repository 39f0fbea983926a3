import FleetSim
import Foundation
import FleetSimKernel

/// Turns a scenario document into a validated `Scenario`, filling in defaults.
///
/// The bounds below keep a typo from starting a run that could never finish or that would overflow; each is
/// documented in docs/scenario-format.md.
struct ScenarioDecoder {
    static let maxDurationSeconds = 366.0 * 86_400
    static let maxRatePerSecond = 1e6
    static let maxCount = 1_000_000
    static let maxWindows = 10_000_000.0
    static let nonNegative = 0.0...Double.greatestFiniteMagnitude

    let defaultName: String
    /// Where relative file paths (traces, token-length files) are resolved from: the scenario file's folder.
    let baseDirectory: String

    func decode(_ root: ScenarioValue) throws -> Scenario {
        let top = try root.mapping(
            allowed: ["name", "seed", "duration", "window", "warmup", "traffic", "deployments", "slo", "budget"])
        let name = try top["name"]?.name() ?? Self.sanitizedName(defaultName)
        let seed = try top["seed"].map { UInt64(try $0.integer("a seed", in: 0...Int(UInt32.max))) } ?? 1
        let durationValue = try top.required("duration", "how much time to simulate, e.g. 1d")
        let duration = try durationValue.duration(in: 1e-3...Self.maxDurationSeconds)
        let window = try top["window"]?.duration(in: 1e-3...Self.maxDurationSeconds) ?? min(60, duration)
        if duration / window > Self.maxWindows {
            throw top["window"]!.error("a \(Quantities.format(seconds: window)) window over \(Quantities.format(seconds: duration)) makes more than \(Int(Self.maxWindows)) timeline rows")
        }
        let warmup = try top["warmup"]?.duration(in: Self.nonNegative) ?? 0
        if warmup >= duration {
            throw top["warmup"]!.expected("a warm-up shorter than the duration (\(Quantities.format(seconds: duration)))")
        }
        let deploymentsValue = try top.required("deployments", "the models being served and their fleets")
        let trafficValue = try top.required("traffic", "the offered load")
        let replaysTrace = (try? trafficValue.mapping(allowed: []))?["trace"] != nil
        let deployments = try decodeDeployments(deploymentsValue, hasRateCurve: !replaysTrace)
        let traffic = try decodeTraffic(trafficValue, deployments: deployments, horizon: duration)
        let slo = try top["slo"].map(decodeSLO)
        return Scenario(
            name: name, seed: seed, durationSeconds: duration, windowSeconds: min(window, duration),
            warmupSeconds: warmup, traffic: traffic, deployments: deployments, slo: slo,
            budget: try top["budget"].map(decodeBudget))
    }

    private func decodeBudget(_ value: ScenarioValue) throws -> BudgetSpec {
        let fields = try value.mapping(allowed: ["monthly", "alerts"])
        let monthly = try fields.required("monthly", "USD per month for the whole fleet, pro-rated to the run")
            .number("an amount in USD", in: 1e-6...1e12)
        guard let alertsValue = fields["alerts"] else { return BudgetSpec(monthlyUSD: monthly) }
        let alerts = try alertsValue.list().map { try $0.fraction(in: 1e-6...100) }
        guard !alerts.isEmpty, zip(alerts, alerts.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw alertsValue.expected("at least one alert, ascending (e.g. [50%, 75%, 90%, 100%])")
        }
        return BudgetSpec(monthlyUSD: monthly, alerts: alerts)
    }

    /// A file name made into a valid scenario name: characters other than letters, digits, `-` and `_` become `-`.
    static func sanitizedName(_ text: String) -> String {
        let cleaned = String(text.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        return cleaned.isEmpty ? "scenario" : cleaned
    }

    // MARK: Traffic

    static let syntheticKeys = ["rate", "arrivals", "diurnal", "weekly", "spikes", "randomSpikes"]

    private func decodeTraffic(_ value: ScenarioValue, deployments: [DeploymentSpec], horizon: Double) throws -> TrafficSpec {
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
                .rate(in: 0...Self.maxRatePerSecond)
            traffic = TrafficSpec(
                ratePerSecond: rate,
                arrivals: try fields["arrivals"].map(decodeArrivals) ?? .poisson,
                diurnal: try fields["diurnal"].map(decodeDiurnal),
                weekly: try fields["weekly"].map(decodeWeekly),
                spikes: try fields["spikes"]?.list().map { try decodeSpike($0) } ?? [],
                randomSpikes: try fields["randomSpikes"].map(decodeRandomSpikes),
                classes: classes)
        }
        try checkServed(traffic, deployments: deployments, classesValue: fields["classes"] ?? value)
        if traffic.trace == nil {
            try checkTokenLengths(traffic, deployments: deployments, classesValue: fields["classes"] ?? value)
        }
        return traffic
    }

    /// An LLM deployment's service time comes from token counts, so synthetic requests sent to it need lengths.
    private func checkTokenLengths(_ traffic: TrafficSpec, deployments: [DeploymentSpec], classesValue: ScenarioValue) throws {
        let llm = Set(deployments.filter { $0.profile != nil }.map(\.name))
        for (index, requestClass) in traffic.classes.enumerated() where llm.contains(requestClass.deployment) {
            guard requestClass.promptTokens == nil || requestClass.outputTokens == nil else { continue }
            let items = (try? classesValue.list()) ?? []
            let location = index < items.count ? items[index] : classesValue
            throw location.error("class '\(requestClass.name)' goes to '\(requestClass.deployment)', an LLM deployment: "
                + "give it promptTokens and outputTokens (distributions of token counts)")
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
                .duration(in: 1e-3...Self.maxDurationSeconds)
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
        let ramp = try fields["ramp"]?.duration(in: Self.nonNegative) ?? 0
        return RandomSpikes(perDay: perDay, multiplier: multiplier, duration: duration, rampSeconds: ramp)
    }

    private func decodeDiurnal(_ value: ScenarioValue) throws -> DiurnalShape {
        let fields = try value.mapping(allowed: ["peakHour", "peakToTrough", "profile"])
        if let profileValue = fields["profile"] {
            if fields["peakHour"] != nil || fields["peakToTrough"] != nil {
                throw value.error("give either 'profile' or 'peakHour' with 'peakToTrough', not both")
            }
            let items = try profileValue.list()
            guard items.count == 24 else { throw profileValue.expected("24 hourly multipliers, found \(items.count) in") }
            let values = try items.map { try $0.number("a non-negative multiplier", in: 0...1e6) }
            guard values.reduce(0, +) > 0 else { throw profileValue.error("the hourly multipliers are all zero") }
            return .hourly(values)
        }
        let peakHour = try fields.required("peakHour", "hour of the daily maximum, 0–24").number("an hour", in: 0...24)
        let ratio = try fields.required("peakToTrough", "daily maximum over minimum, ≥ 1")
            .number("a ratio of at least 1", in: 1...1e6)
        return .smooth(peakHour: peakHour, peakToTrough: ratio)
    }

    private func decodeSpike(_ value: ScenarioValue) throws -> Spike {
        let fields = try value.mapping(allowed: ["at", "duration", "multiplier", "ramp"])
        let at = try fields.required("at", "when the spike starts, e.g. 13h").duration(in: Self.nonNegative)
        let durationValue = try fields.required("duration", "how long it lasts, ramps included")
        let duration = try durationValue.duration(in: 1e-3...Self.maxDurationSeconds)
        let multiplier = try fields.required("multiplier", "the rate factor at its height")
            .number("a non-negative multiplier", in: 0...1e6)
        let ramp = try fields["ramp"]?.duration(in: Self.nonNegative) ?? 0
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
            let fields = try item.mapping(allowed: ["name", "weight", "deployment", "promptTokens", "outputTokens"])
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
            return RequestClass(name: name, weight: weight, deployment: deployment,
                                promptTokens: try tokens("promptTokens"), outputTokens: try tokens("outputTokens"))
        }
    }

    /// A deployment that receives traffic must have somewhere to serve it.
    private func checkServed(_ traffic: TrafficSpec, deployments: [DeploymentSpec], classesValue: ScenarioValue) throws {
        guard traffic.ratePerSecond > 0 || traffic.trace != nil else { return }
        for requestClass in traffic.classes {
            guard let deployment = deployments.first(where: { $0.name == requestClass.deployment }),
                  deployment.replicaCount == 0, !deployment.pools.contains(where: { $0.reclaim?.trace != nil }),
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

    // MARK: Deployments

    private func decodeDeployments(_ value: ScenarioValue, hasRateCurve: Bool) throws -> [DeploymentSpec] {
        let fields = try value.mapping(allowed: [])
        guard !fields.entries.isEmpty else { throw value.expected("at least one deployment") }
        return try fields.entries.map { entry in
            let name = try ScenarioValue(node: .scalar(.init(entry.key)), path: entry.value.path, file: value.file).name()
            return try decodeDeployment(name: name, entry.value, hasRateCurve: hasRateCurve)
        }
    }

    private func decodeDeployment(name: String, _ value: ScenarioValue, hasRateCurve: Bool) throws -> DeploymentSpec {
        let fields = try value.mapping(allowed: [
            "instance", "model", "service", "batching", "routing", "queueing", "queue", "pools", "startup", "placement",
            "autoscaler", "drainTimeout",
        ])
        let instance = try decodeInstance(try fields.required("instance", "inline {gpu, gpus, onDemand}"))
        var deployment = DeploymentSpec(
            name: name, instance: instance,
            pools: try decodePools(try fields.required("pools", "a list of {purchase, count}"), instance: instance))
        switch try fields.oneOf(["model", "service"], "an LLM performance profile or a generic service time") {
        case ("model", let modelValue):
            (deployment.profile, deployment.profileID) = try decodeModel(modelValue)
        case (_, let serviceValue):
            deployment.service = try decodeService(serviceValue)
        }
        if let batchingValue = fields["batching"] {
            deployment.batching = try decodeBatching(batchingValue)
            if deployment.batching == .continuous && deployment.profile == nil {
                throw batchingValue.error("continuous batching needs a 'model' (a performance profile), not a generic 'service'")
            }
        }
        if let routingValue = fields["routing"] {
            guard let routing = RoutingPolicy(rawValue: try routingValue.string()) else {
                throw routingValue.expected("one of \(RoutingPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            deployment.routing = routing
        }
        if let queueingValue = fields["queueing"] {
            guard let queueing = Queueing(rawValue: try queueingValue.string()) else {
                throw queueingValue.expected("one of \(Queueing.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if queueing == .perReplica && deployment.batching != .continuous {
                throw queueingValue.error("per-replica queues are modelled for continuous batching only; window batching uses the central queue")
            }
            deployment.queueing = queueing
        }
        deployment.queue = try fields["queue"].map(decodeQueue) ?? QueueSpec()
        if let startupValue = fields["startup"] {
            let startupFields = try startupValue.mapping(allowed: ["provision", "load"])
            deployment.startup = StartupSpec(
                provision: try startupFields["provision"].map {
                    try DistributionDecoder.decode($0, as: .duration, baseDirectory: baseDirectory)
                } ?? .constant(0),
                load: try startupFields["load"].map(decodeLoad) ?? .constant(0))
        }
        if let placementValue = fields["placement"] {
            deployment.placement = try decodePlacement(placementValue, pools: deployment.pools)
        }
        if let autoscalerValue = fields["autoscaler"] {
            deployment.autoscaler = try AutoscalerDecoder(baseDirectory: baseDirectory, hasRateCurve: hasRateCurve)
                .decode(autoscalerValue)
            if case .hpa(let hpa) = deployment.autoscaler!.policy, hpa.minReplicas > 0, deployment.replicaCount == 0 {
                throw autoscalerValue.error("an HPA leaves a deployment at 0 replicas alone (Kubernetes disables scaling "
                    + "for a target scaled to zero); give the pools at least one instance, or use 'queue' to scale from zero")
            }
        } else if let managed = deployment.pools.firstIndex(where: { $0.isManaged && ($0.max != Int.max || $0.min != 0) }) {
            throw try fields.required("pools", "").list()[managed].error(
                "pool bounds (min, max) are for an autoscaler; this deployment has none, so each pool keeps its count")
        }
        deployment.drainTimeoutSeconds = try fields["drainTimeout"]?.duration(in: Self.nonNegative) ?? 30
        return deployment
    }

    /// The model load: a duration distribution, or `{modelSize: 16GB, bandwidth: 1GB/s}` — the weights read at the
    /// bandwidth from wherever they are stored (a fixed time: the size over the bandwidth).
    private func decodeLoad(_ value: ScenarioValue) throws -> Distribution {
        guard let fields = try? value.mapping(allowed: []), fields["modelSize"] != nil || fields["bandwidth"] != nil else {
            return try DistributionDecoder.decode(value, as: .duration, baseDirectory: baseDirectory)
        }
        let checked = try value.mapping(allowed: ["modelSize", "bandwidth"])
        let sizeValue = try checked.required("modelSize", "the weights' size, e.g. 16GB")
        guard let size = Quantities.bytes(try sizeValue.string()), size > 0 else {
            throw sizeValue.expected("a size such as 16GB or 140 GiB")
        }
        let bandwidthValue = try checked.required("bandwidth", "how fast weights load, e.g. 1GB/s")
        guard let bandwidth = Quantities.bytes(try bandwidthValue.string(), perSecond: true), bandwidth > 0 else {
            throw bandwidthValue.expected("a bandwidth such as 2GB/s or 500MB/s")
        }
        let seconds = size / bandwidth
        guard seconds <= Self.maxDurationSeconds else {
            throw value.error("loading \(try sizeValue.string()) at \(try bandwidthValue.string()) takes "
                + "\(Quantities.format(seconds: seconds)), more than the longest run (366d); check the units")
        }
        return .constant(seconds)
    }

    /// `{order: [spot, onDemand]}` (purchase options, each meaning its managed pools in scenario order) or
    /// `{onDemandBase: 2, onDemandAboveBase: 20%}` (EC2's mixed-instances rule).
    private func decodePlacement(_ value: ScenarioValue, pools: [PoolSpec]) throws -> PlacementSpec {
        let fields = try value.mapping(allowed: ["order", "onDemandBase", "onDemandAboveBase"])
        if let orderValue = fields["order"] {
            if fields["onDemandBase"] != nil || fields["onDemandAboveBase"] != nil {
                throw value.error("give either 'order' or the mixed-instances rule (onDemandBase, onDemandAboveBase), not both")
            }
            var order: [Int] = []
            for item in try orderValue.list() {
                let purchaseText = try item.string()
                guard let purchase = PurchaseOption(rawValue: purchaseText), purchase != .reserved else {
                    throw item.expected("onDemand or spot (reserved instances are never added)")
                }
                let matching = pools.indices.filter { pools[$0].purchase == purchase && pools[$0].isManaged }
                guard !matching.isEmpty else { throw item.error("the deployment has no \(purchase.rawValue) pool an autoscaler can grow") }
                order += matching.filter { !order.contains($0) }
            }
            guard !order.isEmpty else { throw orderValue.expected("at least one purchase option") }
            return .ordered(order)
        }
        guard pools.contains(where: { $0.purchase == .onDemand && $0.isManaged }),
              pools.contains(where: { $0.purchase == .spot && $0.isManaged })
        else { throw value.error("the mixed-instances rule needs an onDemand pool and a spot pool") }
        return .mixed(
            onDemandBase: try fields["onDemandBase"]?.integer("a replica count", in: 0...Self.maxCount) ?? 0,
            onDemandAboveBase: try fields["onDemandAboveBase"]?.fraction(in: 0...1) ?? 1)
    }

    /// A catalog id (`fleetsim catalog` lists them) or an inline profile.
    private func decodeModel(_ value: ScenarioValue) throws -> (PerformanceProfile, String?) {
        if let id = value.scalarText {
            guard let entry = ProfileCatalog.entry(id: id) else {
                let ids = ProfileCatalog.entries.map(\.id)
                throw value.error("unknown profile '\(id)'" + Suggestions.didYouMean(id, among: ids)
                    + " (see `fleetsim catalog`, or give an inline profile)")
            }
            return (entry.profile, id)
        }
        let fields = try value.mapping(
            allowed: ["prefillTokensPerSecond", "prefillBase", "decodeStep", "maxConcurrency", "kvTokens", "source"])
        let stepValue = try fields.required("decodeStep", "{base, perSequence} or {table: [[sequences, time], …]}")
        let stepFields = try stepValue.mapping(allowed: ["base", "perSequence", "table"])
        let decodeStep: DecodeStep
        if try stepFields.form([["base", "perSequence"], ["table"]], "a decode step") == 0 {
            decodeStep = .linear(
                baseSeconds: try stepFields.required("base", "the step time of an empty batch").duration(in: Self.nonNegative),
                perSequenceSeconds: try stepFields.required("perSequence", "the step time each sequence adds")
                    .duration(in: Self.nonNegative))
        } else {
            let rows = try stepFields.required("table", "[[sequences, step time], …]").list()
            var counts: [Int] = []
            var times: [Double] = []
            for row in rows {
                let pair = try row.list()
                guard pair.count == 2 else { throw row.expected("[sequences, step time]") }
                counts.append(try pair[0].integer("a sequence count", in: 1...1_000_000))
                times.append(try pair[1].duration(in: 1e-9...3600))
            }
            decodeStep = .table(sequences: counts, seconds: times)
        }
        let profile = PerformanceProfile(
            prefillTokensPerSecond: try fields.required("prefillTokensPerSecond", "prompt tokens prefilled per second")
                .number("a positive rate", in: 1e-6...1e12),
            prefillBaseSeconds: try fields["prefillBase"]?.duration(in: Self.nonNegative) ?? 0,
            decodeStep: decodeStep,
            maxConcurrency: try fields.required("maxConcurrency", "the most sequences a replica runs at once")
                .integer("a sequence count", in: 1...1_000_000),
            kvTokenBudget: try fields["kvTokens"]?.integer("a token count", in: 1...1_000_000_000_000),
            source: try fields["source"]?.string())
        if let problem = profile.problem { throw value.error(problem) }
        return (profile, nil)
    }

    private func decodeInstance(_ value: ScenarioValue) throws -> InstanceType {
        if let name = value.scalarText {
            guard let instance = InstanceCatalog.instance(named: name) else {
                let names = InstanceCatalog.all.compactMap(\.name)
                throw value.error("unknown instance type '\(name)'" + Suggestions.didYouMean(name, among: names)
                    + " (built in: \(names.joined(separator: ", ")); or give {gpu, gpus, onDemand})")
            }
            return instance
        }
        guard case .mapping = value.node else {
            throw value.expected("a catalog instance type such as aws/g5.xlarge, or an inline {gpu, gpus, onDemand[, spot]}")
        }
        let fields = try value.mapping(allowed: ["gpu", "gpus", "onDemand", "spot", "source"])
        let gpu = try fields.required("gpu", "the GPU model, e.g. A10G").string()
        let gpus = try fields["gpus"]?.integer("a GPU count", in: 1...64) ?? 1
        let onDemand = try fields.required("onDemand", "on-demand USD per hour").number("a price in USD per hour", in: 0...1e6)
        let spot = try fields["spot"]?.number("a price in USD per hour", in: 0...1e6)
        let source = try fields["source"]?.string()
        return InstanceType(gpu: gpu, gpus: gpus, onDemandPerHour: onDemand, spotPerHour: spot, source: source)
    }

    private func decodeService(_ value: ScenarioValue) throws -> ServiceSpec {
        let fields = try value.mapping(allowed: ["time", "perItem"])
        let time = try DistributionDecoder.decode(
            try fields.required("time", "a service-time distribution"), as: .duration, baseDirectory: baseDirectory)
        let perItem = try fields["perItem"]?.duration(in: Self.nonNegative) ?? 0
        return ServiceSpec(time: time, perItemSeconds: perItem)
    }

    private func decodeBatching(_ value: ScenarioValue) throws -> BatchingSpec {
        let fields = try value.mapping(allowed: ["mode", "window", "maxBatch"])
        let modeValue = try fields.required("mode", "window or continuous")
        switch try modeValue.string() {
        case "continuous":
            if let extra = fields["window"] ?? fields["maxBatch"] {
                throw extra.error("continuous batching has no window or maxBatch; the profile's maxConcurrency bounds it")
            }
            return .continuous
        case "window":
            break
        default:
            throw modeValue.expected("window or continuous")
        }
        let window = try fields["window"]?.duration(in: 0...3600) ?? 0
        let maxBatch = try fields["maxBatch"]?.integer("a batch size", in: 1...100_000) ?? 1
        return .window(windowSeconds: window, maxBatch: maxBatch)
    }

    private func decodeQueue(_ value: ScenarioValue) throws -> QueueSpec {
        let fields = try value.mapping(allowed: ["capacity", "timeout"])
        let capacity = try fields["capacity"]?.integer("a queue capacity", in: 0...100_000_000)
        let timeout = try fields["timeout"]?.duration(in: 1e-6...Self.maxDurationSeconds)
        return QueueSpec(capacity: capacity, timeoutSeconds: timeout)
    }

    private func decodePools(_ value: ScenarioValue, instance: InstanceType) throws -> [PoolSpec] {
        let items = try value.list()
        guard !items.isEmpty else { throw value.expected("at least one pool") }
        return try items.map { item in
            let fields = try item.mapping(allowed: [
                "purchase", "count", "pricePerHour", "discount", "reclaim", "min", "max", "minimumBilled", "acquisition",
                "warmPool", "priceSteps",
            ])
            let purchaseValue = try fields.required("purchase", "reserved, onDemand or spot")
            let purchaseText = try purchaseValue.string()
            guard let purchase = PurchaseOption(rawValue: purchaseText) else {
                throw purchaseValue.expected("one of \(PurchaseOption.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var reclaim: ReclaimSpec?
            if let reclaimValue = fields["reclaim"] {
                guard purchase == .spot else {
                    throw reclaimValue.error("only spot instances are reclaimed; this pool is \(purchase.rawValue)")
                }
                reclaim = try decodeReclaim(reclaimValue)
            }
            let count: Int
            if reclaim?.trace != nil {
                // The trace brings the nodes; the pool starts empty.
                if let countValue = fields["count"], try countValue.integer("an instance count", in: 0...Self.maxCount) != 0 {
                    throw countValue.error("a pool that replays a capacity trace starts empty; its nodes come from the trace")
                }
                count = 0
            } else {
                count = try fields.required("count", "how many instances").integer("an instance count", in: 0...Self.maxCount)
            }
            if fields["pricePerHour"] != nil && fields["discount"] != nil {
                throw item.error("give either 'pricePerHour' or 'discount', not both")
            }
            let price: Double
            if let priceValue = fields["pricePerHour"] {
                price = try priceValue.number("a price in USD per hour", in: 0...1e6)
            } else if let discountValue = fields["discount"] {
                price = instance.onDemandPerHour * (1 - (try discountValue.fraction(in: 0...1)))
            } else if purchase == .reserved {
                price = instance.onDemandPerHour * (1 - PoolSpec.defaultReservedDiscount)
            } else if purchase == .spot {
                guard let spot = instance.spotPerHour else {
                    throw item.error("the instance has no spot price; give the pool a pricePerHour or the instance a spot price")
                }
                price = spot
            } else {
                price = instance.onDemandPerHour
            }
            var pool = PoolSpec(purchase: purchase, count: count, pricePerHour: price, reclaim: reclaim)
            try decodeBounds(fields, into: &pool)
            if let stepsValue = fields["priceSteps"] {
                pool.priceSteps = try stepsValue.list().map { step in
                    let stepFields = try step.mapping(allowed: ["at", "pricePerHour"])
                    return PoolSpec.PriceStep(
                        atSeconds: try stepFields.required("at", "when the price changes, e.g. 6h").duration(in: Self.nonNegative),
                        pricePerHour: try stepFields.required("pricePerHour", "the new price").number("a price in USD per hour", in: 0...1e6))
                }
                if !zip(pool.priceSteps, pool.priceSteps.dropFirst()).allSatisfy({ $0.atSeconds < $1.atSeconds }) {
                    throw stepsValue.expected("steps in increasing time order")
                }
            }
            if let billed = fields["minimumBilled"] {
                pool.minimumBilledSeconds = try billed.duration(in: 0...86_400)
            }
            if let acquisitionValue = fields["acquisition"] {
                guard purchase != .reserved else { throw acquisitionValue.error("reserved instances are bought for the horizon; nothing is acquired later") }
                let acquisition = try acquisitionValue.mapping(allowed: ["failure", "retry"])
                pool.acquisition = AcquisitionSpec(
                    failureProbability: try acquisition.required("failure", "the probability a request fails, e.g. 20%")
                        .fraction(in: 0...0.999),
                    retrySeconds: try acquisition["retry"]?.duration(in: 1e-3...86_400) ?? 30)
            }
            if let warmValue = fields["warmPool"] {
                guard purchase == .onDemand else {
                    throw warmValue.error("warm pools hold stopped on-demand instances (EC2 has none for spot); this pool is \(purchase.rawValue)")
                }
                let warm = try warmValue.mapping(allowed: ["size", "holdingPerHour", "start"])
                pool.warmPool = WarmPoolSpec(
                    size: try warm.required("size", "how many stopped instances").integer("an instance count", in: 0...Self.maxCount),
                    holdingPerHour: try warm["holdingPerHour"]?.number("a price in USD per hour", in: 0...1e6) ?? 0,
                    start: try DistributionDecoder.decode(
                        try warm.required("start", "how long a warm instance takes to serve, e.g. 20s"), as: .duration,
                        baseDirectory: baseDirectory))
            }
            return pool
        }
    }

    /// `min` and `max` bound what an autoscaler may do with an on-demand or spot pool; reserved pools keep their
    /// count, and the count must lie within the bounds.
    private func decodeBounds(_ fields: ScenarioMapping, into pool: inout PoolSpec) throws {
        for key in ["min", "max"] {
            if let bound = fields[key], !pool.isManaged {
                let why = pool.purchase == .reserved
                    ? "a reserved pool is bought for the horizon and keeps its count"
                    : "a pool that replays a capacity trace follows the trace"
                throw bound.error("\(why); drop '\(key)'")
            }
        }
        if let minValue = fields["min"] { pool.min = try minValue.integer("an instance count", in: 0...Self.maxCount) }
        if let maxValue = fields["max"] { pool.max = try maxValue.integer("an instance count", in: 0...Self.maxCount) }
        if pool.min > pool.max {
            throw fields["min"]!.error("min (\(pool.min)) is above max (\(pool.max))")
        }
        if !(pool.min...pool.max).contains(pool.count) {
            throw (fields["count"] ?? fields.value).error("count (\(pool.count)) is outside min…max (\(pool.min)…\(pool.max))")
        }
    }

    /// `{perHour}`, an AWS Spot Advisor bucket `{awsBucket: "5-10%"}`, or a capacity trace `{trace: file}`; with
    /// `notice` (default 2 minutes, AWS's).
    private func decodeReclaim(_ value: ScenarioValue) throws -> ReclaimSpec {
        let fields = try value.mapping(allowed: ["perHour", "awsBucket", "trace", "notice", "storms", "lostWork"])
        var spec = try decodeReclaimForm(fields, value)
        if let lostWorkValue = fields["lostWork"] {
            guard let lostWork = ReclaimSpec.LostWork(rawValue: try lostWorkValue.string()) else {
                throw lostWorkValue.expected("requeue or fail")
            }
            spec.lostWork = lostWork
        }
        return spec
    }

    private func decodeReclaimForm(_ fields: ScenarioMapping, _ value: ScenarioValue) throws -> ReclaimSpec {
        let notice = try fields["notice"]?.duration(in: Self.nonNegative) ?? 120
        var storms: ReclaimSpec.Storms?
        if let stormsValue = fields["storms"] {
            if fields["trace"] != nil { throw stormsValue.error("a replayed capacity trace already holds every reclaim; drop 'storms'") }
            let stormFields = try stormsValue.mapping(allowed: ["perDay", "fraction"])
            storms = .init(
                perDay: try stormFields.required("perDay", "storms per day, e.g. 0.1").number("a mean count", in: 0...10_000),
                fraction: try stormFields.required("fraction", "the share of the pool taken, e.g. 50%").fraction(in: 1e-6...1))
        }
        let forms = storms == nil ? ["perHour", "awsBucket", "trace"] : ["perHour", "awsBucket"]
        if storms != nil && fields["perHour"] == nil && fields["awsBucket"] == nil {
            return ReclaimSpec(perHour: 0, noticeSeconds: notice, storms: storms)
        }
        switch try fields.oneOf(forms, "how instances are reclaimed") {
        case ("perHour", let rate):
            return ReclaimSpec(perHour: try rate.number("a non-negative rate per instance-hour", in: 0...1_000),
                               noticeSeconds: notice, storms: storms)
        case ("awsBucket", let bucketValue):
            let bucket = try bucketValue.string()
            guard let monthly = Self.awsInterruptionBuckets[bucket] else {
                throw bucketValue.expected("one of \(Self.awsInterruptionBuckets.keys.sorted().joined(separator: ", "))")
            }
            // A monthly interruption probability p is a constant hazard of −ln(1 − p) per month of 730 hours.
            return ReclaimSpec(perHour: -log(1 - monthly) / 730, noticeSeconds: notice, storms: storms)
        case (_, let traceValue):
            let path = FilePaths.resolve(try traceValue.string(), from: baseDirectory)
            let trace = try CapacityTraceReader.read(path: path, keyPath: traceValue.path)
            return ReclaimSpec(perHour: 0, noticeSeconds: notice, trace: trace)
        }
    }

    /// AWS Spot Instance Advisor's frequency-of-interruption buckets (per month; ../shared/data/README.md), each
    /// taken at its middle (the open-ended top bucket at 25 %).
    static let awsInterruptionBuckets: [String: Double] = [
        "<5%": 0.025, "5-10%": 0.075, "10-15%": 0.125, "15-20%": 0.175, ">20%": 0.25,
    ]

    // MARK: SLO

    private func decodeSLO(_ value: ScenarioValue) throws -> SLOSpec {
        let fields = try value.mapping(allowed: ["e2e", "ttft"])
        guard !fields.entries.isEmpty else { throw value.expected("an objective for e2e or ttft") }
        return SLOSpec(e2e: try fields["e2e"].map(decodeObjective), ttft: try fields["ttft"].map(decodeObjective))
    }

    private func decodeObjective(_ value: ScenarioValue) throws -> SLOSpec.Objective {
        let fields = try value.mapping(allowed: [])
        guard fields.entries.count == 1, let entry = fields.entries.first,
              let percentile = Self.percentile(fromKey: entry.key)
        else { throw value.expected("one percentile with its threshold, e.g. {p99: 2s}") }
        let threshold = try entry.value.duration(in: 1e-6...Self.maxDurationSeconds)
        return SLOSpec.Objective(percentile: percentile, thresholdSeconds: threshold)
    }

    /// `p99` → 0.99, `p999` → 0.999, `p99.9` → 0.999, `p50` → 0.5: the digits are moved behind "0." as text, so
    /// the result is the Double nearest the decimal fraction (99.9 / 100 would be 0.9990000000000001).
    static func percentile(fromKey key: String) -> Double? {
        guard key.hasPrefix("p") else { return nil }
        let text = key.dropFirst()
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
            return nil
        }
        let whole = parts[0]
        let digits: String
        if parts.count == 2 {
            guard whole.count <= 2 else { return nil }
            digits = String(repeating: "0", count: 2 - whole.count) + whole + parts[1]
        } else if whole.count <= 2 {
            digits = whole.count == 1 ? "0" + whole : String(whole)
        } else {
            // p999, p9999: more nines; anything else of three digits or more (p100, p500) is not a percentile.
            guard whole.hasPrefix("99") else { return nil }
            digits = String(whole)
        }
        guard let value = Double("0." + digits), value > 0, value < 1 else { return nil }
        return value
    }
}
