/// What the analytic engine models, and what it refuses rather than approximate silently (docs/analytic.md).
public enum AnalyticScope {
    /// A part of a scenario the analytic engine does not model: where it is, and what it is.
    public struct Gap: Sendable, Equatable {
        public var keyPath: String
        public var message: String
    }

    /// The first part of `scenario` the analytic engine cannot compute, or nil when it can compute all of it.
    public static func gap(in scenario: Scenario) -> Gap? {
        let traffic = scenario.traffic
        if traffic.trace != nil {
            return Gap(keyPath: "traffic.trace", message: "a replayed trace (the analytic engine needs a rate curve)")
        }
        if let index = traffic.classes.firstIndex(where: { $0.promptCacheShare != nil }) {
            return Gap(keyPath: "traffic.classes.\(traffic.classes[index].name).promptCache", message: "a prompt cache share")
        }
        let reaching = scenario.classesReaching
        for (index, deployment) in scenario.deployments.enumerated() {
            let path = "deployments.\(deployment.name)"
            guard deployment.isReplicas else {
                return Gap(keyPath: "\(path).kind", message: "a deployment of kind \(deployment.kind.name) (replicas only)")
            }
            if deployment.cache != nil { return Gap(keyPath: "\(path).cache", message: "a response cache") }
            if deployment.escalation != nil { return Gap(keyPath: "\(path).escalation", message: "a cascade") }
            if deployment.overflow != nil { return Gap(keyPath: "\(path).overflow", message: "overflow to another deployment") }
            if deployment.quality != nil { return Gap(keyPath: "\(path).quality", message: "answer quality") }
            if case .share = deployment.promptCaching {
                return Gap(keyPath: "\(path).promptCaching", message: "a prompt cache share")
            }
            if case .window(let window, let maxBatch) = deployment.batching,
               window > 0 || maxBatch > 1 || deployment.profile != nil {
                return Gap(keyPath: "\(path).batching",
                           message: "window batching (continuous batching, or generic service one request at a time)")
            }
            if reaching[index].count > 1 {
                return Gap(keyPath: "traffic.classes",
                           message: "several request classes served by deployment \(deployment.name)")
            }
        }
        return nil
    }
}
