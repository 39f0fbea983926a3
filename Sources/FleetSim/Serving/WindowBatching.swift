import FleetSimKernel

/// Window batching from the central queue: an idle replica takes up to `maxBatch` requests once that many wait or the
/// oldest has waited `window`, serves them as one batch and answers all when the batch ends (decisions.md #24).
///
/// A batch takes a draw of the generic service time plus `perItem` per request, or, with an LLM profile, one prefill
/// of every prompt and decode steps at the batch's size until its longest answer is out. `window: 0, maxBatch: 1` is
/// a plain M/G/c server. Idle replicas are taken from the end of a list, so replica 0 is the first to be used.
final class WindowBatching: ServingEngine {
    enum Timer: UInt8, TimerKind {
        case windowDue, batchDone, queueTimeout
        static let part = Part.serving
    }

    /// A replica's batch in service, when its prefill ended (LLM profiles), and its load.
    struct Slot {
        var batch: [Request] = []
        var firstTokenAt = 0.0
        var load = LoadMeter()
    }

    let windowSeconds: Double
    let maxBatch: Int
    let profile: PerformanceProfile?
    let promptCaching: PromptCaching
    /// Whether `profile` is set, read for every batch (testing the optional copies the profile).
    let hasProfile: Bool
    let service: ServiceSpec
    let serviceStream: RandomStream
    /// Whether the utilization metric is measured (an autoscaler reads it).
    let tracksLoad: Bool
    private(set) var queue: RequestQueue
    private var slots: [Slot]
    private var idle: [Int32]
    private var windowTimerPending = false
    private(set) var inService = 0
    private(set) var busyReplicas = 0
    /// Read only: which replicas are ready, and which drain for scale-in.
    let fleet: ReplicaFleet
    let recorder: Recorder
    let timers: Timers<Timer>

    init(spec: DeploymentSpec, windowSeconds: Double, maxBatch: Int, serviceStream: RandomStream, tracksLoad: Bool,
         fleet: ReplicaFleet, recorder: Recorder, timers: Timers<Timer>) {
        self.windowSeconds = windowSeconds
        self.maxBatch = maxBatch
        profile = spec.profile
        promptCaching = spec.promptCaching
        hasProfile = spec.profile != nil
        service = spec.service
        self.serviceStream = serviceStream
        self.tracksLoad = tracksLoad
        queue = RequestQueue(spec.queue)
        slots = (0..<spec.replicaCount).map { _ in Slot() }
        idle = slots.indices.reversed().map(Int32.init)
        self.fleet = fleet
        self.recorder = recorder
        self.timers = timers
    }

    var centralQueueLength: Int { queue.count }
    var oldestWaitingArrival: Double? { queue.first?.arrival }
    var queuedAtReplicas: Int { 0 }
    var load: ServingLoad { ServingLoad(queued: queue.count, inService: inService, busy: busyReplicas) }

    func addReplica() { slots.append(Slot()) }

    func arrive(_ request: Request) {
        queue.append(request)
        dispatch()
        // Rejected if the requests left waiting exceed the capacity (a request a replica took at once never counts);
        // the waiting ones were within it before and the queue is served from its head, so the newcomer is last.
        if let capacity = queue.capacity, queue.count > capacity {
            recorder.ended(queue.removeLast(), .rejected)
            return
        }
        queue.armTimeout(timers, .queueTimeout)
    }

    func handle(kind: UInt8, slot: Int, epoch: UInt32) -> Int? {
        switch Timer(rawValue: kind)! {
        case .windowDue:
            windowTimerPending = false
            dispatch()
        case .batchDone:
            return batchDone(slot)
        case .queueTimeout:
            for request in queue.expire(timers, .queueTimeout) { recorder.ended(request, .timedOut) }
        }
        return nil
    }

    func replicaReady(_ replica: Int) {
        slots[replica].load.since = timers.now
        idle.append(Int32(replica))
        dispatch()
    }

    func stopTaking(_ replica: Int) {
        idle.removeAll { $0 == Int32(replica) }
    }

    func reroute(from replica: Int) {}

    func evict(_ replica: Int) -> [Request] {
        let lost = slots[replica].batch
        if !lost.isEmpty { busyReplicas -= 1 }
        inService -= lost.count
        slots[replica].batch.removeAll()
        return lost
    }

    func requeue(_ requests: [Request]) {
        guard !requests.isEmpty else { return }
        queue.prepend(requests)
        queue.armTimeoutForNewHead(timers, .queueTimeout)
        dispatch()
    }

    func isBusy(_ replica: Int) -> Bool { !slots[replica].batch.isEmpty }
    func held(_ replica: Int) -> Int { slots[replica].batch.count }
    func ownQueueLength(_ replica: Int) -> Int { 0 }

    func scrapeLoad(_ replica: Int, now: Double) -> Double {
        slots[replica].load.update(level: slots[replica].batch.isEmpty ? 0 : 1, now: now)
        return slots[replica].load.scrape()
    }

    // MARK: Batches

    /// Starts batches on idle replicas while the batching rule allows; otherwise waits for the window of the oldest.
    private func dispatch() {
        let now = timers.now
        while let replica = idle.last, let oldest = queue.first {
            let due = oldest.arrival + windowSeconds
            guard queue.count >= maxBatch || due <= now else {
                if !windowTimerPending {
                    windowTimerPending = true
                    timers.set(.windowDue, at: due)
                }
                return
            }
            idle.removeLast()
            startBatch(on: Int(replica), size: min(maxBatch, queue.count), now: now)
        }
    }

    private func startBatch(on replica: Int, size: Int, now: Double) {
        busyReplicas += 1
        slots[replica].batch.removeAll(keepingCapacity: true)
        for _ in 0..<size {
            let request = queue.removeFirst()
            recorder.waited(request, now: now)
            slots[replica].batch.append(request)
        }
        inService += size
        let serviceSeconds: Double
        if hasProfile, let profile {
            // One prefill of every prompt (less what the prefix cache holds), then decode steps at the batch's size until its longest answer is out.
            let batch = slots[replica].batch
            let prefill = profile.prefillSeconds(tokens: batch.reduce(0) {
                $0 + Int($1.promptTokens) - $1.cachedPromptTokens(promptCaching)
            })
            let longest = batch.reduce(1) { max($0, Int($1.outputTokens)) }
            slots[replica].firstTokenAt = now + prefill
            serviceSeconds = prefill + Double(longest - 1) * profile.decodeStep.seconds(sequences: size)
        } else {
            serviceSeconds = service.time.sample(serviceStream) + service.perItemSeconds * Double(size)
        }
        timers.set(.batchDone, slot: replica, at: now + serviceSeconds)
        if tracksLoad { slots[replica].load.update(level: 1, now: now) }
    }

    /// A batch ended: every request in it is answered. A batch lost with its instance was already queued again.
    private func batchDone(_ replica: Int) -> Int? {
        guard !slots[replica].batch.isEmpty else { return nil }
        let now = timers.now
        busyReplicas -= 1
        // The generic mode answers all at once, so the first token is the whole response: TTFT = end-to-end.
        let firstToken = hasProfile ? slots[replica].firstTokenAt : now
        // By index: iterating the array would retain its storage.
        for index in slots[replica].batch.indices {
            let request = slots[replica].batch[index]
            recorder.completed(request, e2eSeconds: now - request.arrival, ttftSeconds: firstToken - request.arrival)
        }
        inService -= slots[replica].batch.count
        slots[replica].batch.removeAll(keepingCapacity: true)
        if tracksLoad { slots[replica].load.update(level: 0, now: now) }
        // A replica scale-in drains ends once idle; its removal and this dispatch touch nothing of each other's.
        var leaving: Int?
        switch fleet[replica].state {
        case .ready: idle.append(Int32(replica))
        case .draining where fleet[replica].drainingForScaleIn: leaving = replica
        default: break
        }
        dispatch()
        return leaving
    }
}
