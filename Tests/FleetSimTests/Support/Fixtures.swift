import FleetSim
import FleetSimKernel

/// Deployments built from the public API for the fidelity tests: generic (non-LLM) service on fixed fleets, so that
/// the model reduces to queues whose answers are known. Single-queue scenarios use `Scenario.textbook`.
enum Fixtures {
    /// A one-GPU machine at a round price; the queueing tests do not look at cost.
    static let instance = InstanceType(name: "test/one-gpu", gpu: "T4", gpus: 1, onDemandPerHour: 1.0)

    /// A deployment of `servers` identical replicas from one on-demand pool.
    static func deployment(
        name: String = "model",
        servers: Int,
        service: Distribution,
        perItemSeconds: Double = 0,
        batching: BatchingSpec = .unbatched,
        queue: QueueSpec = QueueSpec()
    ) -> DeploymentSpec {
        DeploymentSpec(
            name: name, instance: instance, service: ServiceSpec(time: service, perItemSeconds: perItemSeconds),
            batching: batching, queue: queue,
            pools: [PoolSpec(purchase: .onDemand, count: servers, pricePerHour: instance.onDemandPerHour)])
    }

    /// An LLM deployment of `replicas` replicas running `profile`.
    static func llmDeployment(
        name: String = "llm",
        replicas: Int,
        profile: PerformanceProfile,
        batching: BatchingSpec = .continuous,
        routing: RoutingPolicy = .leastOutstanding,
        queueing: Queueing = .central,
        queue: QueueSpec = QueueSpec()
    ) -> DeploymentSpec {
        DeploymentSpec(
            name: name, instance: instance, profile: profile, batching: batching, routing: routing, queueing: queueing,
            queue: queue, pools: [PoolSpec(purchase: .onDemand, count: replicas, pricePerHour: instance.onDemandPerHour)])
    }

    /// Traffic of one class with the given token lengths, sent to `deployment`.
    static func llmTraffic(
        rate: Double, arrivals: ArrivalProcess = .poisson, prompt: Distribution, output: Distribution,
        deployment: String = "llm"
    ) -> TrafficSpec {
        TrafficSpec(ratePerSecond: rate, arrivals: arrivals, classes: [
            RequestClass(name: "chat", deployment: deployment, promptTokens: prompt, outputTokens: output),
        ])
    }
}
