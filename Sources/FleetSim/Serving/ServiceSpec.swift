import FleetSimKernel

/// How long a replica takes to serve a batch in the generic (non-LLM) service mode.
///
/// A batch of n requests takes `time` (one draw per batch) plus `perItemSeconds × n`. With batches of one and
/// `perItemSeconds` 0 a replica is a plain server with service-time distribution `time`: the M/G/c building block
/// the closed-form tests check.
public struct ServiceSpec: Sendable, Equatable {
    public var time: Distribution
    public var perItemSeconds: Double

    public init(time: Distribution, perItemSeconds: Double = 0) {
        self.time = time
        self.perItemSeconds = perItemSeconds
    }
}

/// How queued requests are grouped before a replica starts on them.
public enum BatchingSpec: Sendable, Equatable {
    /// Collect up to `maxBatch` requests, or until `windowSeconds` have passed since the oldest queued request
    /// arrived, whichever comes first; a replica must be idle to take the batch.
    case window(windowSeconds: Double, maxBatch: Int)
    /// Iteration-level scheduling (vLLM-style): requests join a replica's running batch at decode-step boundaries
    /// while its concurrency and KV budget allow, and leave as soon as their last token is out. Needs a
    /// performance profile.
    case continuous

    public static let unbatched = BatchingSpec.window(windowSeconds: 0, maxBatch: 1)
}

/// The deployment's queue: requests beyond `capacity` waiting are rejected; a request still waiting after
/// `timeoutSeconds` gives up (client timeout).
public struct QueueSpec: Sendable, Equatable {
    public var capacity: Int?
    public var timeoutSeconds: Double?

    public init(capacity: Int? = nil, timeoutSeconds: Double? = nil) {
        self.capacity = capacity
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Which replica an arriving request is sent to, among the ready replicas.
public enum RoutingPolicy: String, Sendable, Equatable, CaseIterable {
    /// The replica with the fewest requests queued at it or running on it (ties: the first to become ready).
    case leastOutstanding
    /// The replica whose capacity is least taken, weighing its KV tokens against the KV budget as well as its
    /// sequences against the maximum concurrency.
    case leastLoaded
    /// Each replica in turn.
    case roundRobin
    /// A uniformly random replica.
    case random
    /// The less loaded of two distinct replicas drawn at random ("power of two choices").
    case powerOfTwo
}

/// Where requests wait for a replica.
public enum Queueing: String, Sendable, Equatable, CaseIterable {
    /// One queue per deployment; a replica with room takes the oldest request. The router only picks which of the
    /// replicas with room is told first.
    case central
    /// Each request is routed on arrival to one replica and waits in that replica's own queue.
    case perReplica
}
