import FleetSimKernel

/// Routing: which replica gets a request among those that could take it. With a central queue, it picks which
/// replica with room is told first; with per-replica queues, whose queue a request joins on arrival.
///
/// A router is one file: a type conforming to `Router`, a case of `RoutingPolicy` and its line in `makeRouter`.
/// Candidates come in the order replicas became ready; ties go to the first.
protocol Router {
    mutating func pick(among candidates: [Int], loads: any ReplicaLoads) -> Int?
}

/// What a router may read about replicas.
protocol ReplicaLoads: AnyObject {
    /// Replicas the deployment has had, gone ones included (indices are never reused).
    var replicaCount: Int { get }
    /// Requests queued at the replica or running on it.
    func outstanding(_ replica: Int) -> Int
    /// The share of the replica's capacity its work takes: the larger of its sequences (queued ones included) over
    /// the maximum concurrency and its KV tokens (reserved, and wanted by queued requests) over the KV budget.
    func occupancy(_ replica: Int) -> Double
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
