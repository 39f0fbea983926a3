/// The replica with the fewest requests queued at it or running on it.
struct LeastOutstandingRouter: Router {
    func pick(among candidates: [RouteCandidate], replicaCount: Int) -> Int? {
        candidates.min { $0.outstanding < $1.outstanding }?.replica
    }
}
