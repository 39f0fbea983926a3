/// The paths requests take through a scenario's deployments: a class enters at its deployment, and routers,
/// cascades and overflows hand requests on.
extension Scenario {
    /// For each deployment, the classes whose requests can reach it, in class order.
    public var classesReaching: [[Int]] {
        let index = Dictionary(uniqueKeysWithValues: deployments.enumerated().map { ($1.name, $0) })
        var reaching = [[Int]](repeating: [], count: deployments.count)
        for (classIndex, requestClass) in traffic.classes.enumerated() {
            guard let entry = index[requestClass.deployment] else { continue }
            var seen: Set<Int> = [entry]
            var pending = [entry]
            while let next = pending.popLast() {
                reaching[next].append(classIndex)
                for name in deployments[next].handsOnTo {
                    if let target = index[name], seen.insert(target).inserted { pending.append(target) }
                }
            }
        }
        return reaching.map { $0.sorted() }
    }

    /// Whether a route or a cascade reads requests' difficulty, which is then drawn for every request.
    public var readsDifficulty: Bool {
        deployments.contains { deployment in
            if case .router(let router) = deployment.kind, router.readsDifficulty { return true }
            if case .difficulty? = deployment.escalation?.rule { return true }
            return false
        }
    }

    /// The first loop of hand-offs (a cascade or overflow that comes back), as names from its start; nil when none.
    public var handOffLoop: [String]? {
        let index = Dictionary(uniqueKeysWithValues: deployments.enumerated().map { ($1.name, $0) })
        var state = [Int](repeating: 0, count: deployments.count)  // 0 unseen, 1 on the current path, 2 done
        var stack: [Int] = []
        func visit(_ node: Int) -> [String]? {
            state[node] = 1
            stack.append(node)
            for name in deployments[node].handsOnTo {
                guard let target = index[name] else { continue }
                if state[target] == 1 {
                    let start = stack.firstIndex(of: target)!
                    return (stack[start...] + [target]).map { deployments[$0].name }
                }
                if state[target] == 0, let loop = visit(target) { return loop }
            }
            stack.removeLast()
            state[node] = 2
            return nil
        }
        for node in deployments.indices where state[node] == 0 {
            if let loop = visit(node) { return loop }
        }
        return nil
    }
}
