import FleetSimKernel

/// Routing: which replica gets a request among those that could take it. With a central queue, it picks which
/// replica with room is told first; with per-replica queues, whose queue a request joins on arrival.
///
/// A router is one file: a type conforming to `Router`, a case of `RoutingPolicy` and its line in `makeRouter`.
/// Candidates come in the order replicas became ready; ties go to the first.
protocol Router {
    /// Whether the router reads `RouteCandidate.occupancy` (it costs a pass over the replica's queue to compute).
    var weighsOccupancy: Bool { get }
    /// The replica to send the request to, nil when there is no candidate. `replicaCount` counts every replica the
    /// deployment has had (indices are never reused).
    mutating func pick(among candidates: [RouteCandidate], replicaCount: Int) -> Int?
}

extension Router {
    var weighsOccupancy: Bool { false }
}

/// A replica that could take a request, with what routers weigh.
struct RouteCandidate {
    var replica: Int
    /// Requests queued at the replica or running on it.
    var outstanding: Int
    /// The share of the replica's capacity its work takes: the larger of its sequences (queued ones included) over
    /// the maximum concurrency and its KV tokens (reserved, and wanted by queued requests) over the KV budget; 0
    /// unless the router weighs it.
    var occupancy: Double
}

/// The router for `policy`; `stream` is the deployment's routing stream, for routers that draw.
func makeRouter(_ policy: RoutingPolicy, stream: RandomStream) -> any Router {
    switch policy {
    case .leastOutstanding: LeastOutstandingRouter()
    case .leastLoaded: LeastLoadedRouter()
    case .roundRobin: RoundRobinRouter()
    case .random: RandomRouter(stream: stream)
    case .powerOfTwo: PowerOfTwoRouter(stream: stream)
    }
}
