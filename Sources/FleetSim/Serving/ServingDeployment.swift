import DequeModule
import FleetSimKernel

/// The running state of one deployment: its central FIFO queue, its replicas and their batches, and its statistics.
///
/// A class because a deployment is an entity the simulation refers to by index while it mutates it in place.
final class ServingDeployment {
    struct Replica {
        var batch: [Request] = []
    }

    let index: Int32
    let spec: DeploymentSpec
    let serviceStream: RandomStream
    let slo: SLOSpec?
    let warmupSeconds: Double
    let fleet: Fleet
    private let costPerSecond: CostBreakdown

    private(set) var queue = Deque<Request>()
    private(set) var replicas: [Replica]
    private var idle: [Int32]
    private var inService = 0
    private var windowTimerPending = false
    private var timeoutTimerPending = false

    /// Statistics of the current timeline window and of the whole run.
    var window = Accumulator(.window)
    var total = Accumulator(.run)

    init(index: Int, spec: DeploymentSpec, serviceStream: RandomStream, slo: SLOSpec?, warmupSeconds: Double) {
        self.index = Int32(index)
        self.spec = spec
        self.serviceStream = serviceStream
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
        return Levels(
            queued: queue.count, inService: inService, ready: ready, starting: 0,
            busy: ready - idle.count, provisionedGPUs: ready * spec.instance.gpus,
            gpusPerReplica: spec.instance.gpus, costPerSecond: costPerSecond)
    }

    /// Requests queued or being served.
    var inFlight: Int { queue.count + inService }

    // MARK: Requests

    func arrive(_ request: Request, events: inout EventQueue<SimulationEvent>) {
        window.arrivals += 1
        total.arrivals += 1
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

    private func startBatch(on replica: Int, size: Int, events: inout EventQueue<SimulationEvent>) {
        let now = events.now
        replicas[replica].batch.removeAll(keepingCapacity: true)
        for _ in 0..<size {
            let request = queue.removeFirst()
            let wait = now - request.arrival
            window.queueWait.record(wait)
            if wait > 0 { window.waited += 1 }
            if request.arrival >= warmupSeconds {
                total.queueWait.record(wait)
                if wait > 0 { total.waited += 1 }
            }
            replicas[replica].batch.append(request)
        }
        inService += size
        let serviceSeconds = spec.service.time.sample(serviceStream) + spec.service.perItemSeconds * Double(size)
        events.schedule(.batchCompleted(deployment: index, replica: Int32(replica)), at: now + serviceSeconds)
    }

    func batchCompleted(replica: Int, events: inout EventQueue<SimulationEvent>) {
        let now = events.now
        for request in replicas[replica].batch {
            // The generic mode answers all at once, so the first token is the whole response: TTFT = end-to-end.
            recordCompletion(request, e2eSeconds: now - request.arrival, ttftSeconds: now - request.arrival)
        }
        inService -= replicas[replica].batch.count
        replicas[replica].batch.removeAll(keepingCapacity: true)
        idle.append(Int32(replica))
        dispatch(events: &events)
    }

    // MARK: Timeouts

    private func armTimeoutTimer(events: inout EventQueue<SimulationEvent>) {
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

    private func recordCompletion(_ request: Request, e2eSeconds: Double, ttftSeconds: Double) {
        let met = slo?.check(e2eSeconds: e2eSeconds, ttftSeconds: ttftSeconds) ?? (false, false)
        window.completed += 1
        window.e2e.record(e2eSeconds)
        window.ttft.record(ttftSeconds)
        window.promptTokens += Int(request.promptTokens)
        window.outputTokens += Int(request.outputTokens)
        total.completed += 1
        total.promptTokens += Int(request.promptTokens)
        total.outputTokens += Int(request.outputTokens)
        if request.arrival >= warmupSeconds {
            total.e2e.record(e2eSeconds)
            total.ttft.record(ttftSeconds)
        }
        countForSLO(request, met: met)
    }

    private func recordRejection(_ request: Request) {
        window.rejected += 1
        total.rejected += 1
        countForSLO(request, met: (false, false))
    }

    private func recordTimeout(_ request: Request) {
        window.timedOut += 1
        total.timedOut += 1
        countForSLO(request, met: (false, false))
    }

    /// Every request that ends counts towards SLO attainment; rejected and timed-out ones count as misses.
    private func countForSLO(_ request: Request, met: (e2e: Bool, ttft: Bool)) {
        window.countForSLO(met)
        if request.arrival >= warmupSeconds {
            total.countForSLO(met)
        }
    }
}
