import FleetSim
import Yams

/// Replaces each `deployments.<name>.autoscaler.manifest: FILE` by the policy the manifest describes, written as the
/// scenario's own `hpa` (or, for a KEDA ScaledObject, `queue`) tree — before overrides and variants apply, so that
/// every key a manifest sets can be overridden with `--set`, varied by `compare` and swept.
enum ManifestExpansion {
    /// The keys that each name a whole policy; an autoscaler has one.
    static let policyKeys = ["fixed", "hpa", "manifest", "queue", "predictive", "scheduled"]

    /// The document with its manifests expanded, and for each expanded policy tree (by key path) the manifest it
    /// came from: its nodes have no line in the scenario, so an error in them names the manifest. A policy tree
    /// written beside `manifest` in the same file (`hpa: {maxReplicas: 30}`) is laid over the manifest's; with
    /// `replacing` (a manifest named by `--set`), the manifest replaces every other policy key instead.
    static func expand(_ document: Node, file: String, replacing: Bool = false) throws -> (document: Node, sources: [String: String]) {
        guard var root = document.mapping, var deployments = root["deployments"]?.mapping else { return (document, [:]) }
        var sources: [String: String] = [:]
        for (nameNode, deploymentNode) in deployments {
            guard let name = nameNode.string, var deployment = deploymentNode.mapping,
                  var autoscaler = deployment["autoscaler"]?.mapping, let reference = autoscaler["manifest"] else { continue }
            let value = ScenarioValue(node: reference, path: "deployments.\(name).autoscaler.manifest", file: file)
            let path = try value.existingFile(from: FilePaths.directory(of: file))
            let policy = try HPAManifest.read(path: path, from: value, deployment: name)
            let (key, tree) = ScenarioEncoder.policy(policy)
            sources["deployments.\(name).autoscaler.\(key)"] = path
            autoscaler["manifest"] = nil
            if replacing {
                for other in policyKeys { autoscaler[Node(other)] = nil }
            }
            autoscaler[key] = autoscaler[key].map { ScenarioLoader.merge($0, into: tree) } ?? tree
            deployment["autoscaler"] = .mapping(autoscaler)
            deployments[nameNode] = .mapping(deployment)
        }
        root["deployments"] = .mapping(deployments)
        return (.mapping(root), sources)
    }

    /// A variant laid over a base, both expanded: where the variant names a policy — from a manifest, or another
    /// kind than the base's — it replaces the base's policy; the same kind written out merges key by key.
    static func overlay(_ top: Node, sources: [String: String], on base: Node) -> Node {
        guard var root = base.mapping, var deployments = root["deployments"]?.mapping,
              let topDeployments = top.mapping?["deployments"]?.mapping else { return ScenarioLoader.merge(top, into: base) }
        for (nameNode, topDeployment) in topDeployments {
            guard let name = nameNode.string,
                  let topKeys = topDeployment.mapping?["autoscaler"]?.mapping?.keys.compactMap({ $0.string }),
                  let policy = topKeys.first(where: { policyKeys.contains($0) }),
                  var deployment = deployments[nameNode]?.mapping, var autoscaler = deployment["autoscaler"]?.mapping
            else { continue }
            let baseKeys = Array(autoscaler.keys.compactMap({ $0.string }).filter { policyKeys.contains($0) })
            if sources["deployments.\(name).autoscaler.\(policy)"] != nil || baseKeys != [policy] {
                for key in baseKeys { autoscaler[Node(key)] = nil }
                deployment["autoscaler"] = .mapping(autoscaler)
                deployments[nameNode] = .mapping(deployment)
            }
        }
        root["deployments"] = .mapping(deployments)
        return ScenarioLoader.merge(top, into: .mapping(root))
    }
}
