import FleetSimKernel

/// Sizing the fleet: the metric pipeline scrapes the replicas, the autoscaler sets a replica count every sync
/// period, and `reconcile` adds replicas where the placement rule says or drains the ones scale-in picks.
///
/// The autoscaler's count covers every replica, as a Kubernetes HPA's covers every pod; reserved instances and the
/// nodes of a replayed capacity trace are not the autoscaler's to add or remove, so the managed pools hold the rest.
extension ServingDeployment {
    func startAutoscaling(events: inout EventQueue<SimulationEvent>) {
        guard let autoscalerSpec = spec.autoscaler else { return }
        if autoscalerSpec.metrics.scrapeSeconds > 0 {
            events.schedule(.metricsScrape(deployment: index), at: autoscalerSpec.metrics.scrapeSeconds)
        }
        events.schedule(.autoscalerSync(deployment: index), at: 0)
    }

    // MARK: Metrics

    /// The replica's load for the utilization metric (ScalingMetric.utilization), integrated up to `now`.
    func updateLoad(_ replica: Int, now: Double) {
        replicas[replica].loadArea += replicas[replica].loadLevel * (now - replicas[replica].loadSince)
        replicas[replica].loadSince = now
        if isContinuous {
            let sequences = Double(replicas[replica].running.count + replicas[replica].joining.count)
            var level = sequences / Double(max(maxConcurrency, 1))
            if let budget = kvTokenBudget { level = max(level, Double(replicas[replica].reservedTokens) / Double(budget)) }
            replicas[replica].loadLevel = level
        } else {
            replicas[replica].loadLevel = replicas[replica].batch.isEmpty ? 0 : 1
        }
    }

    func scrapeMetrics(events: inout EventQueue<SimulationEvent>) {
        guard var pipeline else { return }
        let now = events.now
        let interval = now - lastScrape
        let arrivalsPerSecond = Double(total.arrivals - arrivalsAtScrape) / interval
        let ready = activeReplicas.count
        let centralShare = ready > 0 ? Double(queue.count) / Double(ready) : 0
        var pods: [PodReading] = []
        // Ready replicas report every metric; those loading their model only utilization.
        for replica in (activeReplicas + startingList.filter { replicas[$0].loading }).sorted() {
            updateLoad(replica, now: now)
            let isReady = replicas[replica].state == .ready
            pods.append(PodReading(
                replica: replica,
                ready: isReady && replicas[replica].readySince <= lastScrape + 1e-9,
                serving: isReady,
                utilization: (replicas[replica].loadArea - replicas[replica].loadAreaAtScrape) / interval,
                concurrency: Double(replicas[replica].held),
                queueLength: Double(replicas[replica].ownQueue.count) + centralShare,
                requestsPerSecond: ready > 0 ? arrivalsPerSecond / Double(ready) : 0))
            replicas[replica].loadAreaAtScrape = replicas[replica].loadArea
        }
        pipeline.publish(MetricSample(
            time: now, pods: pods, totalQueueLength: Double(queue.count + queuedAtReplicas),
            totalInFlight: Double(inFlight), arrivalsPerSecond: arrivalsPerSecond))
        self.pipeline = pipeline
        lastScrape = now
        arrivalsAtScrape = total.arrivals
        events.schedule(.metricsScrape(deployment: index), at: now + pipeline.spec.scrapeSeconds)
    }

    // MARK: Decisions

    func autoscalerSync(events: inout EventQueue<SimulationEvent>) {
        guard let autoscalerSpec = spec.autoscaler, var autoscaler, let pipeline else { return }
        let now = events.now
        let pods = (activeReplicas + startingList).sorted().map { FleetView.Pod(replica: $0, ready: replicas[$0].state == .ready) }
        let view = FleetView(current: scaleTarget, pods: pods, samples: pipeline.visible(at: now))
        var decision = autoscaler.decide(now: now, view: view)
        self.autoscaler = autoscaler
        // The policy's own bounds hold even before it has metrics (Kubernetes rescales a target outside
        // [min, max] at once); then the schedule's floor and ceiling.
        let bounds = autoscalerSpec.replicaBounds
        if !(bounds ~= decision.replicas) && !(decision.replicas == 0 && scaleTarget == 0) {
            decision.replicas = min(max(decision.replicas, bounds.lowerBound), bounds.upperBound)
            decision.basis += "; held within \(bounds.lowerBound)–\(bounds.upperBound)"
        }
        if let rule = autoscalerSpec.schedule.first(where: { $0.applies(at: now) }) {
            let bounded = min(max(decision.replicas, rule.minReplicas ?? 0), rule.maxReplicas ?? Int.max)
            if bounded != decision.replicas {
                decision.replicas = bounded
                decision.basis += "; schedule sets \(bounded)"
            }
        }
        let before = scaleTarget
        scaleTarget = decision.replicas
        let kind: FleetEvent.Kind = decision.replicas > before ? .scaleUp : decision.replicas < before ? .scaleDown : .hold
        if kind == .scaleUp { window.scaleUps += 1; total.scaleUps += 1 }
        if kind == .scaleDown { window.scaleDowns += 1; total.scaleDowns += 1 }
        // A fixed count decides nothing between schedule changes; every other policy's decision is a row.
        if kind != .hold || !isFixed(autoscalerSpec) {
            observer?(FleetEvent(
                timeSeconds: now, deployment: spec.name, kind: kind, pool: nil, replicasBefore: before,
                replicasAfter: decision.replicas, detail: decision.basis))
        }
        let unmanaged = spec.pools.indices.filter { !spec.pools[$0].isManaged }.reduce(0) { $0 + liveInstances[$1] }
        managedTarget = max(decision.replicas - unmanaged, 0)
        reconcile(events: &events)
        // A fixed count changes only where a schedule rule starts or ends, so it is decided exactly then.
        let next = isFixed(autoscalerSpec)
            ? nextScheduleBoundary(autoscalerSpec.schedule, after: now)
            : now + autoscalerSpec.policy.syncPeriodSeconds
        if let next { events.schedule(.autoscalerSync(deployment: index), at: next) }
    }

    private func isFixed(_ autoscalerSpec: AutoscalerSpec) -> Bool {
        if case .fixed = autoscalerSpec.policy { return true }
        return false
    }

    /// The first instant after `time` at which a schedule rule may start or stop applying.
    private func nextScheduleBoundary(_ rules: [ScheduleRule], after time: Double) -> Double? {
        let today = (time / 86_400).rounded(.down) * 86_400
        let boundaries = rules.flatMap { rule in
            (0...8).flatMap { day in [rule.fromSeconds, rule.toSeconds].map { today + Double(day) * 86_400 + $0 } }
        }
        return boundaries.filter { $0 > time + 1e-9 }.min()
    }

    // MARK: Reconciling

    /// Starts or removes managed replicas until they match `managedTarget`. A replacement for a reclaimed instance
    /// tries the reclaimed instance's pool first.
    func reconcile(preferring preferred: Int? = nil, events: inout EventQueue<SimulationEvent>) {
        let managed = spec.pools.indices.filter { spec.pools[$0].isManaged }
        var live = managed.reduce(0) { $0 + liveInstances[$1] }
        while live < managedTarget {
            guard place(preferring: preferred, events: &events) else { break }
            live += 1
        }
        while live > managedTarget, let victim = scaleInVictim() {
            retire(victim, events: &events)
            live -= 1
        }
    }

    func fleetRetry(events: inout EventQueue<SimulationEvent>) {
        retryPending = false
        reconcile(events: &events)
    }

    /// Starts one replica in the first pool the placement rule allows that has room and grants the instance.
    /// Returns false when none does; after a failed acquisition, a retry is scheduled.
    private func place(preferring preferred: Int?, events: inout EventQueue<SimulationEvent>) -> Bool {
        var retryAfter: Double?
        for pool in placementCandidates(preferring: preferred) where liveInstances[pool] < spec.pools[pool].max {
            if let acquisition = spec.pools[pool].acquisition,
               acquisitionStream.uniform() < acquisition.failureProbability {
                retryAfter = min(retryAfter ?? .infinity, acquisition.retrySeconds)
                let serving = activeReplicas.count + drainingReplicas
                observer?(FleetEvent(
                    timeSeconds: events.now, deployment: spec.name, kind: .acquisitionFailed,
                    pool: spec.pools[pool].purchase, replicasBefore: serving, replicasAfter: serving,
                    detail: "no \(spec.pools[pool].purchase.rawValue) capacity in pool \(pool)"))
                continue
            }
            startReplica(inPool: pool, reason: "pool \(pool), \(spec.pools[pool].purchase.rawValue)", events: &events)
            return true
        }
        if let retryAfter, !retryPending {
            retryPending = true
            events.schedule(.fleetRetry(deployment: index), at: events.now + retryAfter)
        }
        return false
    }

    /// Pools to try for a new replica, in order.
    private func placementCandidates(preferring preferred: Int?) -> [Int] {
        switch spec.placement {
        case .ordered(let order):
            let base = order.isEmpty ? spec.pools.indices.filter { spec.pools[$0].isManaged } : order
            guard let preferred, spec.pools[preferred].isManaged else { return base }
            return [preferred] + base.filter { $0 != preferred }
        case .mixed:
            // EC2 Auto Scaling keeps the split rather than fall back: a pool without capacity is retried.
            guard let (onDemand, spot) = mixedPools else { return [] }
            let wanted = onDemandShare(of: liveInstances[onDemand] + liveInstances[spot] + 1)
            return [liveInstances[onDemand] < wanted ? onDemand : spot]
        }
    }

    private var mixedPools: (onDemand: Int, spot: Int)? {
        guard let onDemand = spec.pools.indices.first(where: { spec.pools[$0].purchase == .onDemand && spec.pools[$0].isManaged }),
              let spot = spec.pools.indices.first(where: { spec.pools[$0].purchase == .spot && spec.pools[$0].isManaged })
        else { return nil }
        return (onDemand, spot)
    }

    /// On-demand replicas among `total` under the mixed-instances rule.
    func onDemandShare(of total: Int) -> Int {
        guard case .mixed(let base, let aboveBase) = spec.placement else { return 0 }
        let above = max(total - base, 0)
        return min(total, base) + Int((Double(above) * aboveBase - 1e-9).rounded(.up))
    }

    // MARK: Scale-in

    /// The replica scale-in removes next: in the pool last in placement order (or the one over its mixed share)
    /// that is above its minimum, a starting replica first (newest first), else the ready one holding least work.
    private func scaleInVictim() -> Int? {
        let order: [Int]
        switch spec.placement {
        case .ordered(let preference):
            order = (preference.isEmpty ? spec.pools.indices.filter { spec.pools[$0].isManaged } : preference).reversed()
        case .mixed:
            guard let (onDemand, spot) = mixedPools else { return nil }
            let wanted = onDemandShare(of: liveInstances[onDemand] + liveInstances[spot] - 1)
            order = liveInstances[onDemand] > wanted ? [onDemand, spot] : [spot, onDemand]
        }
        for pool in order where liveInstances[pool] > spec.pools[pool].min {
            if let newest = startingList.last(where: { replicas[$0].pool == pool }) { return newest }
            let ready = activeReplicas.filter { replicas[$0].pool == pool }
            if let least = ready.min(by: { (replicas[$0].held, -$0) < (replicas[$1].held, -$1) }) { return least }
        }
        return nil
    }

    /// Removes a replica for scale-in: a starting one is cancelled; a ready one drains (finishes what it holds,
    /// takes nothing new) and ends when idle or at the drain timeout.
    private func retire(_ replica: Int, events: inout EventQueue<SimulationEvent>) {
        guard replicas[replica].state == .ready else {
            cancelStart(replica, events: &events)
            return
        }
        let servingBefore = activeReplicas.count + drainingReplicas
        beginDraining(replica)
        replicas[replica].drainingForScaleIn = true
        observer?(FleetEvent(
            timeSeconds: events.now, deployment: spec.name, kind: .drain,
            pool: spec.pools[replicas[replica].pool].purchase, replicasBefore: servingBefore,
            replicasAfter: servingBefore,
            detail: "replica \(replica) draining \(replicas[replica].held) requests (timeout \(Int(spec.drainTimeoutSeconds)) s)"))
        rerouteOwnQueue(of: replica, events: &events)
        if replicas[replica].isBusy {
            events.schedule(.replicaGone(deployment: index, replica: Int32(replica)), at: events.now + spec.drainTimeoutSeconds)
        } else {
            removeInstance(replica, events: &events)
        }
    }
}
