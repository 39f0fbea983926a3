import FleetSim
import FleetSimKernel
import Foundation

/// Reads `deployments`: each one's instance type, model profile or generic service time, batching, routing, queue,
/// start-up and autoscaler; its pools and placement are the fleet decoder's.
struct DeploymentDecoder {
    let baseDirectory: String
    /// Whether the traffic is synthetic: a predictive autoscaler may then forecast from its rate curve.
    let hasRateCurve: Bool

    func decode(_ value: ScenarioValue) throws -> [DeploymentSpec] {
        let fields = try value.mapping(allowed: [])
        guard !fields.entries.isEmpty else { throw value.expected("at least one deployment") }
        let deployments = try fields.entries.map { entry in
            let name = try ScenarioValue(node: .scalar(.init(entry.key)), path: entry.value.path, file: value.file).name()
            return try decodeDeployment(name: name, entry.value)
        }
        try TierDecoder.checkHandOffs(deployments, values: fields.entries.map(\.value))
        return deployments
    }

    /// Keys every kind of deployment may have.
    private static let commonKeys = ["cache", "escalate", "quality", "promptCache"]

    private func decodeDeployment(name: String, _ value: ScenarioValue) throws -> DeploymentSpec {
        let tiers = TierDecoder(baseDirectory: baseDirectory)
        let kindKeys = try value.mapping(allowed: [])
        var deployment: DeploymentSpec
        if let apiValue = kindKeys["api"] {
            _ = try value.mapping(allowed: ["api"] + Self.commonKeys)
            deployment = DeploymentSpec(name: name, kind: .api(try tiers.decodeAPI(apiValue)))
        } else if let routerValue = kindKeys["router"] {
            _ = try value.mapping(allowed: ["router", "cache", "quality"])
            deployment = DeploymentSpec(name: name, kind: .router(try tiers.decodeRouter(routerValue)))
        } else {
            deployment = try decodeReplicas(name: name, value)
            deployment.overflow = try kindKeys["overflow"].map { try tiers.decodeOverflow($0, queueing: deployment.queueing) }
        }
        deployment.cache = try kindKeys["cache"].map(tiers.decodeCache)
        deployment.escalation = try kindKeys["escalate"].map(tiers.decodeEscalation)
        deployment.quality = try kindKeys["quality"]?.number("a quality score", in: -1e12...1e12)
        deployment.promptCaching = try kindKeys["promptCache"].map(tiers.decodePromptCache) ?? .fromRequests
        return deployment
    }

    private func decodeReplicas(name: String, _ value: ScenarioValue) throws -> DeploymentSpec {
        let fields = try value.mapping(allowed: [
            "instance", "model", "service", "batching", "routing", "queueing", "queue", "pools", "startup", "placement",
            "autoscaler", "drainTimeout", "overflow",
        ] + Self.commonKeys)
        guard fields["instance"] != nil || fields["pools"] != nil else {
            throw value.error("missing 'instance' and 'pools' (a deployment on replicas), 'api' (a per-token API) or 'router'")
        }
        let instance = try decodeInstance(try fields.required("instance", "inline {gpu, gpus, onDemand}"))
        var deployment = DeploymentSpec(
            name: name, instance: instance,
            pools: try FleetDecoder(baseDirectory: baseDirectory).decodePools(try fields.required("pools", "a list of {purchase, count}"), instance: instance))
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
            deployment.placement = try FleetDecoder(baseDirectory: baseDirectory).decodePlacement(placementValue, pools: deployment.pools)
        }
        if let autoscalerValue = fields["autoscaler"] {
            deployment.autoscaler = try AutoscalerDecoder(baseDirectory: baseDirectory, hasRateCurve: hasRateCurve)
                .decode(autoscalerValue)
            if case .hpa(let hpa) = deployment.autoscaler!.policy, hpa.minReplicas > 0, deployment.replicaCount == 0 {
                throw autoscalerValue.error("an HPA leaves a deployment at 0 replicas alone (Kubernetes disables scaling "
                    + "for a target scaled to zero); give the pools at least one instance; to scale from zero use 'queue', or minReplicas 0 with an External metric")
            }
        } else if let managed = deployment.pools.firstIndex(where: { $0.isManaged && ($0.max != Int.max || $0.min != 0) }) {
            throw try fields.required("pools", "").list()[managed].error(
                "pool bounds (min, max) are for an autoscaler; this deployment has none, so each pool keeps its count")
        }
        deployment.drainTimeoutSeconds = try fields["drainTimeout"]?.duration(in: ScenarioDecoder.nonNegative) ?? 30
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
        guard seconds <= ScenarioDecoder.maxDurationSeconds else {
            throw value.error("loading \(try sizeValue.string()) at \(try bandwidthValue.string()) takes "
                + "\(Quantities.format(seconds: seconds)), more than the longest run (366d); check the units")
        }
        return .constant(seconds)
    }

    /// `{order: [spot, onDemand]}` (purchase options, each meaning its managed pools in scenario order) or
    /// `{onDemandBase: 2, onDemandAboveBase: 20%}` (EC2's mixed-instances rule).
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
                baseSeconds: try stepFields.required("base", "the step time of an empty batch").duration(in: ScenarioDecoder.nonNegative),
                perSequenceSeconds: try stepFields.required("perSequence", "the step time each sequence adds")
                    .duration(in: ScenarioDecoder.nonNegative))
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
            prefillBaseSeconds: try fields["prefillBase"]?.duration(in: ScenarioDecoder.nonNegative) ?? 0,
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
        let perItem = try fields["perItem"]?.duration(in: ScenarioDecoder.nonNegative) ?? 0
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
        let timeout = try fields["timeout"]?.duration(in: 1e-6...ScenarioDecoder.maxDurationSeconds)
        return QueueSpec(capacity: capacity, timeoutSeconds: timeout)
    }
}
