import DequeModule
import FleetSimKernel

/// Replicas come and go: instances are requested, provisioned, load the model (or start warm) and join when ready;
/// spot instances are reclaimed with notice; draining replicas end.
///
/// A reclaim notice takes the replica out of rotation (it finishes what it can, takes nothing new) and the fleet
/// is reconciled at once, which requests a replacement (FleetControl.swift; the reclaimed instance's pool first).
/// When the notice ends the instance is gone: work still running on it is lost and queued again, ahead of later
/// arrivals since it arrived earlier (or failed, with `lostWork: fail`). A replica drained by scale-in ends the same
/// way at its drain timeout, or as soon as it is idle. Replica indices are never reused, so events of a gone replica
/// are recognised and ignored.
extension ServingDeployment {
    /// Schedules the first reclaim of every spot instance present at time 0, and the first change of each capacity
    /// trace.
    func start(events: inout EventQueue<SimulationEvent>) {
        for replica in replicas.indices {
            scheduleReclaim(replica, events: &events)
        }
        if let first = capacitySchedule.first {
            events.schedule(.capacityChange(deployment: index, change: 0), at: first.time)
        }
        for pool in spec.pools.indices {
            scheduleStorm(inPool: pool, events: &events)
            if let first = spec.pools[pool].priceSteps.first {
                events.schedule(.priceChange(deployment: index, pool: Int32(pool), step: 0), at: first.atSeconds)
            }
        }
        startAutoscaling(events: &events)
    }

    private func scheduleStorm(inPool pool: Int, events: inout EventQueue<SimulationEvent>) {
        guard let storms = spec.pools[pool].reclaim?.storms, storms.perDay > 0 else { return }
        let days = stormStream.unitExponential() / storms.perDay
        events.schedule(.reclaimStorm(deployment: index, pool: Int32(pool)), at: events.now + days * 86_400)
    }

    /// A correlated reclaim: a share of the pool's ready replicas, chosen at random, get their notice together.
    func reclaimStorm(inPool pool: Int, events: inout EventQueue<SimulationEvent>) {
        var candidates = activeReplicas.filter { replicas[$0].pool == pool }
        let fraction = spec.pools[pool].reclaim?.storms?.fraction ?? 0
        let count = min(Int((fraction * Double(candidates.count)).rounded(.up)), candidates.count)
        for taken in 0..<count {
            // A partial Fisher–Yates shuffle: the first `count` places hold a uniform random subset.
            let pick = taken + stormStream.index(below: candidates.count - taken)
            candidates.swapAt(taken, pick)
            reclaimNotice(candidates[taken], events: &events)
        }
        scheduleStorm(inPool: pool, events: &events)
    }

    /// One step of a replayed capacity trace: a node arrives (a replica starts cold), or a node's removal is
    /// announced (its replica gets the notice, or is dropped if it has not started serving). Steps are chained, so
    /// only one is pending.
    func capacityChange(_ change: Int, events: inout EventQueue<SimulationEvent>) {
        let step = capacitySchedule[change]
        if step.isAdd {
            nodeReplicas[step.node] = startReplica(inPool: step.pool, reason: "node \(step.node) added by the capacity trace", events: &events)
        } else if let replica = nodeReplicas.removeValue(forKey: step.node) {
            switch replicas[replica].state {
            case .ready:
                reclaimNotice(replica, replace: false, events: &events)
            case .starting:
                cancelStart(replica, byProvider: true, events: &events)
                window.spotReclaims += 1
                total.spotReclaims += 1
            case .draining, .gone:
                break
            }
        }
        if change + 1 < capacitySchedule.count {
            events.schedule(.capacityChange(deployment: index, change: Int32(change + 1)),
                            at: max(capacitySchedule[change + 1].time, events.now))
        }
    }

    private func scheduleReclaim(_ replica: Int, events: inout EventQueue<SimulationEvent>) {
        guard let reclaim = spec.pools[replicas[replica].pool].reclaim, reclaim.perHour > 0 else { return }
        let hoursToReclaim = reclaimStream.unitExponential() / reclaim.perHour
        events.schedule(.reclaimNotice(deployment: index, replica: Int32(replica)), at: events.now + hoursToReclaim * 3600)
    }

    func reclaimNotice(_ replica: Int, replace: Bool = true, events: inout EventQueue<SimulationEvent>) {
        guard replicas[replica].state == .ready else { return }
        let now = events.now
        let pool = replicas[replica].pool
        let notice = spec.pools[pool].reclaim?.noticeSeconds ?? 0
        let servingBefore = activeReplicas.count + drainingReplicas
        beginDraining(replica)
        window.spotReclaims += 1
        total.spotReclaims += 1
        observer?(FleetEvent(
            timeSeconds: now, deployment: spec.name, kind: .reclaimNotice, pool: spec.pools[pool].purchase,
            replicasBefore: servingBefore, replicasAfter: servingBefore,
            detail: "replica \(replica): \(Int(notice)) s notice" + (replace ? "; replacement requested" : "")))
        if replace {
            reconcile(preferring: pool, events: &events)
        }
        // Requests waiting at this replica go elsewhere now rather than wait for an instance that will vanish.
        rerouteOwnQueue(of: replica, events: &events)
        events.schedule(.replicaGone(deployment: index, replica: Int32(replica)), at: now + notice)
    }

    /// Takes a ready replica out of rotation: it finishes what it holds and takes nothing new.
    func beginDraining(_ replica: Int) {
        replicas[replica].state = .draining
        activeReplicas.removeAll { $0 == replica }
        idle.removeAll { $0 == Int32(replica) }
        drainingReplicas += 1
        liveInstances[replicas[replica].pool] -= 1
    }

    /// A draining replica's time is up (its reclaim notice, or its scale-in drain timeout).
    func replicaGone(_ replica: Int, events: inout EventQueue<SimulationEvent>) {
        guard replicas[replica].state == .draining else { return }
        removeInstance(replica, events: &events)
    }

    /// Terminates a draining replica: work still on it is lost and queued again; billing stops (after the pool's
    /// minimum billed duration).
    func removeInstance(_ replica: Int, events: inout EventQueue<SimulationEvent>) {
        let now = events.now
        let pool = replicas[replica].pool
        let scaleIn = replicas[replica].drainingForScaleIn
        var lost = replicas[replica].batch + replicas[replica].joining + replicas[replica].running.map(\.request)
        if replicas[replica].isBusy { busyReplicas -= 1 }
        inService -= lost.count
        replicas[replica].batch.removeAll()
        replicas[replica].joining.removeAll()
        replicas[replica].running.removeAll()
        replicas[replica].prefillEnds = nil
        replicas[replica].reservedTokens = 0
        replicas[replica].epoch &+= 1
        replicas[replica].dueAt = .infinity
        replicas[replica].state = .gone
        drainingReplicas -= 1
        endBilling(replica, now: now, byProvider: !scaleIn)
        if scaleIn {
            window.lostToScaleIn += lost.count
            total.lostToScaleIn += lost.count
        } else {
            window.lostToReclaim += lost.count
            total.lostToReclaim += lost.count
        }
        let servingAfter = activeReplicas.count + drainingReplicas
        let what = scaleIn ? "terminated after draining" : "reclaimed"
        let fails = !scaleIn && spec.pools[pool].reclaim?.lostWork == .fail
        observer?(FleetEvent(
            timeSeconds: now, deployment: spec.name, kind: scaleIn ? .terminate : .reclaim, pool: spec.pools[pool].purchase,
            replicasBefore: servingAfter + 1, replicasAfter: servingAfter,
            detail: "replica \(replica) \(what); \(lost.count) requests lost and " + (fails ? "failed" : "queued again")))
        if fails {
            for request in lost { recordFailure(request) }
        } else {
            lost.sort { $0.arrival < $1.arrival }
            requeue(lost, events: &events)
        }
        rerouteOwnQueue(of: replica, events: &events)
    }

    /// Stops billing an instance. One FleetSim terminates is charged the rest of the pool's minimum billed duration
    /// if it ran for less; one the provider takes back is billed for the seconds it ran, with no minimum (AWS waives
    /// even those for a Linux spot instance interrupted in its first hour; FleetSim keeps the conservative bill).
    private func endBilling(_ replica: Int, now: Double, byProvider: Bool) {
        let pool = replicas[replica].pool
        let poolSpec = spec.pools[pool]
        billedInstances[pool] -= 1
        updateCostPerSecond()
        let shortfall = poolSpec.minimumBilledSeconds - (now - replicas[replica].requestedAt)
        if shortfall > 0 && !byProvider {
            window.cost[poolSpec.purchase] += shortfall * pricePerHour[pool] / 3600
        }
    }

    /// Gives up a replica that has not started serving (scale-in, or its node left a capacity trace).
    func cancelStart(_ replica: Int, byProvider: Bool = false, events: inout EventQueue<SimulationEvent>) {
        let pool = replicas[replica].pool
        replicas[replica].state = .gone
        startingList.removeAll { $0 == replica }
        liveInstances[pool] -= 1
        endBilling(replica, now: events.now, byProvider: byProvider)
        rerouteOwnQueue(of: replica, events: &events)
        observer?(FleetEvent(
            timeSeconds: events.now, deployment: spec.name, kind: .terminate, pool: spec.pools[pool].purchase,
            replicasBefore: activeReplicas.count + drainingReplicas, replicasAfter: activeReplicas.count + drainingReplicas,
            detail: "replica \(replica) cancelled while starting"))
    }

    /// Requests an instance in `pool`; it is billed from now and serves after provisioning and the model load, or
    /// after a warm start when the pool has a warm instance (which is then replaced in the warm pool).
    @discardableResult
    func startReplica(inPool pool: Int, reason: String, events: inout EventQueue<SimulationEvent>) -> Int {
        let now = events.now
        var replica = Replica(pool: pool, state: .starting)
        replica.requestedAt = now
        replicas.append(replica)
        let started = replicas.count - 1
        billedInstances[pool] += 1
        liveInstances[pool] += 1
        startingList.append(started)
        let serving = activeReplicas.count + drainingReplicas
        if warmStopped[pool] > 0, let warm = spec.pools[pool].warmPool {
            warmStopped[pool] -= 1
            warmInitialising[pool] += 1
            let refill = spec.startup.provision.sample(startupStream) + spec.startup.load.sample(startupStream)
            events.schedule(.warmInstanceReady(deployment: index, pool: Int32(pool)), at: now + refill)
            let start = warm.start.sample(warmStartStream)
            replicas[started].loading = true
            observer?(FleetEvent(
                timeSeconds: now, deployment: spec.name, kind: .provision, pool: spec.pools[pool].purchase,
                replicasBefore: serving, replicasAfter: serving,
                detail: "replica \(started) (\(reason)): warm start \(Self.seconds(start)); warm pool refill requested"))
            events.schedule(.replicaReady(deployment: index, replica: Int32(started)), at: now + start)
        } else {
            let provision = spec.startup.provision.sample(startupStream)
            let load = spec.startup.load.sample(startupStream)
            observer?(FleetEvent(
                timeSeconds: now, deployment: spec.name, kind: .provision, pool: spec.pools[pool].purchase,
                replicasBefore: serving, replicasAfter: serving,
                detail: "replica \(started) (\(reason)): provisioning \(Self.seconds(provision)), model load \(Self.seconds(load))"))
            replicas[started].loadSeconds = load
            events.schedule(.replicaLoading(deployment: index, replica: Int32(started)), at: now + provision)
        }
        updateCostPerSecond()
        return started
    }

    /// Provisioning is over; the model loads.
    func replicaLoading(_ replica: Int, events: inout EventQueue<SimulationEvent>) {
        guard replicas[replica].state == .starting else { return }
        replicas[replica].loading = true
        let serving = activeReplicas.count + drainingReplicas
        observer?(FleetEvent(
            timeSeconds: events.now, deployment: spec.name, kind: .loading, pool: spec.pools[replicas[replica].pool].purchase,
            replicasBefore: serving, replicasAfter: serving, detail: "replica \(replica) provisioned; loading the model"))
        events.schedule(.replicaReady(deployment: index, replica: Int32(replica)), at: events.now + replicas[replica].loadSeconds)
    }

    /// A warm pool's replacement instance has initialised and stopped.
    func warmInstanceReady(inPool pool: Int) {
        warmInitialising[pool] -= 1
        warmStopped[pool] += 1
        updateCostPerSecond()
    }

    func replicaReady(_ replica: Int, events: inout EventQueue<SimulationEvent>) {
        guard replicas[replica].state == .starting else { return }
        let servingBefore = activeReplicas.count + drainingReplicas
        replicas[replica].state = .ready
        replicas[replica].readySince = events.now
        replicas[replica].loadSince = events.now
        startingList.removeAll { $0 == replica }
        activeReplicas.append(replica)
        window.coldStarts += 1
        total.coldStarts += 1
        observer?(FleetEvent(
            timeSeconds: events.now, deployment: spec.name, kind: .ready, pool: spec.pools[replicas[replica].pool].purchase,
            replicasBefore: servingBefore, replicasAfter: servingBefore + 1, detail: "replica \(replica) ready"))
        scheduleReclaim(replica, events: &events)
        if isContinuous {
            if spec.queueing == .central, let head = queue.first {
                nudgeReplicaWithRoom(for: head, events: &events)
            } else {
                // Requests held while no replica existed are routed now.
                let held = Array(queue)
                queue.removeAll()
                for request in held { routeToOwnQueue(request, events: &events) }
                nudge(replica, events: &events)
            }
        } else {
            idle.append(Int32(replica))
            dispatch(events: &events)
        }
    }

    /// Puts lost requests back: at the head of the central queue (they are older than everything in it), or routed
    /// again with per-replica queues.
    private func requeue(_ requests: [Request], events: inout EventQueue<SimulationEvent>) {
        guard !requests.isEmpty else { return }
        if spec.queueing == .perReplica {
            for request in requests { routeToOwnQueue(request, events: &events) }
            return
        }
        queue.insert(contentsOf: requests, at: 0)
        // The timeout timer follows the head; the new head may be due sooner than the pending timer.
        if let timeout = spec.queue.timeoutSeconds {
            events.schedule(.queueTimeoutDue(deployment: index), at: max(requests[0].arrival + timeout, events.now))
        }
        if isContinuous {
            nudgeReplicaWithRoom(for: requests[0], events: &events)
        } else {
            dispatch(events: &events)
        }
    }

    func rerouteOwnQueue(of replica: Int, events: inout EventQueue<SimulationEvent>) {
        guard spec.queueing == .perReplica, !replicas[replica].ownQueue.isEmpty else { return }
        let waiting = Array(replicas[replica].ownQueue)
        replicas[replica].ownQueue.removeAll()
        queuedAtReplicas -= waiting.count
        for request in waiting { routeToOwnQueue(request, events: &events) }
    }

    /// Routes `request` to a replica's own queue and lets that replica look at it. A new arrival is subject to the
    /// capacity (`rejectingOverCapacity`); a request queued again after a reclaim was already admitted and is not.
    func routeToOwnQueue(_ request: Request, rejectingOverCapacity: Bool = false, events: inout EventQueue<SimulationEvent>) {
        guard let replica = route(among: routableReplicas) else {
            holdUntilAReplicaStarts(request, events: &events)
            return
        }
        replicas[replica].ownQueue.append(request)
        queuedAtReplicas += 1
        nudge(replica, events: &events)
        // Capacity bounds all requests waiting at replicas; those were within it before, and each queue is served
        // from its head, so when they are over, the newcomer is still last in its queue.
        if rejectingOverCapacity, let capacity = spec.queue.capacity, queuedAtReplicas > capacity {
            replicas[replica].ownQueue.removeLast()
            queuedAtReplicas -= 1
            recordRejection(request)
            return
        }
        armReplicaTimeoutTimer(replica, events: &events)
    }

    private static func seconds(_ value: Double) -> String {
        value < 10 ? "\(Double(Int(value * 10)) / 10) s" : "\(Int(value.rounded())) s"
    }
}
