import FleetSimKernel

/// How long a new replica takes before it serves: provisioning its instance, then loading the model (the cold
/// start); or, from a warm pool, the warm start, while the warm instance's replacement provisions and loads. Each draw
/// comes from the deployment's `startup` or `warmStart` stream.
struct Startup {
    let spec: StartupSpec
    let stream: RandomStream
    let warmStream: RandomStream

    /// A cold start: (provisioning, model load).
    func cold() -> (provision: Double, load: Double) {
        let provision = spec.provision.sample(stream)
        return (provision, spec.load.sample(stream))
    }

    /// A start from `warmPool`: how long the replica takes, and how long its replacement takes to be ready in the pool.
    func warm(_ warmPool: WarmPoolSpec) -> (start: Double, refill: Double) {
        let refill = spec.provision.sample(stream) + spec.load.sample(stream)
        return (warmPool.start.sample(warmStream), refill)
    }
}
