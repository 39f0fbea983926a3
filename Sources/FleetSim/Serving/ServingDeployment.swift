import DequeModule
import FleetSimKernel

/// The running state of one deployment: its queues, its replicas and what they are serving, and its statistics.
///
/// A class because a deployment is an entity the simulation refers to by index while it mutates it in place.
/// Window batching lives here; continuous batching and routing are in ContinuousBatching.swift.
final class ServingDeployment {
    struct Replica {
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

        /// Requests routed to this replica and not yet finished.
        var outstanding: Int { running.count + joining.count + ownQueue.count }
        var isBusy: Bool { !running.isEmpty || !joining.isEmpty }
    }

    /// A request being decoded: it finishes when the replica's step count reaches `finishStep`.
    struct Sequence {
        var request: Request
        var finishStep: Int
        var firstTokenAt: Double
    }

    let index: Int32
    let spec: DeploymentSpec
    let serviceStream: RandomStream
    let slo: SLOSpec?
    let warmupSeconds: Double
    let fleet: Fleet
    let routingStream: RandomStream
    private let costPerSecond: CostBreakdown

    var queue = Deque<Request>()
    var replicas: [Replica]
    private var idle: [Int32]
    var inService = 0
    /// Requests waiting in replicas' own queues (per-replica queueing).
    var queuedAtReplicas = 0
    /// Replicas serving at least one sequence (continuous batching).
    var busyReplicas = 0
    var roundRobinNext = 0
    private var windowTimerPending = false
    var timeoutTimerPending = false

    /// Statistics of the current timeline window and of the whole run.
    var window = Accumulator(.window)
    var total = Accumulator(.run)
    /// Run totals per request class, when the deployment serves more than one; `classSlot` maps a class index to
    /// its slot (-1 for classes served elsewhere).
    var classTotals: [Accumulator] = []
    let classSlot: [Int]
    let classNames: [String]

    init(
        index: Int, spec: DeploymentSpec, serviceStream: RandomStream, routingStream: RandomStream, slo: SLOSpec?,
        warmupSeconds: Double, classes: [RequestClass]
    ) {
        let served = classes.indices.filter { classes[$0].deployment == spec.name }
        var slots = [Int](repeating: -1, count: classes.count)
        for (slot, classIndex) in served.enumerated() { slots[classIndex] = slot }
        classSlot = slots
        classNames = served.map { classes[$0].name }
        if served.count > 1 {
            classTotals = served.map { _ in Accumulator(.run) }
        }
        self.index = Int32(index)
        self.spec = spec
        self.serviceStream = serviceStream
        self.routingStream = routingStream
        self.slo = slo
        self.warmupSeconds = warmupSeconds
        fleet = Fleet(instance: spec.instance, pools: spec.pools)
        costPerSecond = fleet.costPerSecond
        replicas = Array(repeating: Replica(), count: fleet.readyReplicas)
        // Idle replicas are taken from the end: replica 0 is the first to be used.
        idle = (0..<Int32(fleet.readyReplicas)).reversed()
    }

    var levels: Levels {
        let ready = fleet.readyReplicas
        let busy = spec.batching == .continuous ? busyReplicas : ready - idle.count
        return Levels(
            queued: queue.count + queuedAtReplicas, inService: inService, ready: ready, starting: 0,
            busy: busy, provisionedGPUs: ready * spec.instance.gpus,
            gpusPerReplica: spec.instance.gpus, costPerSecond: costPerSecond)
    }

    /// Requests queued or being served.
    var inFlight: Int { queue.count + queuedAtReplicas + inService }

    // MARK: Requests

    func arrive(_ request: Request, events: inout EventQueue<SimulationEvent>) {
        window.arrivals += 1
        total.arrivals += 1
        forClass(request) { $0.arrivals += 1 }
        if spec.batching == .continuous {
            arriveForContinuousBatching(request, events: &events)
            return
        }
        queue.append(request)
        dispatch(events: &events)
        // Capacity bounds the requests left waiting, so a request that an idle replica takes at once is never
        // rejected, even with capacity 0. Only the newcomer can be the one over the bound.
        if let capacity = spec.queue.capacity, queue.count > capacity {
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

    private func startBatch(on replica: Int, size: Int, events: inout EventQueue<SimulationEvent>) {
        let now = events.now
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
    }

    func batchCompleted(replica: Int, events: inout EventQueue<SimulationEvent>) {
        let now = events.now
        for request in replicas[replica].batch {
            // The generic mode answers all at once, so the first token is the whole response: TTFT = end-to-end.
            let firstToken = spec.profile != nil ? replicas[replica].firstTokenAt : now
            recordCompletion(request, e2eSeconds: now - request.arrival, ttftSeconds: firstToken - request.arrival)
        }
        inService -= replicas[replica].batch.count
        replicas[replica].batch.removeAll(keepingCapacity: true)
        idle.append(Int32(replica))
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
        let perToken: Double? = spec.profile != nil && request.outputTokens > 1
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
