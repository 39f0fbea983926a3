import FleetSimKernel

/// The less loaded (fewer outstanding requests) of two distinct candidates drawn at random: "the power of two
/// choices" (Mitzenmacher), most of least-outstanding's benefit without looking at every replica.
struct PowerOfTwoRouter: Router {
    let stream: RandomStream

    func pick(among candidates: [RouteCandidate], replicaCount: Int) -> Int? {
        guard !candidates.isEmpty else { return nil }
        guard candidates.count > 1 else { return candidates[0].replica }
        let first = stream.index(below: candidates.count)
        var second = stream.index(below: candidates.count - 1)
        if second >= first { second += 1 }
        let a = candidates[first], b = candidates[second]
        return b.outstanding < a.outstanding ? b.replica : a.replica
    }
}
