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
/// reserved:                           # commitments, as discounts against on demand or hourly prices
///   - {term: 1y, discount: 40%}
///   - {term: 3y, discount: 60%}
/// replications: 5
/// confidence: 95%
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
    }

    /// A commitment sold for a term: billed every hour of it whether used or not, at `pricePerHour` or at
    /// on demand less `discount`.
    public struct Term: Sendable, Equatable {
        public var name: String
        public var discount: Double?
        public var pricePerHour: Double?

        /// The hourly price of one reserved instance of `instance` under this term.
        func price(for instance: InstanceType) -> Double {
            pricePerHour ?? instance.onDemandPerHour * (1 - (discount ?? PoolSpec.defaultReservedDiscount))
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
    public var replications: Int
    /// The one-sided confidence with which each objective must hold.
    public var confidence: Double
    public var maxReplicas: Int
    public var growth: [Double]

    public var deployment: DeploymentSpec { scenario.deployments[deploymentIndex] }
}

/// Reads and checks sizing files; a mistake names the file, the line and the key.
public enum SizingLoader {
    public static func load(path: String) throws -> SizingSpec {
        let root = ScenarioValue(node: try ScenarioLoader.compose(path: path), file: path)
        let fields = try root.mapping(allowed: [
            "name", "scenario", "deployment", "candidates", "reserved", "replications", "confidence", "maxReplicas",
            "growth",
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
        }
        var terms = [SizingSpec.Term(name: "1y", discount: PoolSpec.defaultReservedDiscount)]
        if let reservedValue = fields["reserved"] {
            terms = try reservedValue.list().map(decodeTerm)
        }
        let replications = try fields["replications"]?.integer("a replication count", in: 1...1_000) ?? 5
        let confidence = try fields["confidence"]?.fraction(in: 0.5...0.999) ?? 0.95
        let maxReplicas = try fields["maxReplicas"]?.integer("the largest fleet to try", in: 1...100_000) ?? 256
        let growth = try fields["growth"].map { value in
            try value.list().map { try $0.number("a traffic factor (1.5 is +50 %)", in: 0.01...100) }
        } ?? [1.25, 1.5, 2]
        return SizingSpec(
            name: name, file: path, scenarioPath: scenarioPath, scenario: scenario, deploymentIndex: deploymentIndex,
            candidates: candidates, terms: terms, replications: replications, confidence: confidence,
            maxReplicas: maxReplicas, growth: growth)
    }

    private static func decodeCandidate(_ value: ScenarioValue, base: DeploymentSpec) throws -> SizingSpec.Candidate {
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
        let fields = try value.mapping(allowed: ["term", "discount", "pricePerHour"])
        let name = try fields.required("term", "the commitment's length, e.g. 1y or 3y").string()
        var term = SizingSpec.Term(name: name)
        switch try fields.oneOf(["discount", "pricePerHour"], "the reserved price") {
        case ("discount", let discount): term.discount = try discount.fraction(in: 0...0.99)
        case (_, let price): term.pricePerHour = try price.number("an hourly price in USD", in: 0...1e6)
        }
        return term
    }
}
