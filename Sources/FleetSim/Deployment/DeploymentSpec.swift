import FleetSimKernel

/// One named stage that requests are sent to: a model served on instances (replicas in pools, with a serving engine
/// and an autoscaler), a per-token API, or a router in front of other deployments (`kind`). The fields from
/// `instance` to `drainTimeoutSeconds` describe the replicas and are unused by the other kinds.
public struct DeploymentSpec: Sendable, Equatable {
    public var name: String
    public var kind: DeploymentKind = .replicas
    /// A response cache in front of the deployment: hits are answered without reaching it.
    public var cache: CacheSpec?
    /// A cascade: answers the deployment gives are sent on to a larger tier when the rule says so.
    public var escalation: EscalationSpec?
    /// Hybrid serving: arrivals go to another deployment (an API) while the replicas' queue or capacity says so.
    public var overflow: OverflowSpec?
    /// The user's quality proxy for this tier's answers (a benchmark score); the run reports its request-weighted mean.
    public var quality: Double?
    /// How much of each prompt a prefix (KV) cache serves: it is not prefilled on replicas, and an API bills it at its
    /// cached-input price.
    public var promptCaching = PromptCaching.fromRequests
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

    /// A deployment of another kind; the replica fields keep their defaults.
    public init(name: String, kind: DeploymentKind) {
        self.init(name: name, instance: .none, pools: [])
        self.kind = kind
    }

    /// Whether it is served on replicas (the fields from `instance` on apply).
    public var isReplicas: Bool { if case .replicas = kind { true } else { false } }

    /// The deployments it may send requests to: a router's tiers, a cascade's next tier, an overflow's target.
    public var handsOnTo: [String] {
        var names: [String] = []
        if case .router(let router) = kind { names += router.rules.flatMap { $0.targets.map(\.name) } }
        if let escalation { names.append(escalation.to) }
        if let overflow { names.append(overflow.to) }
        return names
    }

    /// Replicas of a fixed fleet: every pool's count, one replica per instance.
    public var replicaCount: Int { pools.reduce(0) { $0 + $1.count } }
}
