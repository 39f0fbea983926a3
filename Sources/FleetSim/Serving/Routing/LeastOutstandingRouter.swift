/// The replica with the fewest requests queued at it or running on it.
struct LeastOutstandingRouter: Router {
    func pick(among candidates: [Int], loads: any ReplicaLoads) -> Int? {
        candidates.min { loads.outstanding($0) < loads.outstanding($1) }
    }
}
