/// One served model: what it runs on, how it serves, and the pools of instances that carry its replicas.
public struct DeploymentSpec: Sendable, Equatable {
    public var name: String
    public var instance: InstanceType
    public var service: ServiceSpec
    public var batching: BatchingSpec
    public var queue: QueueSpec
    public var pools: [PoolSpec]

    public init(
        name: String,
        instance: InstanceType,
        service: ServiceSpec,
        batching: BatchingSpec = .unbatched,
        queue: QueueSpec = QueueSpec(),
        pools: [PoolSpec]
    ) {
        self.name = name
        self.instance = instance
        self.service = service
        self.batching = batching
        self.queue = queue
        self.pools = pools
    }

    /// Replicas of a fixed fleet: every pool's count, one replica per instance.
    public var replicaCount: Int { pools.reduce(0) { $0 + $1.count } }
}
