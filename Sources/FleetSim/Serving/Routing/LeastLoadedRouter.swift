/// The replica whose capacity is least taken, weighing KV memory as well as the number of sequences: a replica with
/// one long conversation holds more of its KV cache than one with three short questions, and admits less.
/// Occupancy ties go to fewer outstanding requests, then to the first candidate.
struct LeastLoadedRouter: Router {
    var weighsOccupancy: Bool { true }

    func pick(among candidates: [RouteCandidate], replicaCount: Int) -> Int? {
        candidates.min { ($0.occupancy, $0.outstanding) < ($1.occupancy, $1.outstanding) }?.replica
    }
}
