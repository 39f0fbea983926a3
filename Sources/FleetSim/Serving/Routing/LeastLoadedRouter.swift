/// The replica whose capacity is least taken, weighing KV memory as well as the number of sequences: a replica with
/// one long conversation holds more of its KV cache than one with three short questions, and admits less.
/// Occupancy ties go to fewer outstanding requests, then to the first candidate.
struct LeastLoadedRouter: Router {
    func pick(among candidates: [Int], loads: any ReplicaLoads) -> Int? {
        candidates.min { (loads.occupancy($0), loads.outstanding($0)) < (loads.occupancy($1), loads.outstanding($1)) }
    }
}
