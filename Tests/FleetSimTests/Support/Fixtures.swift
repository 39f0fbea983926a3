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
}
