/// Sizing the fleet: the control loop's scrapes read the replicas, its decisions set a replica count, and
/// `reconcile` adds replicas where the placement rule says or drains the ones scale-in picks.
extension ReplicaDeployment {
    /// One scrape: every ready replica reports each metric; one loading its model reports only utilization.
    func scrapeMetrics() {
        guard let control else { return }
        let now = timers.now
        let interval = now - control.lastScrape
        let arrivals = engine.arrivalsSoFar(counted: recorder.total.requests.arrivals, now: now)
        let arrivalsPerSecond = (arrivals - control.arrivalsAtScrape) / interval
        let ready = fleet.active.count
        let totals = engine.totalsRead()
        let centralShare = ready > 0 ? totals.centralQueue / Double(ready) : 0
        var pods: [PodReading] = []
        for replica in (fleet.active + fleet.starting.filter { fleet[$0].loading }).sorted() {
            let load = engine.scrapeLoad(replica, now: now)
            let isReady = fleet[replica].state == .ready
            let waiting = engine.ownQueueLength(replica)
            let held = engine.heldRead(replica)
            pods.append(PodReading(
                replica: replica,
                serving: isReady,
                utilization: load / interval,
                concurrency: held,
                running: held - Double(waiting),
                queueLength: Double(waiting) + centralShare,
                requestsPerSecond: ready > 0 ? arrivalsPerSecond / Double(ready) : 0))
        }
        control.published(
            MetricSample(
                time: now, pods: pods, totalQueueLength: totals.queued, totalInFlight: totals.inFlight,
                arrivalsPerSecond: arrivalsPerSecond,
                gpusPerReplica: spec.instance.gpus),
            arrivals: arrivals)
    }

    /// A sync: the policy decides, the decision is a row of `events.csv` (decisions.md #34), and the managed pools
    /// are reconciled to it.
    func autoscalerSync() {
        guard let control else { return }
        let now = timers.now
        let pods = (fleet.active + fleet.starting).sorted().map { replica in
            FleetView.Pod(replica: replica, startedAt: fleet[replica].loadingSince,
                          readyAt: fleet[replica].state == .ready ? fleet[replica].readySince : nil)
        }
        let (decision, before, kind, logged) = control.decide(now: now, pods: pods)
        if kind == .scaleUp { recorder.count(\.fleet.scaleUps) }
        if kind == .scaleDown { recorder.count(\.fleet.scaleDowns) }
        if logged {
            fleetEvent(kind, pool: nil, at: now, before: before, after: decision.replicas, decision.basis)
        }
        managedTarget = max(decision.replicas - fleet.liveInstances(managed: false), 0)
        reconcile()
        control.scheduleNextSync(after: now)
    }

    /// Starts or removes managed replicas until they match `managedTarget`. A replacement for a reclaimed instance
    /// tries the reclaimed instance's pool first.
    func reconcile(preferring preferred: Int? = nil) {
        var live = fleet.liveInstances(managed: true)
        while live < managedTarget {
            guard place(preferring: preferred) else { break }
            live += 1
        }
        while live > managedTarget, let victim = placement.scaleInVictim(fleet: fleet, held: engine.held) {
            retire(victim)
            live -= 1
        }
    }

    func fleetRetry() {
        retryPending = false
        reconcile()
    }

    /// Starts one replica in the first pool the placement rule allows that has room and grants the instance.
    /// Returns false when none does; after a failed acquisition, a retry is set.
    private func place(preferring preferred: Int?) -> Bool {
        var retryAfter: Double?
        for pool in placement.candidates(preferring: preferred, live: fleet.live) where fleet.live[pool] < spec.pools[pool].max {
            if let acquisition = spec.pools[pool].acquisition, placement.acquisitionFails(pool: pool) {
                retryAfter = min(retryAfter ?? .infinity, acquisition.retrySeconds)
                fleetEvent(.acquisitionFailed, pool: spec.pools[pool].purchase, at: timers.now, before: fleet.serving,
                           after: fleet.serving, "no \(spec.pools[pool].purchase.rawValue) capacity in pool \(pool)")
                continue
            }
            startReplica(inPool: pool, reason: "pool \(pool), \(spec.pools[pool].purchase.rawValue)")
            return true
        }
        if let retryAfter, !retryPending {
            retryPending = true
            timers.set(.retry, at: timers.now + retryAfter)
        }
        return false
    }

    /// Removes a replica for scale-in: a starting one is cancelled; a ready one drains (finishes what it holds,
    /// takes nothing new) and ends when idle or at the drain timeout (decisions.md #41).
    private func retire(_ replica: Int) {
        guard fleet[replica].state == .ready else {
            cancelStart(replica)
            return
        }
        let servingBefore = fleet.serving
        fleet.beginDraining(replica, forScaleIn: true)
        engine.stopTaking(replica)
        fleetEvent(.drain, pool: spec.pools[fleet[replica].pool].purchase, at: timers.now, before: servingBefore,
                   after: servingBefore,
                   "replica \(replica) draining \(engine.held(replica)) requests (timeout \(Int(spec.drainTimeoutSeconds)) s)")
        engine.reroute(from: replica)
        if engine.isBusy(replica) {
            timers.set(.replicaGone, slot: replica, at: timers.now + spec.drainTimeoutSeconds)
        } else {
            removeInstance(replica)
        }
    }
}
