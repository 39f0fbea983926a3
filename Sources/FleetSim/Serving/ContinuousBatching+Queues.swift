/// Where continuous batching's requests wait: one central queue that any replica with room takes from (the router
/// only picks which replica is told first), or a queue per replica that the router fills on arrival (decisions.md
/// #24). Capacity bounds all requests waiting, in the central queue or over every replica's own queue.
extension ContinuousBatching {
    func arrive(_ request: Request) {
        if let budget = kvTokenBudget, reservation(request) > budget {
            // It could never be admitted; a real server refuses it at once.
            recorder.ended(request, .rejected)
            return
        }
        switch queueing {
        case .central:
            queue.append(request)
            nudgeReplicaWithRoom(for: request)
            keepWithinCapacity()
        case .perReplica:
            routeToOwnQueue(request, rejectingOverCapacity: true)
        }
    }

    /// The arrival just queued centrally is rejected if the requests left waiting exceed the capacity, once replicas
    /// had their chance to take it; the waiting ones were within it before, so the newcomer is still last.
    private func keepWithinCapacity() {
        if let capacity = queue.capacity, queue.count + queuedAtReplicas > capacity {
            recorder.ended(queue.removeLast(), .rejected)
            return
        }
        queue.armTimeout(timers, .queueTimeout)
    }

    /// Where per-replica queueing sends an arrival: a ready replica, or, while none is (all reclaimed), one that is
    /// starting and will serve its queue once ready.
    private var routableReplicas: [Int] {
        fleet.active.isEmpty ? fleet.starting : fleet.active
    }

    /// Central queue: tells a replica with room for `request` to look at the queue. An idle replica is preferred, so
    /// that no replica stays idle while work waits; among the candidates the router picks.
    func nudgeReplicaWithRoom(for request: Request, except busyOne: Int? = nil) {
        if indexesHeld {
            // With the default router the replica told is the earliest-ready one holding the fewest requests that
            // has room: idle ones hold none, so they come first, as below. When the fewest are too many for the
            // concurrency, no replica has room; when that replica lacks KV room, another may have it: the scan.
            guard let least = leastHeld.leastHeld(excluding: busyOne), least.held < maxConcurrency else { return }
            if hasRoom(least.replica, for: request) {
                nudge(least.replica)
                return
            }
        }
        // The idle replicas with room if there are any, else all with room; gathered in one pass into a buffer
        // kept between calls (this runs for every arrival and every wake).
        candidates.removeAll(keepingCapacity: true)
        var foundIdle = false
        for replica in fleet.active where replica != busyOne && hasRoom(replica, for: request) {
            let idle = !slots[replica].isBusy
            if idle && !foundIdle {
                foundIdle = true
                candidates.removeAll(keepingCapacity: true)
            }
            if idle || !foundIdle { candidates.append(candidate(replica)) }
        }
        if let replica = router.pick(among: candidates, replicaCount: slots.count) {
            nudge(replica)
        }
    }

    /// Routes `request` to a replica's own queue and lets that replica look at it. A new arrival is subject to the
    /// capacity (`rejectingOverCapacity`); a request queued again after a reclaim was already admitted and is not.
    /// With no replica at all (a capacity trace that has not brought one yet), it waits centrally until one starts.
    func routeToOwnQueue(_ request: Request, rejectingOverCapacity: Bool = false) {
        let chosen: Int?
        if indexesHeld, !fleet.active.isEmpty {
            // The default router over every ready replica: the earliest-ready one holding the fewest.
            chosen = leastHeld.leastHeld()?.replica
        } else {
            candidates.removeAll(keepingCapacity: true)
            for replica in routableReplicas { candidates.append(candidate(replica)) }
            chosen = router.pick(among: candidates, replicaCount: slots.count)
        }
        guard let replica = chosen else {
            queue.append(request)
            keepWithinCapacity()
            return
        }
        slots[replica].ownQueue.append(request)
        queuedAtReplicas += 1
        heldChanged(replica)
        nudge(replica)
        if rejectingOverCapacity, let capacity = queueSpec.capacity, queuedAtReplicas > capacity {
            recorder.ended(slots[replica].ownQueue.removeLast(), .rejected)
            queuedAtReplicas -= 1
            heldChanged(replica)
            return
        }
        slots[replica].ownQueue.armTimeout(timers, .replicaQueueTimeout, slot: replica)
    }

    func replicaReady(_ replica: Int) {
        slots[replica].load.since = timers.now
        if indexesHeld { leastHeld.insert(replica, held: held(replica)) }
        if queueing == .central, let head = queue.first {
            nudgeReplicaWithRoom(for: head)
        } else {
            // Requests held while no replica existed are routed now.
            for request in queue.takeAll() { routeToOwnQueue(request) }
            nudge(replica)
        }
    }

    func stopTaking(_ replica: Int) {
        if indexesHeld { leastHeld.remove(replica) }
    }

    func reroute(from replica: Int) {
        guard queueing == .perReplica, !slots[replica].ownQueue.isEmpty else { return }
        let waiting = slots[replica].ownQueue.takeAll()
        queuedAtReplicas -= waiting.count
        heldChanged(replica)
        for request in waiting { routeToOwnQueue(request) }
    }

    func requeue(_ requests: [Request]) {
        guard !requests.isEmpty else { return }
        if queueing == .perReplica {
            for request in requests { routeToOwnQueue(request) }
            return
        }
        queue.prepend(requests)
        queue.armTimeoutForNewHead(timers, .queueTimeout)
        nudgeReplicaWithRoom(for: requests[0])
    }

    // MARK: What routers weigh

    private func candidate(_ replica: Int) -> RouteCandidate {
        RouteCandidate(
            replica: replica,
            outstanding: slots[replica].running.count + slots[replica].joining.count + slots[replica].ownQueue.count,
            occupancy: weighsOccupancy ? occupancy(replica) : 0)
    }

    private func occupancy(_ replica: Int) -> Double {
        let sequences = Double(slots[replica].running.count + slots[replica].joining.count + slots[replica].ownQueue.count)
        var level = sequences / Double(max(maxConcurrency, 1))
        if let budget = kvTokenBudget {
            let queued = slots[replica].ownQueue.requests.reduce(0) { $0 + reservation($1) }
            level = max(level, Double(slots[replica].reservedTokens + queued) / Double(budget))
        }
        return level
    }
}
