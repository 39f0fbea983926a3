/// A replica's life, which spans the fleet, the serving engine and the meter: an instance is requested (billed from
/// then on, decisions.md #28), provisioned, loads the model (or starts warm), and serves once ready; spot instances
/// are reclaimed with notice; draining replicas end.
///
/// A reclaim notice takes the replica out of rotation (it finishes what it can, takes nothing new) and the fleet is
/// reconciled at once, which requests a replacement (the reclaimed instance's pool first). When the notice ends the
/// instance is gone: work still running on it is lost and queued again, ahead of later arrivals since it arrived
/// earlier (or failed, with `lostWork: fail`). A replica drained by scale-in ends the same way at its drain timeout,
/// or as soon as it is idle.
extension ReplicaDeployment {
    /// Requests an instance in `pool`; it serves after provisioning and the model load, or after a warm start when
    /// the pool has a warm instance (which is then replaced in the warm pool).
    @discardableResult
    func startReplica(inPool pool: Int, reason: String) -> Int {
        let now = timers.now
        let started = fleet.add(inPool: pool, at: now)
        engine.addReplica()
        let serving = fleet.serving
        let purchase = spec.pools[pool].purchase
        if let warmPool = spec.pools[pool].warmPool, warm.take(fromPool: pool) {
            let times = startup.warm(warmPool)
            timers.set(.warmInstanceReady, slot: pool, at: now + times.refill)
            fleet.setLoading(started, at: now)
            fleetEvent(.provision, pool: purchase, at: now, before: serving, after: serving,
                       "replica \(started) (\(reason)): warm start \(Self.seconds(times.start)); warm pool refill requested")
            timers.set(.replicaReady, slot: started, at: now + times.start)
        } else {
            let times = startup.cold()
            fleetEvent(.provision, pool: purchase, at: now, before: serving, after: serving,
                       "replica \(started) (\(reason)): provisioning \(Self.seconds(times.provision)), model load \(Self.seconds(times.load))")
            fleet.setLoadSeconds(started, times.load)
            timers.set(.replicaLoading, slot: started, at: now + times.provision)
        }
        meter.started(pool: pool, warm: warm)
        return started
    }

    /// Provisioning is over; the model loads.
    func replicaLoading(_ replica: Int) {
        guard fleet[replica].state == .starting else { return }
        fleet.setLoading(replica, at: timers.now)
        fleetEvent(.loading, pool: spec.pools[fleet[replica].pool].purchase, at: timers.now, before: fleet.serving,
                   after: fleet.serving, "replica \(replica) provisioned; loading the model")
        timers.set(.replicaReady, slot: replica, at: timers.now + fleet[replica].loadSeconds)
    }

    /// A warm pool's replacement instance has initialised and stopped.
    func warmInstanceReady(inPool pool: Int) {
        warm.refilled(pool: pool)
        meter.recompute(warm: warm)
    }

    func replicaReady(_ replica: Int) {
        guard fleet[replica].state == .starting else { return }
        let servingBefore = fleet.serving
        fleet.becomeReady(replica, at: timers.now)
        recorder.count(\.fleet.coldStarts)
        fleetEvent(.ready, pool: spec.pools[fleet[replica].pool].purchase, at: timers.now, before: servingBefore,
                   after: servingBefore + 1, "replica \(replica) ready")
        scheduleReclaim(replica)
        engine.replicaReady(replica)
    }

    // MARK: Reclaims

    func scheduleReclaim(_ replica: Int) {
        if let time = reclaims.noticeTime(pool: fleet[replica].pool, now: timers.now) {
            timers.set(.reclaimNotice, slot: replica, at: time)
        }
    }

    func scheduleStorm(inPool pool: Int) {
        if let time = reclaims.stormTime(pool: pool, now: timers.now) {
            timers.set(.reclaimStorm, slot: pool, at: time)
        }
    }

    /// A correlated reclaim: a share of the pool's ready replicas, chosen at random, get their notice together.
    func reclaimStorm(inPool pool: Int) {
        for victim in reclaims.stormVictims(pool: pool, among: fleet.active.filter { fleet[$0].pool == pool }) {
            reclaimNotice(victim)
        }
        scheduleStorm(inPool: pool)
    }

    /// One step of a replayed capacity trace: a node arrives (a replica starts cold), or a node's removal is
    /// announced (its replica gets the notice, or is dropped if it has not started serving). Steps are chained, so
    /// only one is pending.
    func capacityChange(_ change: Int) {
        let step = reclaims.capacitySchedule[change]
        if step.isAdd {
            reclaims.nodeReplicas[step.node] = startReplica(inPool: step.pool, reason: "node \(step.node) added by the capacity trace")
        } else if let replica = reclaims.nodeReplicas.removeValue(forKey: step.node) {
            switch fleet[replica].state {
            case .ready:
                reclaimNotice(replica, replace: false)
            case .starting:
                cancelStart(replica, byProvider: true)
                recorder.count(\.fleet.spotReclaims)
            case .draining, .gone:
                break
            }
        }
        if change + 1 < reclaims.capacitySchedule.count {
            timers.set(.capacityChange, slot: change + 1, at: max(reclaims.capacitySchedule[change + 1].time, timers.now))
        }
    }

    func reclaimNotice(_ replica: Int, replace: Bool = true) {
        guard fleet[replica].state == .ready else { return }
        let now = timers.now
        let pool = fleet[replica].pool
        let notice = spec.pools[pool].reclaim?.noticeSeconds ?? 0
        let servingBefore = fleet.serving
        fleet.beginDraining(replica, forScaleIn: false)
        engine.stopTaking(replica)
        recorder.count(\.fleet.spotReclaims)
        fleetEvent(.reclaimNotice, pool: spec.pools[pool].purchase, at: now, before: servingBefore, after: servingBefore,
                   "replica \(replica): \(Int(notice)) s notice" + (replace ? "; replacement requested" : ""))
        if replace {
            reconcile(preferring: pool)
        }
        // Requests waiting at this replica go elsewhere now rather than wait for an instance that will vanish.
        engine.reroute(from: replica)
        timers.set(.replicaGone, slot: replica, at: now + notice)
    }

    // MARK: Ending

    /// A draining replica's time is up (its reclaim notice, or its scale-in drain timeout).
    func replicaGone(_ replica: Int) {
        guard fleet[replica].state == .draining else { return }
        removeInstance(replica)
    }

    /// Terminates a draining replica: work still on it is lost and queued again (or failed); billing stops, after
    /// the pool's minimum billed duration when FleetSim terminated it.
    func removeInstance(_ replica: Int) {
        let now = timers.now
        let pool = fleet[replica].pool
        let scaleIn = fleet[replica].drainingForScaleIn
        var lost = engine.evict(replica)
        fleet.remove(replica)
        meter.stopped(pool: pool, ranFor: now - fleet[replica].requestedAt, byProvider: !scaleIn, warm: warm)
        recorder.count(scaleIn ? \.fleet.lostToScaleIn : \.fleet.lostToReclaim, by: lost.count)
        let servingAfter = fleet.serving
        let fails = !scaleIn && spec.pools[pool].reclaim?.lostWork == .fail
        fleetEvent(scaleIn ? .terminate : .reclaim, pool: spec.pools[pool].purchase, at: now, before: servingAfter + 1,
                   after: servingAfter, "replica \(replica) \(scaleIn ? "terminated after draining" : "reclaimed"); "
                    + "\(lost.count) requests lost and " + (fails ? "failed" : "queued again"))
        if fails {
            for request in lost { recorder.ended(request, .failed) }
        } else {
            lost.sort { $0.arrival < $1.arrival }
            engine.requeue(lost)
        }
        engine.reroute(from: replica)
    }

    /// Gives up a replica that has not started serving (scale-in, or its node left a capacity trace).
    func cancelStart(_ replica: Int, byProvider: Bool = false) {
        let pool = fleet[replica].pool
        fleet.cancel(replica)
        meter.stopped(pool: pool, ranFor: timers.now - fleet[replica].requestedAt, byProvider: byProvider, warm: warm)
        engine.reroute(from: replica)
        fleetEvent(.terminate, pool: spec.pools[pool].purchase, at: timers.now, before: fleet.serving,
                   after: fleet.serving, "replica \(replica) cancelled while starting")
    }

    static func seconds(_ value: Double) -> String {
        value < 10 ? "\(Double(Int(value * 10)) / 10) s" : "\(Int(value.rounded())) s"
    }
}
