import FleetSim
import Yams

/// Replaces each `deployments.<name>.autoscaler.manifest: FILE` by the policy the manifest describes, written as the
/// scenario's own `hpa` (or, for a KEDA ScaledObject, `queue`) tree — before overrides and variants apply, so that
/// every key a manifest sets can be overridden with `--set`, varied by `compare` and swept. A policy tree given
/// beside `manifest` (a variant's `hpa: {maxReplicas: 30}`) is laid over the manifest's.
enum ManifestExpansion {
    static func expand(_ document: Node, file: String) throws -> Node {
        guard var root = document.mapping, var deployments = root["deployments"]?.mapping else { return document }
        for (nameNode, deploymentNode) in deployments {
            guard let name = nameNode.string, var deployment = deploymentNode.mapping,
                  var autoscaler = deployment["autoscaler"]?.mapping, let reference = autoscaler["manifest"] else { continue }
            let value = ScenarioValue(node: reference, path: "deployments.\(name).autoscaler.manifest", file: file)
            let path = FilePaths.resolve(try value.string(), from: FilePaths.directory(of: file))
            let policy = try HPAManifest.read(path: path, from: value, deployment: name)
            let (key, tree) = ScenarioEncoder.policy(policy)
            autoscaler["manifest"] = nil
            autoscaler[key] = autoscaler[key].map { ScenarioLoader.merge($0, into: tree) } ?? tree
            deployment["autoscaler"] = .mapping(autoscaler)
            deployments[nameNode] = .mapping(deployment)
        }
        root["deployments"] = .mapping(deployments)
        return .mapping(root)
    }
}
