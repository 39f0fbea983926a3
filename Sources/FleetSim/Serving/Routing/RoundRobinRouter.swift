/// Each replica in turn, by index, skipping those that are not candidates.
struct RoundRobinRouter: Router {
    private var next = 0

    mutating func pick(among candidates: [RouteCandidate], replicaCount count: Int) -> Int? {
        guard !candidates.isEmpty else { return nil }
        for offset in 0..<count {
            let replica = (next + offset) % count
            if candidates.contains(where: { $0.replica == replica }) {
                next = (replica + 1) % count
                return replica
            }
        }
        return nil
    }
}
