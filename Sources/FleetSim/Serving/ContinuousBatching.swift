import FleetSimKernel

/// Continuous (iteration-level) batching, as vLLM schedules (decisions.md #22): a replica runs decode steps; each
/// step gives every running sequence one token and takes `decodeStep(n)` for n sequences. Waiting requests join at a
/// step boundary when the replica has room (concurrency and KV budget); their prompts are prefilled together first,
/// which pauses the running sequences for `prefillSeconds(Σ prompt)` and yields each joiner's first token.
///
/// Tokens are never events. Between two events the number of running sequences is constant, so steps are evenly
/// spaced: a replica keeps the count of steps done (`stepsDone`) at `phaseStart`, and each sequence the step count at
/// which it finishes. The next event is the earliest of: the end of a prefill, the step at which the next sequence
/// finishes, or — when a request arrives for a replica with room — the next step boundary. An event made stale by a
/// newer one carries an old epoch and is ignored. Requests wait in a central queue or in each replica's own queue
/// (ContinuousBatching+Queues.swift).
final class ContinuousBatching: ServingEngine {
    enum Timer: UInt8, TimerKind {
        case replicaDue, queueTimeout, replicaQueueTimeout
        static let part = Part.serving
    }

    /// A request being decoded: it finishes when the replica's step count reaches `finishStep`.
    struct Sequence {
        var request: Request
        var finishStep: Int
        var firstTokenAt: Double
    }

    /// One replica's serving state.
    struct Slot {
        /// Decoding, latest to finish first; and the requests whose prefill is running (until `prefillEnds`).
        var running: [Sequence] = []
        var joining: [Request] = []
        var prefillEnds: Double?
        var stepsDone = 0
        var phaseStart = 0.0
        var reservedTokens = 0
        var epoch: UInt32 = 0
        var dueAt = Double.infinity
        /// Requests routed to this replica, waiting (per-replica queueing).
        var ownQueue: RequestQueue
        var load = LoadMeter()

        var isBusy: Bool { !running.isEmpty || !joining.isEmpty }
    }

    let profile: PerformanceProfile
    let maxConcurrency: Int
    let kvTokenBudget: Int?
    let queueing: Queueing
    let tracksLoad: Bool
    let queueSpec: QueueSpec
    /// The share of each prompt already in a prefix cache, which the prefill skips.
    let promptCaching: PromptCaching
    var router: any Router
    let weighsOccupancy: Bool
    /// Routing candidates, a buffer reused between requests.
    var candidates: [RouteCandidate] = []
    /// With the default router (fewest outstanding, ties to the earliest ready), the replicas taking work by the
    /// requests they hold, so that routing an arrival is O(log n) rather than a scan (`indexesHeld`).
    var leastHeld = LeastHeldIndex()
    let indexesHeld: Bool
    var queue: RequestQueue
    var slots: [Slot]
    var queuedAtReplicas = 0
    private(set) var inService = 0
    private(set) var busyReplicas = 0
    /// Read only: which replicas exist, which are ready and which are starting.
    let fleet: ReplicaFleet
    let recorder: Recorder
    let timers: Timers<Timer>

    init(spec: DeploymentSpec, profile: PerformanceProfile, router: any Router, tracksLoad: Bool, fleet: ReplicaFleet,
         recorder: Recorder, timers: Timers<Timer>) {
        self.profile = profile
        maxConcurrency = profile.maxConcurrency
        kvTokenBudget = profile.kvTokenBudget
        queueing = spec.queueing
        self.tracksLoad = tracksLoad
        queueSpec = spec.queue
        promptCaching = spec.promptCaching
        self.router = router
        weighsOccupancy = router.weighsOccupancy
        queue = RequestQueue(spec.queue)
        slots = (0..<spec.replicaCount).map { _ in Slot(ownQueue: RequestQueue(spec.queue)) }
        self.fleet = fleet
        self.recorder = recorder
        self.timers = timers
        indexesHeld = router is LeastOutstandingRouter
        if indexesHeld {
            for replica in fleet.active { leastHeld.insert(replica, held: 0) }
        }
    }

    var centralQueueLength: Int { queue.count }
    var oldestWaitingArrival: Double? { queue.first?.arrival }
    var load: ServingLoad { ServingLoad(queued: queue.count + queuedAtReplicas, inService: inService, busy: busyReplicas) }

    func addReplica() { slots.append(Slot(ownQueue: RequestQueue(queueSpec))) }

    func handle(kind: UInt8, slot: Int, epoch: UInt32) -> Int? {
        switch Timer(rawValue: kind)! {
        case .replicaDue:
            guard slots[slot].epoch == epoch else { return nil }
            slots[slot].dueAt = .infinity
            return wake(slot)
        case .queueTimeout:
            for request in queue.expire(timers, .queueTimeout) { recorder.ended(request, .timedOut) }
        case .replicaQueueTimeout:
            let expired = slots[slot].ownQueue.expire(timers, .replicaQueueTimeout, slot: slot)
            queuedAtReplicas -= expired.count
            heldChanged(slot)
            for request in expired { recorder.ended(request, .timedOut) }
        }
        return nil
    }

    func isBusy(_ replica: Int) -> Bool { slots[replica].isBusy }
    func held(_ replica: Int) -> Int { slots[replica].running.count + slots[replica].joining.count + slots[replica].ownQueue.count }
    func ownQueueLength(_ replica: Int) -> Int { slots[replica].ownQueue.count }

    func scrapeLoad(_ replica: Int, now: Double) -> Double {
        updateLoad(replica, now: now)
        return slots[replica].load.scrape()
    }

    func evict(_ replica: Int) -> [Request] {
        let lost = slots[replica].joining + slots[replica].running.map(\.request)
        if slots[replica].isBusy { busyReplicas -= 1 }
        inService -= lost.count
        slots[replica].joining.removeAll()
        slots[replica].running.removeAll()
        slots[replica].prefillEnds = nil
        slots[replica].reservedTokens = 0
        slots[replica].epoch &+= 1
        slots[replica].dueAt = .infinity
        heldChanged(replica)
        return lost
    }

    /// Keeps the routing index in step with the requests `replica` holds.
    @inline(__always)
    func heldChanged(_ replica: Int) {
        guard indexesHeld else { return }
        leastHeld.update(replica, held: held(replica))
    }

    /// Prompt and output tokens a request holds in the KV cache while it runs (its full length is reserved).
    func reservation(_ request: Request) -> Int {
        Int(request.promptTokens) + max(Int(request.outputTokens), 1)
    }

    /// Whether `replica` could admit `request` now.
    func hasRoom(_ replica: Int, for request: Request) -> Bool {
        // Fields are read one by one: copying the whole slot would retain and release its buffers.
        guard fleet[replica].state == .ready,
              slots[replica].running.count + slots[replica].joining.count < maxConcurrency
        else { return false }
        if let budget = kvTokenBudget, slots[replica].reservedTokens + reservation(request) > budget { return false }
        return true
    }

    /// The replica's load for the utilization metric: the larger of sequences ÷ max concurrency and reserved KV
    /// tokens ÷ the KV budget, integrated up to `now`.
    func updateLoad(_ replica: Int, now: Double) {
        let sequences = Double(slots[replica].running.count + slots[replica].joining.count)
        var level = sequences / Double(max(maxConcurrency, 1))
        if let budget = kvTokenBudget { level = max(level, Double(slots[replica].reservedTokens) / Double(budget)) }
        slots[replica].load.update(level: level, now: now)
    }

    // MARK: The replica's clock

    /// How far short of a whole number of steps, in steps, still counts as the boundary. A boundary is scheduled at
    /// phaseStart + k·step, rounded to a double; read back as (now − phaseStart) / step it can fall short of k by
    /// that rounding, a few units in the last place of `now` over the step. A fixed 1e-9 covered it only while
    /// ulp(now) / step stayed below 1e-9: past 2¹⁹ s (145.6 simulated hours) a 7 ms decode step read as k − 1
    /// steps, the wake rescheduled itself at the same instant, and the run never ended.
    static func stepSlack(_ now: Double, _ step: Double) -> Double {
        1e-9 + 8 * now.ulp / step
    }

    /// Makes `replica` look at its queue at its next step boundary (at once when it is idle).
    func nudge(_ replica: Int) {
        let now = timers.now
        guard fleet[replica].state == .ready else { return }
        if !slots[replica].isBusy {
            _ = wake(replica)  // a ready replica is never leaving
            return
        }
        guard slots[replica].prefillEnds == nil else { return }  // it admits when the prefill ends
        let step = profile.decodeStep.seconds(sequences: slots[replica].running.count)
        let phaseStart = slots[replica].phaseStart
        let boundary = phaseStart + (((now - phaseStart) / step) - Self.stepSlack(now, step)).rounded(.up) * step
        if boundary < slots[replica].dueAt {
            schedule(replica, at: max(boundary, now))
        }
    }

    /// Brings `replica` up to now (a prefill end or a step boundary), completes finished sequences, admits waiting
    /// requests and schedules its next event. Returns the replica when scale-in drains it and it is now idle: it ends.
    func wake(_ replica: Int) -> Int? {
        let now = timers.now
        let wasBusy = slots[replica].isBusy
        // Progress since the last event.
        if let end = slots[replica].prefillEnds {
            if now + 1e-12 >= end { finishPrefill(replica, at: now) }
        } else if !slots[replica].running.isEmpty {
            let step = profile.decodeStep.seconds(sequences: slots[replica].running.count)
            let steps = Int(((now - slots[replica].phaseStart) / step + Self.stepSlack(now, step)).rounded(.down))
            slots[replica].stepsDone += steps
            slots[replica].phaseStart += Double(steps) * step
        } else {
            slots[replica].phaseStart = now
        }
        // Sequences whose last token came out at this boundary.
        while let last = slots[replica].running.last, last.finishStep <= slots[replica].stepsDone {
            slots[replica].running.removeLast()
            finish(last.request, on: replica, firstTokenAt: last.firstTokenAt, now: now)
        }
        if slots[replica].prefillEnds == nil {
            admit(replica, now: now)
        }
        let isBusy = slots[replica].isBusy
        if isBusy != wasBusy { busyReplicas += isBusy ? 1 : -1 }
        if tracksLoad { updateLoad(replica, now: now) }
        scheduleNext(replica)
        heldChanged(replica)
        if !isBusy && fleet[replica].state == .draining && fleet[replica].drainingForScaleIn { return replica }
        // This replica took what it could; if requests still wait in the central queue, another one with room looks.
        if queueing == .central, let head = queue.first {
            nudgeReplicaWithRoom(for: head, except: replica)
        }
        return nil
    }

    private func admit(_ replica: Int, now: Double) {
        var promptTokens = 0
        while let request = nextWaiting(for: replica), hasRoom(replica, for: request) {
            takeWaiting(for: replica)
            recorder.waited(request, now: now)
            slots[replica].joining.append(request)
            slots[replica].reservedTokens += reservation(request)
            promptTokens += Int(request.promptTokens) - request.cachedPromptTokens(promptCaching)
            inService += 1
        }
        if !slots[replica].joining.isEmpty {
            slots[replica].prefillEnds = now + profile.prefillSeconds(tokens: promptTokens)
            let sequences = slots[replica].running.count + slots[replica].joining.count
            recorder.window.peakSequencesPerReplica = max(recorder.window.peakSequencesPerReplica, sequences)
            recorder.window.peakKVTokensPerReplica = max(recorder.window.peakKVTokensPerReplica, slots[replica].reservedTokens)
        }
    }

    private func nextWaiting(for replica: Int) -> Request? {
        queueing == .central ? queue.first : slots[replica].ownQueue.first
    }

    private func takeWaiting(for replica: Int) {
        if queueing == .central {
            _ = queue.removeFirst()
        } else {
            _ = slots[replica].ownQueue.removeFirst()
            queuedAtReplicas -= 1
        }
    }

    /// The prefill gives each joiner its first token; those that want more start decoding (decisions.md #23).
    private func finishPrefill(_ replica: Int, at now: Double) {
        let joiners = slots[replica].joining
        slots[replica].joining.removeAll(keepingCapacity: true)
        slots[replica].prefillEnds = nil
        slots[replica].phaseStart = now
        let stepsDone = slots[replica].stepsDone
        for request in joiners {
            let outputTokens = max(Int(request.outputTokens), 1)
            if outputTokens == 1 {
                finish(request, on: replica, firstTokenAt: now, now: now)
                continue
            }
            let sequence = Sequence(request: request, finishStep: stepsDone + outputTokens - 1, firstTokenAt: now)
            // Kept sorted by finishing step, latest first, so the next to finish is the last element.
            let position = slots[replica].running.partitioningIndex { $0.finishStep < sequence.finishStep }
            slots[replica].running.insert(sequence, at: position)
        }
    }

    private func finish(_ request: Request, on replica: Int, firstTokenAt: Double, now: Double) {
        slots[replica].reservedTokens -= reservation(request)
        inService -= 1
        recorder.completed(request, e2eSeconds: now - request.arrival, ttftSeconds: firstTokenAt - request.arrival)
    }

    private func scheduleNext(_ replica: Int) {
        if let end = slots[replica].prefillEnds {
            schedule(replica, at: end)
        } else if let finishStep = slots[replica].running.last?.finishStep {
            let step = profile.decodeStep.seconds(sequences: slots[replica].running.count)
            let remaining = Double(finishStep - slots[replica].stepsDone)
            schedule(replica, at: slots[replica].phaseStart + remaining * step)
        } else {
            slots[replica].epoch &+= 1
            slots[replica].dueAt = .infinity
        }
    }

    private func schedule(_ replica: Int, at time: Double) {
        slots[replica].epoch &+= 1
        slots[replica].dueAt = time
        timers.set(.replicaDue, slot: replica, epoch: slots[replica].epoch, at: time)
    }
}

extension Array {
    /// The first index whose element satisfies `belongsInSecondPartition`, for an array already partitioned by it.
    func partitioningIndex(where belongsInSecondPartition: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongsInSecondPartition(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
