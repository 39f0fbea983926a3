import FleetSimKernel

/// Textbook queueing scenarios, for closed-form checks and benchmarks.
extension Scenario {
    /// An M/G/c queue: Poisson arrivals at `arrivalRate`, `servers` identical servers with service-time
    /// distribution `service`, no batching, unlimited queue, and each server billed at `pricePerHour` on demand.
    public static func textbook(
        name: String = "mgc", servers: Int, arrivalRate: Double, service: Distribution,
        durationSeconds: Double, warmupSeconds: Double = 0, windowSeconds: Double? = nil, seed: UInt64 = 1,
        pricePerHour: Double = 1
    ) -> Scenario {
        let deployment = DeploymentSpec(
            name: "server",
            instance: InstanceType(gpu: "generic", gpus: 1, onDemandPerHour: pricePerHour),
            service: ServiceSpec(time: service),
            pools: [PoolSpec(purchase: .onDemand, count: servers, pricePerHour: pricePerHour)])
        return Scenario(
            name: name, seed: seed, durationSeconds: durationSeconds,
            windowSeconds: windowSeconds ?? durationSeconds, warmupSeconds: warmupSeconds,
            traffic: TrafficSpec(ratePerSecond: arrivalRate, classes: [RequestClass(name: "job", deployment: "server")]),
            deployments: [deployment])
    }
}
