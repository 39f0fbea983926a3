import FleetSimKernel

/// A uniformly random candidate.
struct RandomRouter: Router {
    let stream: RandomStream

    func pick(among candidates: [RouteCandidate], replicaCount: Int) -> Int? {
        guard !candidates.isEmpty else { return nil }
        return candidates[stream.index(below: candidates.count)].replica
    }
}
