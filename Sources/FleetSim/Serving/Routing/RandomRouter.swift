import FleetSimKernel

/// A uniformly random candidate.
struct RandomRouter: Router {
    let stream: RandomStream

    func pick(among candidates: [Int], loads: any ReplicaLoads) -> Int? {
        guard !candidates.isEmpty else { return nil }
        return candidates[stream.index(below: candidates.count)]
    }
}
