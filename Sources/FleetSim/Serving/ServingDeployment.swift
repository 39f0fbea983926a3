import DequeModule
import FleetSimKernel

/// The running state of one deployment: its queues, its replicas and what they are serving, and its statistics.
///
/// A class because a deployment is an entity the simulation refers to by index while it mutates it in place.
/// Window batching lives here; continuous batching and routing are in ContinuousBatching.swift.
final class ServingDeployment {
    struct Replica {
        /// The pool the replica's instance belongs to, and where it is in its life (ReplicaLifecycle.swift).
        var pool: Int
        var state: ReplicaState = .ready

        /// Window batching: the batch in service, when it started and when its prefill ended (LLM profiles).
        var batch: [Request] = []
        var firstTokenAt = 0.0

        /// Continuous batching: see ContinuousBatching.swift.
        var running: [Sequence] = []
        var joining: [Request] = []
        var prefillEnds: Double?
        var stepsDone = 0
        var phaseStart = 0.0
        var reservedTokens = 0
        var ownQueue = Deque<Request>()
        var epoch: UInt32 = 0
        var dueAt = Double.infinity
        var timeoutTimerPending = false

        /// Lifecycle: when the instance was requested (billing starts), whether its model is loading (provisioning
        /// is over), when it became ready, and whether it drains because of a scale-in (it ends when idle) rather
        /// than a reclaim notice (it ends when the notice does).
        var requestedAt = 0.0
        var loading = false
        var loadSeconds = 0.0
        var readySince = 0.0
        var drainingForScaleIn = false

        /// The load (FleetView's utilization) integrated over time, for autoscalers that measure it.
        var loadLevel = 0.0
        var loadSince = 0.0
        var loadArea = 0.0
        var loadAreaAtScrape = 0.0

        /// Requests routed to this replica and not yet finished.
        var outstanding: Int { running.count + joining.count + ownQueue.count }
        /// Requests on this replica, window batching's batch included.
        var held: Int { outstanding + batch.count }
        var isBusy: Bool { !running.isEmpty || !joining.isEmpty || !batch.isEmpty }

        init(pool: Int, state: ReplicaState = .ready) {
            self.pool = pool
            self.state = state
        }
    }

    enum ReplicaState {
        /// Provisioning and loading the model; billed, not serving.
        case starting
        /// Serving and taking new work.
        case ready
        /// Reclaim notice received, or removed by scale-in: finishing what it has, taking nothing new.
        case draining
        /// Terminated; its index is never reused.
        case gone
    }

    /// A request being decoded: it finishes when the replica's step count reaches `finishStep`.
    struct Sequence {
        var request: Request
        var finishStep: Int
        var firstTokenAt: Double
    }

    let index: Int32
    let spec: DeploymentSpec
    /// Facts about `spec` read on every request, kept as plain flags (reading them through the optional profile
    /// and the batching enum showed up in profiles).
    let hasProfile: Bool
    let isContinuous: Bool
    let maxConcurrency: Int
    let kvTokenBudget: Int?
    let serviceStream: RandomStream
    let slo: SLOSpec?
    let warmupSeconds: Double
    let routingStream: RandomStream
    /// Reclaim times and startup delays, each from its own stream.
    let reclaimStream: RandomStream
    let stormStream: RandomStream
    let startupStream: RandomStream
    let acquisitionStream: RandomStream
    let warmStartStream: RandomStream

    var queue = Deque<Request>()
    var replicas: [Replica]
    /// Replicas that take new work, in the order they became ready.
    var activeReplicas: [Int]
    /// Instances billed (starting, ready or draining) per pool, and what they cost per second.
    var billedInstances: [Int]
    /// Instances starting or ready per pool: what pool bounds and the autoscaler count.
    var liveInstances: [Int]
    /// Warm pools per pool: instances stopped and ready to start, and replacements still initialising.
    var warmStopped: [Int]
    /// Each pool's price now (it moves with the pool's price steps).
    var pricePerHour: [Double]
    var warmInitialising: [Int]
    var costPerSecond = CostBreakdown()
    var instancesByPurchase = CostBreakdown()
    /// Replicas provisioning or loading, in the order they were requested.
    var startingList: [Int] = []
    var startingReplicas: Int { startingList.count }
    var drainingReplicas = 0
    var idle: [Int32]
    var inService = 0
    /// Requests waiting in replicas' own queues (per-replica queueing).
    var queuedAtReplicas = 0
    /// Replicas serving a batch or at least one sequence.
    var busyReplicas = 0
    var roundRobinNext = 0
    private var windowTimerPending = false
    var timeoutTimerPending = false

    /// The replayed capacity traces of the deployment's spot pools, merged in time order: node additions, and
    /// removal notices (a notice before each removal).
    let capacitySchedule: [(time: Double, pool: Int, isAdd: Bool, node: String)]
    /// The replica each trace node runs, while it exists.
    var nodeReplicas: [String: Int] = [:]

    /// Where fleet events (reclaims, replacements) go; set by the simulation.
    var observer: ((FleetEvent) -> Void)?

    /// Autoscaling (FleetControl.swift): the policy, its metrics, the replica count it last set (Kubernetes'
    /// `spec.replicas`) and the share of it the managed pools must hold.
    var autoscaler: (any Autoscaler)?
    var pipeline: MetricPipeline?
    let tracksLoad: Bool
    var scaleTarget: Int
    var managedTarget: Int
    var lastScrape = 0.0
    var arrivalsAtScrape = 0
    var retryPending = false

    /// Statistics of the current timeline window and of the whole run.
    var window = Accumulator(.window)
    var total = Accumulator(.run)
    /// Run totals per request class, when the deployment serves more than one; `classSlot` maps a class index to
    /// its slot (-1 for classes served elsewhere).
    var classTotals: [Accumulator] = []
    let classSlot: [Int]

    init(
        index: Int, spec: DeploymentSpec, slo: SLOSpec?, warmupSeconds: Double, classes: [RequestClass],
        stream: (String) -> RandomStream, expectedRate: ((Double) -> Double)? = nil
    ) {
        let served = classes.indices.filter { classes[$0].deployment == spec.name }
        var slots = [Int](repeating: -1, count: classes.count)
        for (slot, classIndex) in served.enumerated() { slots[classIndex] = slot }
        classSlot = slots
        if served.count > 1 {
            classTotals = served.map { _ in Accumulator(.run) }
        }
        self.index = Int32(index)
        self.spec = spec
        hasProfile = spec.profile != nil
        maxConcurrency = spec.profile?.maxConcurrency ?? 0
        kvTokenBudget = spec.profile?.kvTokenBudget
        isContinuous = spec.batching == .continuous
        // One stream per random source of the deployment, named after it (common random numbers across variants).
        serviceStream = stream("service.\(spec.name)")
        routingStream = stream("routing.\(spec.name)")
        reclaimStream = stream("reclaims.\(spec.name)")
        stormStream = stream("storms.\(spec.name)")
        startupStream = stream("startup.\(spec.name)")
        acquisitionStream = stream("acquisition.\(spec.name)")
        warmStartStream = stream("warmStart.\(spec.name)")
        self.slo = slo
        self.warmupSeconds = warmupSeconds
        replicas = spec.pools.enumerated().flatMap { pool, poolSpec in
            (0..<poolSpec.count).map { _ in Replica(pool: pool) }
        }
        activeReplicas = Array(replicas.indices)
        billedInstances = spec.pools.map(\.count)
        liveInstances = billedInstances
        warmStopped = spec.pools.map { $0.warmPool?.size ?? 0 }
        pricePerHour = spec.pools.map(\.pricePerHour)
        warmInitialising = spec.pools.map { _ in 0 }
        scaleTarget = spec.replicaCount
        managedTarget = spec.pools.filter(\.isManaged).reduce(0) { $0 + $1.count }
        if let autoscalerSpec = spec.autoscaler {
            autoscaler = makeAutoscaler(
                autoscalerSpec, expectedRate: expectedRate,
                startupSeconds: (spec.startup.provision.mean ?? 0) + (spec.startup.load.mean ?? 0))
            pipeline = MetricPipeline(autoscalerSpec.metrics)
        }
        tracksLoad = spec.autoscaler != nil
        // Idle replicas are taken from the end: replica 0 is the first to be used.
        idle = replicas.indices.reversed().map(Int32.init)
        capacitySchedule = Self.capacitySchedule(spec.pools)
        updateCostPerSecond()
    }

    /// Each removal is announced `notice` before it, but never before its node was added; ties keep file order.
    static func capacitySchedule(_ pools: [PoolSpec]) -> [(time: Double, pool: Int, isAdd: Bool, node: String)] {
        var steps: [(time: Double, pool: Int, isAdd: Bool, node: String)] = []
        for (pool, poolSpec) in pools.enumerated() {
            guard let reclaim = poolSpec.reclaim, let trace = reclaim.trace else { continue }
            var added: [String: Double] = [:]
            for change in trace.changes {
                if change.isAdd {
                    added[change.node] = change.timeSeconds
                    steps.append((change.timeSeconds, pool, true, change.node))
                } else {
                    let notice = max(change.timeSeconds - reclaim.noticeSeconds, added[change.node] ?? 0, 0)
                    steps.append((notice, pool, false, change.node))
                }
            }
        }
        return steps.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }

    /// Replicas serving (ready or draining) count as ready: they hold the model and finish their work.
    var levels: Levels {
        let serving = activeReplicas.count + drainingReplicas
        let billed = billedInstances.reduce(0, +)
        return Levels(
            queued: queue.count + queuedAtReplicas, inService: inService, ready: serving, starting: startingReplicas,
            draining: drainingReplicas, instances: instancesByPurchase, busy: busyReplicas,
            provisionedGPUs: billed * spec.instance.gpus, gpusPerReplica: spec.instance.gpus, costPerSecond: costPerSecond)
    }

    func updateCostPerSecond() {
        var counts = CostBreakdown()
        for (pool, count) in billedInstances.enumerated() { counts[spec.pools[pool].purchase] += Double(count) }
        instancesByPurchase = counts
        var rates = CostBreakdown()
        for (pool, count) in billedInstances.enumerated() {
            let poolSpec = spec.pools[pool]
            // Warm instances initialising run at the pool's price; stopped ones cost their holding price.
            let running = count + warmInitialising[pool]
            let holding = Double(warmStopped[pool]) * (poolSpec.warmPool?.holdingPerHour ?? 0)
            rates[poolSpec.purchase] += (Double(running) * pricePerHour[pool] + holding) / 3600
        }
        costPerSecond = rates
    }

    func priceChange(pool: Int, step: Int, events: inout EventQueue<SimulationEvent>) {
        let steps = spec.pools[pool].priceSteps
        pricePerHour[pool] = steps[step].pricePerHour
        updateCostPerSecond()
        if step + 1 < steps.count {
            events.schedule(.priceChange(deployment: index, pool: Int32(pool), step: Int32(step + 1)), at: steps[step + 1].atSeconds)
        }
    }

    /// Requests queued or being served.
    var inFlight: Int { queue.count + queuedAtReplicas + inService }

    // MARK: Requests

    func arrive(_ request: Request, events: inout EventQueue<SimulationEvent>) {
        window.arrivals += 1
        total.arrivals += 1
        forClass(request) { $0.arrivals += 1 }
        if isContinuous {
            arriveForContinuousBatching(request, events: &events)
            return
        }
        queue.append(request)
        dispatch(events: &events)
        keepWithinCapacity(request, events: &events)
    }

    /// Ends the arrival of `request` at the central queue, once replicas have had their chance to take it: rejected
    /// if the requests left waiting exceed the capacity, otherwise under the client timeout. A request a replica took
    /// at once never counts, even with capacity 0; and as the waiting requests were within capacity before and the
    /// queue is served from its head, when they are over the newcomer is still the queue's last element.
    func keepWithinCapacity(_ request: Request, events: inout EventQueue<SimulationEvent>) {
        if let capacity = spec.queue.capacity, queue.count + queuedAtReplicas > capacity {
            queue.removeLast()
            recordRejection(request)
            return
        }
        armTimeoutTimer(events: &events)
    }

    /// Starts batches on idle replicas while the batching rule allows.
    func dispatch(events: inout EventQueue<SimulationEvent>) {
        guard case .window(let windowSeconds, let maxBatch) = spec.batching else { return }
        let now = events.now
        while let replica = idle.last, let oldest = queue.first {
            let due = oldest.arrival + windowSeconds
            guard queue.count >= maxBatch || due <= now else {
                if !windowTimerPending {
                    windowTimerPending = true
                    events.schedule(.batchWindowDue(deployment: index), at: due)
                }
                return
            }
            idle.removeLast()
            startBatch(on: Int(replica), size: min(maxBatch, queue.count), events: &events)
        }
    }

    func batchWindowDue(events: inout EventQueue<SimulationEvent>) {
        windowTimerPending = false
        dispatch(events: &events)
    }

    /// Counts the time a request waited before service.
    func recordQueueWait(_ request: Request, now: Double) {
        let wait = now - request.arrival
        window.queueWait.record(wait)
        if wait > 0 { window.waited += 1 }
        if request.arrival >= warmupSeconds {
            total.queueWait.record(wait)
            if wait > 0 { total.waited += 1 }
            forClass(request) {
                $0.queueWait.record(wait)
                if wait > 0 { $0.waited += 1 }
            }
        }
    }

    func startBatch(on replica: Int, size: Int, events: inout EventQueue<SimulationEvent>) {
        let now = events.now
        busyReplicas += 1
        replicas[replica].batch.removeAll(keepingCapacity: true)
        for _ in 0..<size {
            let request = queue.removeFirst()
            recordQueueWait(request, now: now)
            replicas[replica].batch.append(request)
        }
        inService += size
        let serviceSeconds: Double
        if let profile = spec.profile {
            // A static batch: one prefill of every prompt, then decode steps at the batch's size until its longest
            // answer is out; every answer is returned when the batch ends.
            let batch = replicas[replica].batch
            let prefill = profile.prefillSeconds(tokens: batch.reduce(0) { $0 + Int($1.promptTokens) })
            let longest = batch.reduce(1) { max($0, Int($1.outputTokens)) }
            replicas[replica].firstTokenAt = now + prefill
            serviceSeconds = prefill + Double(longest - 1) * profile.decodeStep.seconds(sequences: size)
        } else {
            serviceSeconds = spec.service.time.sample(serviceStream) + spec.service.perItemSeconds * Double(size)
        }
        events.schedule(.batchCompleted(deployment: index, replica: Int32(replica)), at: now + serviceSeconds)
        if tracksLoad { updateLoad(replica, now: now) }
    }

    func batchCompleted(replica: Int, events: inout EventQueue<SimulationEvent>) {
        // A batch lost with its instance (a reclaim) was already queued again.
        guard replicas[replica].state != .gone else { return }
        let now = events.now
        busyReplicas -= 1
        for request in replicas[replica].batch {
            // The generic mode answers all at once, so the first token is the whole response: TTFT = end-to-end.
            let firstToken = hasProfile ? replicas[replica].firstTokenAt : now
            recordCompletion(request, e2eSeconds: now - request.arrival, ttftSeconds: firstToken - request.arrival)
        }
        inService -= replicas[replica].batch.count
        replicas[replica].batch.removeAll(keepingCapacity: true)
        if tracksLoad { updateLoad(replica, now: now) }
        switch replicas[replica].state {
        case .ready: idle.append(Int32(replica))
        case .draining where replicas[replica].drainingForScaleIn: removeInstance(replica, events: &events)
        default: break
        }
        dispatch(events: &events)
    }

    // MARK: Timeouts

    func armTimeoutTimer(events: inout EventQueue<SimulationEvent>) {
        guard let timeout = spec.queue.timeoutSeconds, !timeoutTimerPending, let oldest = queue.first else { return }
        timeoutTimerPending = true
        events.schedule(.queueTimeoutDue(deployment: index), at: max(oldest.arrival + timeout, events.now))
    }

    /// Drops every queued request that has waited `timeout` or longer; the queue is FIFO, so they are at its head.
    func queueTimeoutDue(events: inout EventQueue<SimulationEvent>) {
        timeoutTimerPending = false
        guard let timeout = spec.queue.timeoutSeconds else { return }
        while let oldest = queue.first, oldest.arrival + timeout <= events.now {
            queue.removeFirst()
            recordTimeout(oldest)
        }
        armTimeoutTimer(events: &events)
    }

    // MARK: Statistics

    func recordCompletion(_ request: Request, e2eSeconds: Double, ttftSeconds: Double) {
        let met = slo?.check(e2eSeconds: e2eSeconds, ttftSeconds: ttftSeconds) ?? (false, false)
        let perToken: Double? = hasProfile && request.outputTokens > 1
            ? (e2eSeconds - ttftSeconds) / Double(request.outputTokens - 1) : nil
        let afterWarmup = request.arrival >= warmupSeconds
        window.recordCompletion(request, e2e: e2eSeconds, ttft: ttftSeconds, tpot: perToken, latencies: true)
        total.recordCompletion(request, e2e: e2eSeconds, ttft: ttftSeconds, tpot: perToken, latencies: afterWarmup)
        forClass(request) {
            $0.recordCompletion(request, e2e: e2eSeconds, ttft: ttftSeconds, tpot: perToken, latencies: afterWarmup)
        }
        countForSLO(request, met: met)
    }

    func recordRejection(_ request: Request) {
        window.rejected += 1
        total.rejected += 1
        forClass(request) { $0.rejected += 1 }
        countForSLO(request, met: (false, false))
    }

    func recordFailure(_ request: Request) {
        window.failed += 1
        total.failed += 1
        forClass(request) { $0.failed += 1 }
        countForSLO(request, met: (false, false))
    }

    func recordTimeout(_ request: Request) {
        window.timedOut += 1
        total.timedOut += 1
        forClass(request) { $0.timedOut += 1 }
        countForSLO(request, met: (false, false))
    }

    /// Applies `update` to the run totals of the request's class, when this deployment serves several classes
    /// (with one class, the deployment's own totals are the class's).
    @inline(__always)
    func forClass(_ request: Request, _ update: (inout Accumulator) -> Void) {
        guard !classTotals.isEmpty else { return }
        update(&classTotals[classSlot[Int(request.classIndex)]])
    }

    /// Every request that ends counts towards SLO attainment; rejected and timed-out ones count as misses.
    private func countForSLO(_ request: Request, met: (e2e: Bool, ttft: Bool)) {
        window.countForSLO(met)
        if request.arrival >= warmupSeconds {
            total.countForSLO(met)
            forClass(request) { $0.countForSLO(met) }
        }
    }
}
