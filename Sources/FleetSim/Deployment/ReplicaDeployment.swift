import FleetSimKernel

/// A deployment served by replicas on instances: it owns its parts — the fleet of replicas and what makes them come
/// and go (startup, warm pools, reclaims, placement), the serving engine, the billing meter and the control loop —
/// routes each timer to the part that set it, and carries out what spans parts: a replica's life
/// (ReplicaDeployment+Lifecycle.swift) and the fleet's size (ReplicaDeployment+Control.swift).
///
/// A class because the simulation refers to a deployment by index while it mutates it in place.
final class ReplicaDeployment: Deployment {
    /// Timers of a replica's life and of the fleet around it.
    enum FleetTimer: UInt8, TimerKind {
        case reclaimNotice, replicaGone, replicaLoading, replicaReady, warmInstanceReady, reclaimStorm, capacityChange,
             retry
        static let part = Part.fleet
    }

    let spec: DeploymentSpec
    let recorder: Recorder
    let fleet: ReplicaFleet
    var warm: WarmPools
    let startup: Startup
    var reclaims: Reclaims
    let placement: Placement
    let meter: Meter
    let engine: any ServingEngine
    /// Requests one replica serves at once: its maximum concurrency (continuous batching) or batch size.
    let slotsPerReplica: Int
    let control: ControlLoop?
    /// The replicas the managed pools should hold: the autoscaler's count less the others' live instances, or, for a
    /// fixed fleet, the managed pools' counts (reclaimed instances are replaced).
    var managedTarget: Int
    /// Whether a retry of failed acquisitions is pending.
    var retryPending = false
    let timers: Timers<FleetTimer>
    let observer: (any SimulationObserver)?
    let cache: ResponseCache?
    /// Where arrivals overflow to (hybrid serving), by index.
    let overflowTarget: Int?
    unowned let path: RequestPath

    init(spec: DeploymentSpec, context: DeploymentContext) {
        self.spec = spec
        // One stream per random source of the deployment, named after it (common random numbers across variants).
        let stream = { (source: String) in context.stream("\(source).\(spec.name)") }
        recorder = context.recorder(spec, measuresTokens: spec.profile != nil)
        cache = context.cache(spec)
        overflowTarget = spec.overflow.map { context.path.index(of: $0.to) }
        path = context.path
        fleet = ReplicaFleet(pools: spec.pools)
        warm = WarmPools(pools: spec.pools)
        startup = Startup(spec: spec.startup, stream: stream("startup"), warmStream: stream("warmStart"))
        reclaims = Reclaims(pools: spec.pools, reclaimStream: stream("reclaims"), stormStream: stream("storms"))
        placement = Placement(rule: spec.placement, pools: spec.pools, acquisitionStream: stream("acquisition"))
        meter = Meter(pools: spec.pools, gpusPerInstance: spec.instance.gpus, warm: warm, recorder: recorder,
                      timers: context.timers())
        let tracksLoad = spec.autoscaler != nil
        switch spec.batching {
        case _ where context.analyticArrivalSCV != nil:
            slotsPerReplica = spec.profile?.maxConcurrency ?? 1
            let model = ServiceModel.make(
                spec, requestClass: context.reachingClasses.first.map { context.classes[$0] }, stream: stream("analytic"))
            engine = AnalyticServing(spec: spec, model: model, arrivalSCV: context.analyticArrivalSCV!, fleet: fleet,
                                     recorder: recorder, timers: context.timers(), metricStream: stream("analytic.metrics"))
        case .continuous:
            guard let profile = spec.profile else { preconditionFailure("continuous batching without a profile") }
            slotsPerReplica = profile.maxConcurrency
            engine = ContinuousBatching(
                spec: spec, profile: profile, router: makeRouter(spec.routing, stream: stream("routing")),
                tracksLoad: tracksLoad, fleet: fleet, recorder: recorder, timers: context.timers())
        case .window(let windowSeconds, let maxBatch):
            slotsPerReplica = maxBatch
            engine = WindowBatching(
                spec: spec, windowSeconds: windowSeconds, maxBatch: maxBatch, serviceStream: stream("service"),
                tracksLoad: tracksLoad, fleet: fleet, recorder: recorder, timers: context.timers())
        }
        control = spec.autoscaler.map { autoscaler in
            ControlLoop(
                spec: autoscaler, initialReplicas: spec.replicaCount,
                startupSeconds: (spec.startup.provision.mean ?? 0) + (spec.startup.load.mean ?? 0),
                expectedRate: context.expectedRate, timers: context.timers())
        }
        managedTarget = spec.pools.filter(\.isManaged).reduce(0) { $0 + $1.count }
        timers = context.timers()
        observer = context.observer
    }

    var inFlight: Int { engine.requestsInFlight }

    func offer(expected: Double, drawn: Double, over seconds: Double) {
        (engine as! AnalyticServing).step(expected: expected, drawn: drawn, over: seconds)
    }

    var analyticDiagnostics: AnalyticDiagnostics? { (engine as? AnalyticServing)?.diagnostics }

    var servingSlots: Int { fleet.active.count * slotsPerReplica }

    func start() {
        for pool in spec.pools where pool.count > 0 {
            fleetEvent(.ready, pool: pool.purchase, at: 0, before: 0, after: pool.count, "fixed fleet")
        }
        for replica in 0..<fleet.records.count {
            scheduleReclaim(replica)
        }
        if let first = reclaims.capacitySchedule.first {
            timers.set(.capacityChange, slot: 0, at: first.time)
        }
        for pool in spec.pools.indices {
            scheduleStorm(inPool: pool)
            meter.start(pool: pool)
        }
        control?.start()
    }

    func arrive(_ request: Request) {
        recorder.arrived(request)
        guard cache != nil || overflowTarget != nil else {
            engine.arrive(request)
            return
        }
        var request = request
        let now = timers.now
        if let cache, cache.answers(&request, now: now, recorder: recorder) { return }
        if let overflowTarget, overflows(now: now) {
            recorder.forwarded(request, .overflowed)
            path.send(request.handedOn(at: now), to: overflowTarget)
            return
        }
        engine.arrive(request)
    }

    /// Whether an arrival now goes to the overflow target instead: the queue is long or old, or capacity is missing.
    private func overflows(now: Double) -> Bool {
        guard let overflow = spec.overflow else { return false }
        if overflow.whileStarting && (!fleet.starting.isEmpty || fleet.serving == 0) { return true }
        if let length = overflow.queueLength, engine.load.queued >= length { return true }
        if let wait = overflow.queueWaitSeconds, let oldest = engine.oldestWaitingArrival, now - oldest >= wait {
            return true
        }
        return false
    }

    func handle(_ event: Event) {
        let slot = Int(event.slot)
        // Serving timers are most of a run's events; the other parts' are handled out of this path.
        if event.part == .serving {
            if let leaving = engine.handle(kind: event.kind, slot: slot, epoch: event.epoch) {
                removeInstance(leaving)
            }
            return
        }
        handleOther(event, slot: slot)
    }

    private func handleOther(_ event: Event, slot: Int) {
        switch event.part {
        case .serving:
            preconditionFailure("serving timers are handled above")
        case .fleet:
            handleFleet(FleetTimer(rawValue: event.kind)!, slot: slot)
        case .billing:
            meter.handle(Meter.Timer(rawValue: event.kind)!, slot: slot, epoch: event.epoch, warm: warm)
        case .control:
            switch ControlLoop.Timer(rawValue: event.kind)! {
            case .scrape: scrapeMetrics()
            case .sync: autoscalerSync()
            }
        case .traffic:
            preconditionFailure("an arrival routed to deployment \(spec.name)")
        }
    }

    private func handleFleet(_ timer: FleetTimer, slot: Int) {
        switch timer {
        case .reclaimNotice: reclaimNotice(slot)
        case .replicaGone: replicaGone(slot)
        case .replicaLoading: replicaLoading(slot)
        case .replicaReady: replicaReady(slot)
        case .warmInstanceReady: warmInstanceReady(inPool: slot)
        case .reclaimStorm: reclaimStorm(inPool: slot)
        case .capacityChange: capacityChange(slot)
        case .retry: fleetRetry()
        }
    }

    /// Replicas serving (ready or draining) count as ready: they hold the model and finish their work.
    func integrate(over seconds: Double) -> (ready: Int, costPerSecond: Double) {
        let serving = fleet.serving
        let load = engine.load
        let levels = Levels(
            queued: load.queued, inService: load.inService, ready: serving, starting: fleet.starting.count,
            draining: fleet.draining, instances: meter.instancesByPurchase, busy: load.busy,
            provisionedGPUs: meter.billedTotal * spec.instance.gpus, gpusPerReplica: spec.instance.gpus,
            costPerSecond: meter.costPerSecond)
        recorder.window.integrate(levels, over: seconds)
        return (serving, levels.costPerSecond.total)
    }

    /// A row of `events.csv`.
    func fleetEvent(
        _ kind: FleetEvent.Kind, pool: PurchaseOption?, at time: Double, before: Int, after: Int, _ detail: String
    ) {
        observer?.fleetEvent(FleetEvent(
            timeSeconds: time, deployment: spec.name, kind: kind, pool: pool, replicasBefore: before,
            replicasAfter: after, detail: detail))
    }
}
