import FleetSimKernel

/// One served model: what it runs on, how it serves, and the pools of instances that carry its replicas.
public struct DeploymentSpec: Sendable, Equatable {
    public var name: String
    public var instance: InstanceType
    /// The generic service model, used when there is no `profile`.
    public var service: ServiceSpec
    /// The LLM model: prefill and decode speeds. When set, service times come from token counts.
    public var profile: PerformanceProfile?
    /// The catalog id the profile came from, if any (kept so the resolved scenario names it).
    public var profileID: String?
    public var batching: BatchingSpec
    public var routing: RoutingPolicy
    public var queueing: Queueing
    public var queue: QueueSpec
    public var pools: [PoolSpec]
    /// How long a replacement replica takes to start serving.
    public var startup: StartupSpec
    /// Which pool a new replica goes to.
    public var placement: PlacementSpec
    /// nil: a fixed fleet (each pool keeps its count; reclaimed spot instances are replaced).
    public var autoscaler: AutoscalerSpec?
    /// How long a replica removed by scale-in may finish its work before it is terminated (Kubernetes'
    /// terminationGracePeriodSeconds, 30 s by default); work still running then is lost and queued again.
    public var drainTimeoutSeconds: Double

    public init(
        name: String,
        instance: InstanceType,
        service: ServiceSpec = ServiceSpec(time: .constant(0)),
        profile: PerformanceProfile? = nil,
        profileID: String? = nil,
        batching: BatchingSpec = .unbatched,
        routing: RoutingPolicy = .leastOutstanding,
        queueing: Queueing = .central,
        queue: QueueSpec = QueueSpec(),
        pools: [PoolSpec],
        startup: StartupSpec = StartupSpec(),
        placement: PlacementSpec = .ordered([]),
        autoscaler: AutoscalerSpec? = nil,
        drainTimeoutSeconds: Double = 30
    ) {
        self.placement = placement
        self.autoscaler = autoscaler
        self.drainTimeoutSeconds = drainTimeoutSeconds
        self.startup = startup
        self.name = name
        self.instance = instance
        self.service = service
        self.profile = profile
        self.profileID = profileID
        self.batching = batching
        self.routing = routing
        self.queueing = queueing
        self.queue = queue
        self.pools = pools
    }

    /// Replicas of a fixed fleet: every pool's count, one replica per instance.
    public var replicaCount: Int { pools.reduce(0) { $0 + $1.count } }
}
