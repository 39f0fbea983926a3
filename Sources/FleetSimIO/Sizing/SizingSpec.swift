import FleetSim
import Foundation

/// A sizing file: the traffic to plan for (a base scenario and its SLO), the instance types to consider, the
/// commitments on offer, and how sure the answer must be.
///
/// ```yaml
/// name: llama70b
/// scenario: ../llama70b-week.yaml     # the traffic, the SLO and the deployment to size
/// deployment: chat                    # optional when the scenario has one replica deployment
/// candidates:                         # default: the deployment's own instance and model
///   - {instance: aws/p5.48xlarge, model: llama2-70b/h100x8}
///   - {instance: aws/p4de.24xlarge, model: llama2-70b/a100x8}
///   - mix:                            # two types side by side behind a router balancing by free capacity
///       - {instance: aws/p5.48xlarge, model: llama2-70b/h100x8}
///       - {instance: aws/p4de.24xlarge, model: llama2-70b/a100x8}
/// reserved:                           # commitments, as discounts against on demand or hourly prices
///   - {term: 1y, discount: 40%}
///   - {term: 3y, discount: 60%, upfront: all}
/// savingsPlans:                       # hourly spend commitments over on-demand usage
///   - {term: 1y, discount: 28%}
/// spot: {availability: 10-15%}        # optional: consider spot, in this Spot Advisor bucket
/// tune: {target: [50%, 60%, 70%]}     # optional: HPA targets to try for an autoscaled deployment
/// replications: 5
/// confidence: 95%
/// perWindow: 99%                      # optional: each objective in 99 % of windows, not over all requests
/// maxReplicas: 200
/// growth: [1.25, 1.5, 2]
/// ```
public struct SizingSpec: Sendable {
    public struct Candidate: Sendable, Equatable {
        /// The catalog id, or a description of the base's own instance.
        public var label: String
        public var instance: InstanceType
        public var profile: PerformanceProfile?
        public var profileID: String?
        /// A mix: the two instance types that serve side by side, each a tier of its own behind a router that
        /// balances by free capacity (`instance` and `profile` are then the first's); empty for one type.
        public var members: [Candidate] = []
        public var isMix: Bool { !members.isEmpty }
    }

    /// A commitment sold for a term: billed every hour of it whether used or not, at `pricePerHour` or at
    /// on demand less `discount`.
    public struct Term: Sendable, Equatable {
        public var name: String
        public var discount: Double?
        public var pricePerHour: Double?
        /// The share of the term's price paid at purchase (AWS: none, partial about half, all); the hourly price
        /// is the whole term's price spread over its hours either way.
        public var upfrontShare = 0.0
        /// The term's length in hours (1y is 8,760).
        public var hours = 8_760.0

        /// The hourly price of one reserved instance of `instance` under this term.
        func price(for instance: InstanceType) -> Double {
            pricePerHour ?? instance.onDemandPerHour * (1 - (discount ?? PoolSpec.defaultReservedDiscount))
        }
    }

    /// A savings plan: an hourly commitment at `discount` off on-demand prices, charged every hour whether used or
    /// not; each hour's on-demand usage is covered by it first (docs/sizing.md).
    public struct SavingsPlan: Sendable, Equatable {
        public var name: String
        public var discount: Double
        public var hours = 8_760.0
        public var upfrontShare = 0.0
    }

    /// Spot capacity to consider: its price, its availability (a Spot Advisor bucket), and how much of the fleet may
    /// rest on it.
    public struct Spot: Sendable, Equatable {
        public var availability: SpotAvailability
        /// The bucket the sensitivity rerun assumes; nil when `availability` is already the worst.
        public var sensitivity: SpotAvailability?
        public var discount: Double?
        public var pricePerHour: Double?
        public var noticeSeconds: Double
        /// The largest share of the fleet's peak that may be spot.
        public var maxShare: Double

        /// The spot price of `instance`: given, as a discount, or the catalog's; nil when none is known.
        func price(for instance: InstanceType) -> Double? {
            pricePerHour ?? discount.map { instance.onDemandPerHour * (1 - $0) } ?? instance.spotPerHour
        }

        /// A spot pool of `min`…`max` instances (`count` at the start) in `bucket`.
        func pool(count: Int, min: Int, max: Int, price: Double, bucket: SpotAvailability) -> PoolSpec {
            PoolSpec(purchase: .spot, count: count, pricePerHour: price,
                     reclaim: bucket.reclaim(noticeSeconds: noticeSeconds), min: min, max: max,
                     acquisition: bucket.acquisition)
        }
    }

    public var name: String
    public var file: String
    public var scenarioPath: String
    public var scenario: Scenario
    /// The index of the deployment being sized in `scenario.deployments`.
    public var deploymentIndex: Int
    public var candidates: [Candidate]
    public var terms: [Term]
    public var savingsPlans: [SavingsPlan]
    public var spot: Spot?
    /// Targets to try for the first metric of the deployment's HPA (fractions for utilization); empty: its own.
    public var targets: [Double]
    public var replications: Int
    /// The one-sided confidence with which each objective must hold.
    public var confidence: Double
    /// When set, each objective must hold in this share of timeline windows ("p99 TTFT ≤ 2 s in 99 % of windows")
    /// instead of over all requests.
    public var perWindow: Double?
    public var maxReplicas: Int
    public var growth: [Double]
    /// Whether the capacity search is bracketed with the analytic engine first (`size --engine analytic`); every
    /// fleet is still judged by the discrete-event engine.
    public var prunesAnalytically = false

    public var deployment: DeploymentSpec { scenario.deployments[deploymentIndex] }
}

/// Reads and checks sizing files; a mistake names the file, the line and the key.
public enum SizingLoader {
    public static func load(path: String) throws -> SizingSpec {
        let root = ScenarioValue(node: try ScenarioLoader.compose(path: path), file: path)
        let fields = try root.mapping(allowed: [
            "name", "scenario", "deployment", "candidates", "reserved", "savingsPlans", "spot", "tune", "replications",
            "confidence", "perWindow", "maxReplicas", "growth",
        ])
        let name = try fields["name"]?.name()
            ?? ScenarioDecoder.sanitizedName(URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
        let scenarioValue = try fields.required("scenario", "the scenario whose traffic and SLO the fleet is sized for")
        let scenarioPath = FilePaths.resolve(try scenarioValue.string(), from: FilePaths.directory(of: path))
        let scenario: Scenario
        do {
            scenario = try ScenarioLoader.load(path: scenarioPath)
        } catch let error as ScenarioError where error.message == "no such file" {
            throw scenarioValue.error("no such scenario file: \(scenarioPath)")
        }
        guard scenario.slo?.e2e != nil || scenario.slo?.ttft != nil else {
            throw scenarioValue.error("\(scenarioPath) has no slo: a fleet is sized to meet one (e.g. slo: {ttft: {p99: 2s}})")
        }
        let replicaDeployments = scenario.deployments.indices.filter { scenario.deployments[$0].kind == .replicas }
        let deploymentIndex: Int
        if let deploymentValue = fields["deployment"] {
            let wanted = try deploymentValue.name()
            let names = replicaDeployments.map { scenario.deployments[$0].name }
            guard let index = replicaDeployments.first(where: { scenario.deployments[$0].name == wanted }) else {
                throw deploymentValue.error("no replica deployment '\(wanted)' in \(scenarioPath)"
                    + Suggestions.didYouMean(wanted, among: names) + " (replica deployments: \(names.joined(separator: ", ")))")
            }
            deploymentIndex = index
        } else {
            guard replicaDeployments.count == 1 else {
                throw root.error("\(scenarioPath) has \(replicaDeployments.count) replica deployments; "
                    + "name the one to size with deployment: …")
            }
            deploymentIndex = replicaDeployments[0]
        }
        let base = scenario.deployments[deploymentIndex]
        var candidates = [SizingSpec.Candidate(
            label: base.instance.name ?? "\(base.instance.gpus)× \(base.instance.gpu)", instance: base.instance,
            profile: base.profile, profileID: base.profileID)]
        if let candidatesValue = fields["candidates"] {
            let items = try candidatesValue.list()
            guard !items.isEmpty else { throw candidatesValue.expected("at least one {instance, model}") }
            candidates = try items.map { try decodeCandidate($0, base: base) }
            if let mix = items.first(where: { (try? $0.mapping(allowed: []))?["mix"] != nil }) {
                let others = scenario.deployments.map(\.name).filter { $0 != base.name }
                guard others.isEmpty else {
                    throw mix.error("a mix puts a router and a tier per instance type in the place of '\(base.name)' "
                        + "and judges the objectives over every request, so the scenario must have that deployment "
                        + "alone; it also has \(others.joined(separator: ", "))")
                }
                if let perWindowValue = fields["perWindow"] {
                    throw perWindowValue.error("perWindow cannot judge a mix (a router's windows hold no latencies); "
                        + "leave it out, or size the mix's instance types one by one")
                }
            }
        }
        var terms = [SizingSpec.Term(name: "1y", discount: PoolSpec.defaultReservedDiscount)]
        if let reservedValue = fields["reserved"] {
            terms = try reservedValue.list().map(decodeTerm)
        }
        let savingsPlans = try fields["savingsPlans"]?.list().map(decodeSavingsPlan) ?? []
        let spot = try fields["spot"].map(decodeSpot)
        let targets = try fields["tune"].map { try decodeTargets($0, deployment: base) } ?? []
        let replications = try fields["replications"]?.integer("a replication count", in: 1...1_000) ?? 5
        let confidence = try fields["confidence"]?.fraction(in: 0.5...0.999) ?? 0.95
        let perWindow = try fields["perWindow"].map { value in
            let share = try value.fraction(in: 0.01...1)
            for (name, objective) in [("e2e", scenario.slo?.e2e), ("ttft", scenario.slo?.ttft)] {
                guard let objective else { continue }
                guard SizingSearch.WindowsObserved.windowPercentiles.contains(where: { abs($0 - objective.percentile) < 1e-9 }) else {
                    throw value.error("the timeline keeps p50, p90, p95, p99 and p99.9 per window; the slo's \(name) "
                        + "objective is p\(Quantities.shortest(objective.percentile * 100))")
                }
            }
            return share
        }
        let maxReplicas = try fields["maxReplicas"]?.integer("the largest fleet to try", in: 1...100_000) ?? 256
        let growth = try fields["growth"].map { value in
            try value.list().map { try $0.number("a traffic factor (1.5 is +50 %)", in: 0.01...100) }
        } ?? [1.25, 1.5, 2]
        return SizingSpec(
            name: name, file: path, scenarioPath: scenarioPath, scenario: scenario, deploymentIndex: deploymentIndex,
            candidates: candidates, terms: terms, savingsPlans: savingsPlans, spot: spot, targets: targets,
            replications: replications, confidence: confidence, perWindow: perWindow,
            maxReplicas: maxReplicas, growth: growth)
    }

    private static func decodeCandidate(_ value: ScenarioValue, base: DeploymentSpec) throws -> SizingSpec.Candidate {
        guard let mixValue = (try? value.mapping(allowed: []))?["mix"] else { return try decodeType(value, base: base) }
        _ = try value.mapping(allowed: ["mix"])
        let items = try mixValue.list()
        guard items.count == 2 else {
            throw mixValue.expected("two {instance, model} to serve side by side (found \(items.count))")
        }
        let members = try items.map { try decodeType($0, base: base) }
        guard members[0] != members[1] else { throw items[1].error("the same instance and model twice: a mix needs two") }
        var mix = members[0]
        mix.label = "mix of \(members[0].label) and \(members[1].label)"
        mix.members = members
        return mix
    }

    /// One instance type with the profile it runs.
    private static func decodeType(_ value: ScenarioValue, base: DeploymentSpec) throws -> SizingSpec.Candidate {
        let fields = try value.mapping(allowed: ["instance", "model"])
        let instanceValue = try fields.required("instance", "a catalog instance (e.g. aws/p5.48xlarge)")
        let id = try instanceValue.string()
        guard let instance = InstanceCatalog.instance(named: id) else {
            let ids = InstanceCatalog.all.compactMap(\.name)
            throw instanceValue.error("unknown instance '\(id)'" + Suggestions.didYouMean(id, among: ids)
                + " (see `fleetsim catalog`)")
        }
        var candidate = SizingSpec.Candidate(label: id, instance: instance, profile: base.profile, profileID: base.profileID)
        if let modelValue = fields["model"] {
            let profileID = try modelValue.string()
            guard let entry = ProfileCatalog.entry(id: profileID) else {
                let ids = ProfileCatalog.entries.map(\.id)
                throw modelValue.error("unknown profile '\(profileID)'" + Suggestions.didYouMean(profileID, among: ids)
                    + " (see `fleetsim catalog`)")
            }
            candidate.profile = entry.profile
            candidate.profileID = profileID
            candidate.label += " + \(profileID)"
        } else if base.profile != nil {
            throw value.error("the deployment serves an LLM profile; give the profile this instance runs (model: …)")
        }
        return candidate
    }

    private static func decodeTerm(_ value: ScenarioValue) throws -> SizingSpec.Term {
        let fields = try value.mapping(allowed: ["term", "discount", "pricePerHour", "upfront"])
        let (name, hours) = try termLength(fields)
        var term = SizingSpec.Term(name: name, hours: hours)
        switch try fields.oneOf(["discount", "pricePerHour"], "the reserved price") {
        case ("discount", let discount): term.discount = try discount.fraction(in: 0...0.99)
        case (_, let price): term.pricePerHour = try price.number("an hourly price in USD", in: 0...1e6)
        }
        term.upfrontShare = try fields["upfront"].map(upfront) ?? 0
        return term
    }

    private static func decodeSavingsPlan(_ value: ScenarioValue) throws -> SizingSpec.SavingsPlan {
        let fields = try value.mapping(allowed: ["term", "discount", "upfront"])
        let (name, hours) = try termLength(fields)
        let discount = try fields.required("discount", "the plan's discount against on demand, e.g. 28%")
        return SizingSpec.SavingsPlan(name: name, discount: try discount.fraction(in: 0.001...0.99), hours: hours,
                                      upfrontShare: try fields["upfront"].map(upfront) ?? 0)
    }

    /// A commitment's `term`: years (`1y`, `3y`) or any duration.
    private static func termLength(_ fields: ScenarioMapping) throws -> (String, Double) {
        let value = try fields.required("term", "the commitment's length, e.g. 1y or 3y")
        let name = try value.string()
        if name.hasSuffix("y"), let years = Double(name.dropLast()), years > 0, years <= 10 {
            return (name, years * 8_760)
        }
        guard let seconds = try? value.duration(in: 3_600...(10 * 8_760 * 3_600)) else {
            throw value.expected("a term in years (1y, 3y) or a duration of at least an hour")
        }
        return (name, seconds / 3_600)
    }

    /// `none`, `partial` (half), `all`, or a share.
    private static func upfront(_ value: ScenarioValue) throws -> Double {
        switch try? value.string() {
        case "none": return 0
        case "partial": return 0.5
        case "all": return 1
        default:
            guard let share = try? value.fraction(in: 0...1) else {
                throw value.expected("none, partial, all, or the share paid upfront (e.g. 50%)")
            }
            return share
        }
    }

    private static func decodeSpot(_ value: ScenarioValue) throws -> SizingSpec.Spot {
        let fields = try value.mapping(allowed: ["availability", "sensitivity", "discount", "pricePerHour", "notice",
                                                 "maxShare"])
        func bucket(_ value: ScenarioValue) throws -> SpotAvailability {
            let label = try value.string()
            guard let bucket = SpotAvailability(label: label) else {
                throw value.expected("a Spot Advisor frequency-of-interruption bucket: "
                    + SpotAvailability.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return bucket
        }
        // The worst bucket unless the user knows better: the answer must not rest on optimism.
        let availability = try fields["availability"].map(bucket) ?? .over20
        var spot = SizingSpec.Spot(
            availability: availability, sensitivity: try fields["sensitivity"].map(bucket) ?? availability.worse,
            noticeSeconds: try fields["notice"]?.duration(in: 0...3_600) ?? 120,
            maxShare: try fields["maxShare"]?.fraction(in: 0...1) ?? 0.5)
        if fields["discount"] != nil || fields["pricePerHour"] != nil {
            switch try fields.oneOf(["discount", "pricePerHour"], "the spot price") {
            case ("discount", let discount): spot.discount = try discount.fraction(in: 0...0.99)
            case (_, let price): spot.pricePerHour = try price.number("an hourly price in USD", in: 0...1e6)
            }
        }
        return spot
    }

    /// `tune: {target: [...]}`: targets for the first metric of the deployment's HPA.
    private static func decodeTargets(_ value: ScenarioValue, deployment: DeploymentSpec) throws -> [Double] {
        let fields = try value.mapping(allowed: ["target"])
        let targetsValue = try fields.required("target", "HPA targets to try, e.g. [50%, 60%, 70%]")
        guard case .hpa(let hpa)? = deployment.autoscaler?.policy, let metric = hpa.metrics.first else {
            throw targetsValue.error("deployment '\(deployment.name)' has no HPA to tune (autoscaler: {hpa: …})")
        }
        let targets = try targetsValue.list().map { item in
            metric.metric == .utilization
                ? try item.fraction(in: 0.01...1) : try item.number("a target value per replica", in: 1e-9...1e12)
        }
        guard !targets.isEmpty else { throw targetsValue.expected("at least one target") }
        return targets
    }
}
