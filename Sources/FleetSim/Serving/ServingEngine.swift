/// Serving: how a deployment's replicas take and answer requests — where requests wait (a central queue with
/// capacity and client timeout, or a queue per replica with a router), when a replica takes them, how long they take.
///
/// Two engines implement it: `WindowBatching` (a batch at a time from the central queue) and `ContinuousBatching`
/// (iteration-level, vLLM-style). An engine owns its queues and each replica's serving state; the fleet says which
/// replicas exist and which take work, and the deployment tells the engine when that changes.
protocol ServingEngine: AnyObject {
    /// Requests waiting in the central queue.
    var centralQueueLength: Int { get }
    /// Requests waiting in replicas' own queues (per-replica queueing).
    var queuedAtReplicas: Int { get }
    /// Requests being served.
    var inService: Int { get }
    /// Replicas serving a batch or at least one sequence.
    var busyReplicas: Int { get }
    /// When the oldest request in the central queue arrived (nil when it is empty).
    var oldestWaitingArrival: Double? { get }
    /// The three counts above, read before every event in one call.
    var load: ServingLoad { get }
    /// Requests that arrived and have not ended: queued or in service.
    var requestsInFlight: Int { get }
    /// The deployment's arrivals by `now`, for rates measured at scrapes, given those `counted` so far.
    func arrivalsSoFar(counted: Int, now: Double) -> Double
    /// What a scrape reads of the whole deployment: requests in the central queue, queued anywhere, in flight.
    func totalsRead() -> (centralQueue: Double, queued: Double, inFlight: Double)
    /// What a scrape reads of the requests on one replica.
    func heldRead(_ replica: Int) -> Double

    /// Gives the replica the fleet has just added (starting) its serving state; replicas are added in index order.
    func addReplica()
    func arrive(_ request: Request)
    /// A starting replica is ready: it takes work, and requests held for want of a replica are routed.
    func replicaReady(_ replica: Int)
    /// A ready replica drains: it takes nothing new.
    func stopTaking(_ replica: Int)
    /// Requests waiting at `replica` go to other replicas (per-replica queueing).
    func reroute(from replica: Int)
    /// `replica`'s instance is gone: the requests it was serving, to be queued again or failed.
    func evict(_ replica: Int) -> [Request]
    /// Requests lost with an instance are queued again, ahead of later arrivals since they arrived earlier.
    func requeue(_ requests: [Request])
    /// One of the engine's timers; returns a draining replica that has just become idle, which can end now.
    func handle(kind: UInt8, slot: Int, epoch: UInt32) -> Int?
    func isBusy(_ replica: Int) -> Bool
    /// Requests on the replica: queued at it or being served.
    func held(_ replica: Int) -> Int
    /// Requests waiting in the replica's own queue.
    func ownQueueLength(_ replica: Int) -> Int
    /// The replica's load (the utilization metric) integrated since the previous scrape, which this call marks.
    func scrapeLoad(_ replica: Int, now: Double) -> Double
}

/// Requests waiting (centrally and at replicas) and in service, and replicas busy.
struct ServingLoad {
    var queued: Int
    var inService: Int
    var busy: Int
}

extension ServingEngine {
    var load: ServingLoad {
        ServingLoad(queued: centralQueueLength + queuedAtReplicas, inService: inService, busy: busyReplicas)
    }

    var requestsInFlight: Int {
        let load = self.load
        return load.queued + load.inService
    }

    func arrivalsSoFar(counted: Int, now: Double) -> Double { Double(counted) }

    func totalsRead() -> (centralQueue: Double, queued: Double, inFlight: Double) {
        let load = self.load
        return (Double(centralQueueLength), Double(centralQueueLength + queuedAtReplicas),
                Double(load.queued + load.inService))
    }

    func heldRead(_ replica: Int) -> Double { Double(held(replica)) }
}

/// A replica's load for the utilization metric (decisions.md #32), integrated over time: busy (window batching) or
/// occupancy (continuous batching), as a level that changes only when the replica's work does.
struct LoadMeter {
    var level = 0.0
    var since = 0.0
    var area = 0.0
    var areaAtScrape = 0.0

    mutating func update(level newLevel: Double, now: Double) {
        area += level * (now - since)
        since = now
        level = newLevel
    }

    /// The area since the last scrape, marking this one.
    mutating func scrape() -> Double {
        defer { areaAtScrape = area }
        return area - areaAtScrape
    }
}
