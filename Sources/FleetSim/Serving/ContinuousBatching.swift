import DequeModule
import FleetSimKernel

/// Continuous (iteration-level) batching, as vLLM schedules: a replica runs decode steps; each step gives every
/// running sequence one token and takes `decodeStep(n)` for n sequences. Waiting requests join at a step boundary
/// when the replica has room (concurrency and KV budget); their prompts are prefilled together first, which pauses
/// the running sequences for `prefillSeconds(Σ prompt)` and yields each joiner's first token.
///
/// Tokens are never events. Between two events the number of running sequences is constant, so steps are evenly
/// spaced: a replica keeps the count of steps done (`stepsDone`) at `phaseStart`, and each sequence the step count at
/// which it finishes. The next event is the earliest of: the end of a prefill, the step at which the next sequence
/// finishes, or — when a request arrives for a replica with room — the next step boundary. An event made stale by a
/// newer one carries an old epoch and is ignored.
extension ServingDeployment {
    // MARK: Arrivals and routing

    func arriveForContinuousBatching(_ request: Request, events: inout EventQueue<SimulationEvent>) {
        guard let profile = spec.profile else { preconditionFailure("continuous batching without a profile") }
        if let budget = profile.kvTokenBudget, reservation(request) > budget {
            // It could never be admitted; a real server refuses it at once.
            recordRejection(request)
            return
        }
        switch spec.queueing {
        case .central:
            queue.append(request)
            nudgeReplicaWithRoom(for: request, events: &events)
            keepWithinCapacity(request, events: &events)
        case .perReplica:
            routeToOwnQueue(request, rejectingOverCapacity: true, events: &events)
        }
    }

    /// With per-replica queues and no replica at all (a capacity trace that has not brought one yet), a request waits
    /// in the deployment's queue until one is ready.
    func holdUntilAReplicaStarts(_ request: Request, events: inout EventQueue<SimulationEvent>) {
        queue.append(request)
        keepWithinCapacity(request, events: &events)
    }

    /// Where per-replica queueing sends an arrival: a ready replica, or, while none is (all reclaimed), one that is
    /// starting and will serve its queue once ready.
    var routableReplicas: [Int] {
        activeReplicas.isEmpty ? startingList : activeReplicas
    }

    /// The replica `spec.routing` picks among `candidates`, or nil when there is none.
    func route<C: Collection>(among candidates: C) -> Int? where C.Element == Int {
        guard !candidates.isEmpty else { return nil }
        switch spec.routing {
        case .leastOutstanding:
            return candidates.min { replicas[$0].outstanding < replicas[$1].outstanding }
        case .roundRobin:
            let count = replicas.count
            for offset in 0..<count {
                let replica = (roundRobinNext + offset) % count
                if candidates.contains(replica) {
                    roundRobinNext = (replica + 1) % count
                    return replica
                }
            }
            return nil
        case .random:
            let list = Array(candidates)
            return list[routingStream.index(below: list.count)]
        case .powerOfTwo:
            let list = Array(candidates)
            guard list.count > 1 else { return list[0] }
            let first = routingStream.index(below: list.count)
            var second = routingStream.index(below: list.count - 1)
            if second >= first { second += 1 }
            let a = list[first], b = list[second]
            return replicas[b].outstanding < replicas[a].outstanding ? b : a
        }
    }

    /// Prompt and output tokens a request holds in the KV cache while it runs (its full length is reserved).
    func reservation(_ request: Request) -> Int {
        Int(request.promptTokens) + max(Int(request.outputTokens), 1)
    }

    /// Whether `replica` could admit `request` now.
    func hasRoom(_ replica: Int, for request: Request) -> Bool {
        // Fields are read one by one: copying the whole replica would retain and release its buffers.
        guard replicas[replica].state == .ready,
              replicas[replica].running.count + replicas[replica].joining.count < maxConcurrency
        else { return false }
        if let budget = kvTokenBudget, replicas[replica].reservedTokens + reservation(request) > budget { return false }
        return true
    }

    /// Makes `replica` look at its queue at its next step boundary (at once when it is idle).
    func nudge(_ replica: Int, events: inout EventQueue<SimulationEvent>) {
        let now = events.now
        guard replicas[replica].state == .ready else { return }
        if !replicas[replica].isBusy {
            wake(replica, events: &events)
            return
        }
        guard replicas[replica].prefillEnds == nil else { return }  // it admits when the prefill ends
        let step = spec.profile!.decodeStep.seconds(sequences: replicas[replica].running.count)
        let phaseStart = replicas[replica].phaseStart
        let boundary = phaseStart + (((now - phaseStart) / step) - 1e-9).rounded(.up) * step
        if boundary < replicas[replica].dueAt {
            schedule(replica, at: max(boundary, now), events: &events)
        }
    }

    /// Central queue: tells a replica with room for `request` to look at the queue. An idle replica is preferred,
    /// so that no replica stays idle while work waits; among the candidates the routing policy picks.
    func nudgeReplicaWithRoom(for request: Request, except busyOne: Int? = nil, events: inout EventQueue<SimulationEvent>) {
        let withRoom = activeReplicas.filter { $0 != busyOne && hasRoom($0, for: request) }
        let idle = withRoom.filter { !replicas[$0].isBusy }
        if let replica = route(among: idle.isEmpty ? withRoom : idle) {
            nudge(replica, events: &events)
        }
    }

    // MARK: The replica's clock

    func replicaDue(_ replica: Int, epoch: UInt32, events: inout EventQueue<SimulationEvent>) {
        guard replicas[replica].epoch == epoch else { return }
        replicas[replica].dueAt = .infinity
        wake(replica, events: &events)
    }

    /// Brings `replica` up to now (a prefill end or a step boundary), completes finished sequences, admits waiting
    /// requests and schedules its next event.
    func wake(_ replica: Int, events: inout EventQueue<SimulationEvent>) {
        let now = events.now
        let profile = spec.profile!
        let wasBusy = replicas[replica].isBusy
        // Progress since the last event.
        if let end = replicas[replica].prefillEnds {
            if now + 1e-12 >= end { finishPrefill(replica, at: now) }
        } else if !replicas[replica].running.isEmpty {
            let step = profile.decodeStep.seconds(sequences: replicas[replica].running.count)
            let steps = Int(((now - replicas[replica].phaseStart) / step + 1e-9).rounded(.down))
            replicas[replica].stepsDone += steps
            replicas[replica].phaseStart += Double(steps) * step
        } else {
            replicas[replica].phaseStart = now
        }
        // Sequences whose last token came out at this boundary.
        while let last = replicas[replica].running.last, last.finishStep <= replicas[replica].stepsDone {
            replicas[replica].running.removeLast()
            finish(last.request, on: replica, firstTokenAt: last.firstTokenAt, now: now)
        }
        if replicas[replica].prefillEnds == nil {
            admit(replica, now: now, profile: profile)
        }
        let isBusy = replicas[replica].isBusy
        if isBusy != wasBusy { busyReplicas += isBusy ? 1 : -1 }
        if tracksLoad { updateLoad(replica, now: now) }
        scheduleNext(replica, events: &events)
        if !isBusy && replicas[replica].state == .draining && replicas[replica].drainingForScaleIn {
            removeInstance(replica, events: &events)
            return
        }
        // This replica took what it could; if requests still wait in the central queue, another one with room looks.
        if spec.queueing == .central, let head = queue.first {
            nudgeReplicaWithRoom(for: head, except: replica, events: &events)
        }
    }

    private func admit(_ replica: Int, now: Double, profile: PerformanceProfile) {
        var promptTokens = 0
        while let request = nextWaiting(for: replica), hasRoom(replica, for: request) {
            takeWaiting(for: replica)
            recordQueueWait(request, now: now)
            replicas[replica].joining.append(request)
            replicas[replica].reservedTokens += reservation(request)
            promptTokens += Int(request.promptTokens)
            inService += 1
        }
        if !replicas[replica].joining.isEmpty {
            replicas[replica].prefillEnds = now + profile.prefillSeconds(tokens: promptTokens)
            let sequences = replicas[replica].running.count + replicas[replica].joining.count
            window.peakSequencesPerReplica = max(window.peakSequencesPerReplica, sequences)
            window.peakKVTokensPerReplica = max(window.peakKVTokensPerReplica, replicas[replica].reservedTokens)
        }
    }

    private func nextWaiting(for replica: Int) -> Request? {
        spec.queueing == .central ? queue.first : replicas[replica].ownQueue.first
    }

    private func takeWaiting(for replica: Int) {
        if spec.queueing == .central {
            queue.removeFirst()
        } else {
            replicas[replica].ownQueue.removeFirst()
            queuedAtReplicas -= 1
        }
    }

    /// The prefill gives each joiner its first token; those that want more start decoding.
    private func finishPrefill(_ replica: Int, at now: Double) {
        let joiners = replicas[replica].joining
        replicas[replica].joining.removeAll(keepingCapacity: true)
        replicas[replica].prefillEnds = nil
        replicas[replica].phaseStart = now
        let stepsDone = replicas[replica].stepsDone
        for request in joiners {
            let outputTokens = max(Int(request.outputTokens), 1)
            if outputTokens == 1 {
                finish(request, on: replica, firstTokenAt: now, now: now)
                continue
            }
            let sequence = Sequence(request: request, finishStep: stepsDone + outputTokens - 1, firstTokenAt: now)
            // Kept sorted by finishing step, latest first, so the next to finish is the last element.
            let position = replicas[replica].running.partitioningIndex { $0.finishStep < sequence.finishStep }
            replicas[replica].running.insert(sequence, at: position)
        }
    }

    private func finish(_ request: Request, on replica: Int, firstTokenAt: Double, now: Double) {
        replicas[replica].reservedTokens -= reservation(request)
        inService -= 1
        recordCompletion(request, e2eSeconds: now - request.arrival, ttftSeconds: firstTokenAt - request.arrival)
    }

    private func scheduleNext(_ replica: Int, events: inout EventQueue<SimulationEvent>) {
        if let end = replicas[replica].prefillEnds {
            schedule(replica, at: end, events: &events)
        } else if let finishStep = replicas[replica].running.last?.finishStep {
            let step = spec.profile!.decodeStep.seconds(sequences: replicas[replica].running.count)
            let remaining = Double(finishStep - replicas[replica].stepsDone)
            schedule(replica, at: replicas[replica].phaseStart + remaining * step, events: &events)
        } else {
            replicas[replica].epoch &+= 1
            replicas[replica].dueAt = .infinity
        }
    }

    private func schedule(_ replica: Int, at time: Double, events: inout EventQueue<SimulationEvent>) {
        replicas[replica].epoch &+= 1
        replicas[replica].dueAt = time
        events.schedule(
            .replicaDue(deployment: index, replica: Int32(replica), epoch: replicas[replica].epoch), at: time)
    }

    // MARK: Timeouts in replicas' own queues

    func armReplicaTimeoutTimer(_ replica: Int, events: inout EventQueue<SimulationEvent>) {
        guard let timeout = spec.queue.timeoutSeconds, !replicas[replica].timeoutTimerPending,
              let oldest = replicas[replica].ownQueue.first
        else { return }
        replicas[replica].timeoutTimerPending = true
        events.schedule(.replicaQueueTimeoutDue(deployment: index, replica: Int32(replica)),
                        at: max(oldest.arrival + timeout, events.now))
    }

    func replicaQueueTimeoutDue(_ replica: Int, events: inout EventQueue<SimulationEvent>) {
        replicas[replica].timeoutTimerPending = false
        guard let timeout = spec.queue.timeoutSeconds else { return }
        while let oldest = replicas[replica].ownQueue.first, oldest.arrival + timeout <= events.now {
            replicas[replica].ownQueue.removeFirst()
            queuedAtReplicas -= 1
            recordTimeout(oldest)
        }
        armReplicaTimeoutTimer(replica, events: &events)
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
