import FleetSim
import FleetSimKernel
import Testing

/// Pools under an autoscaler: bounds, placement, failed acquisitions, warm pools, draining and billing.
@Suite struct FleetControlTests {
    static let price = 1.0

    /// One deployment with `pools`, a fixed count of `replicas` plus schedule `rules`, idle traffic.
    static func scenario(
        pools: [PoolSpec], replicas: Int, rules: [ScheduleRule] = [], placement: PlacementSpec = .ordered([]),
        startup: StartupSpec = StartupSpec(), duration: Double = 3600, rate: Double = 0.001,
        service: Distribution = .constant(0.01)
    ) -> Scenario {
        var deployment = Fixtures.deployment(servers: 0, service: service)
        deployment.pools = pools
        deployment.placement = placement
        deployment.startup = startup
        deployment.autoscaler = AutoscalerSpec(policy: .fixed(replicas), schedule: rules)
        return Scenario(
            name: "fleet", durationSeconds: duration, windowSeconds: 600,
            traffic: TrafficSpec(ratePerSecond: rate, classes: [RequestClass(name: "a", deployment: "model")]),
            deployments: [deployment])
    }

    /// A second on-demand instance up for `seconds` (a schedule raises the floor from 0 to `seconds`) with a 60 s
    /// minimum: up 90 s it bills 90 s, up 30 s it bills 60 s. Exact arithmetic, to the cent and beyond.
    @Test(arguments: [(90.0, 90.0), (30.0, 60.0)])
    func minimumBilledDuration(_ up: Double, _ billed: Double) {
        let pool = PoolSpec(purchase: .onDemand, count: 1, pricePerHour: Self.price, minimumBilledSeconds: 60)
        let result = Simulation(scenario: Self.scenario(
            pools: [pool], replicas: 1, rules: [ScheduleRule(fromSeconds: 0, toSeconds: up, minReplicas: 2)])).run()
        let expected = Self.price * (3600 + billed) / 3600
        #expect(abs(result.total.cost.onDemand - expected) < 1e-9, "\(result.total.cost.onDemand) vs \(expected)")
    }

    /// Reserved instances are billed for the horizon whatever the autoscaler does; scaling changes only the others.
    @Test func reservedCostIsCountTimesPriceTimesHorizonUnderScaling() {
        let pools = [PoolSpec(purchase: .reserved, count: 3, pricePerHour: 0.65),
                     PoolSpec(purchase: .onDemand, count: 0, pricePerHour: Self.price)]
        let result = Simulation(scenario: Self.scenario(
            pools: pools, replicas: 1, rules: [ScheduleRule(fromSeconds: 600, toSeconds: 1800, minReplicas: 5)])).run()
        #expect(abs(result.total.cost.reserved - 3 * 0.65) < 1e-9)
        // The floor of 5 needs 2 on-demand instances for 20 minutes; the fixed count of 1 is below the reserved 3.
        #expect(abs(result.total.cost.onDemand - 2 * Self.price * 1200 / 3600) < 1e-9, "\(result.total.cost.onDemand)")
    }

    /// Ordered placement fills spot up to its maximum, then on-demand; scale-in removes on-demand first.
    @Test func orderedPlacementFallsBackAndScaleInReversesIt() {
        let pools = [PoolSpec(purchase: .onDemand, count: 1, pricePerHour: Self.price),
                     PoolSpec(purchase: .spot, count: 0, pricePerHour: 0.4, max: 2)]
        let recorder = TimelineRecorder()
        _ = Simulation(scenario: Self.scenario(
            pools: pools, replicas: 1, rules: [ScheduleRule(fromSeconds: 600, toSeconds: 1200, minReplicas: 5)],
            placement: .ordered([1, 0])), observer: recorder).run()
        let provisioned = recorder.fleetEvents.filter { $0.kind == .provision }.map { $0.pool! }
        #expect(provisioned == [.spot, .spot, .onDemand, .onDemand])
        let removed = recorder.fleetEvents.filter { $0.kind == .terminate }.map { $0.pool! }
        #expect(removed == [.onDemand, .onDemand, .onDemand, .spot])
    }

    /// The mixed-instances rule: 1 on-demand base, then 50 % of the rest on-demand (rounded up). For 6 replicas:
    /// 1 + ⌈0.5 × 5⌉ = 4 on-demand, 2 spot; scaling back to 2 keeps 1 + ⌈0.5⌉ = 2 on-demand, 0 spot.
    @Test func mixedInstancesRuleKeepsTheSplit() {
        let pools = [PoolSpec(purchase: .onDemand, count: 0, pricePerHour: Self.price),
                     PoolSpec(purchase: .spot, count: 0, pricePerHour: 0.4)]
        let recorder = TimelineRecorder()
        _ = Simulation(scenario: Self.scenario(
            pools: pools, replicas: 2, rules: [ScheduleRule(fromSeconds: 600, toSeconds: 1200, minReplicas: 6)],
            placement: .mixed(onDemandBase: 1, onDemandAboveBase: 0.5)), observer: recorder).run()
        let provisioned = recorder.fleetEvents.filter { $0.kind == .provision }.map { $0.pool! }
        #expect(provisioned.filter { $0 == .onDemand }.count == 4)
        #expect(provisioned.filter { $0 == .spot }.count == 2)
        let removed = recorder.fleetEvents.filter { $0.kind == .terminate }.map { $0.pool! }
        #expect(removed.filter { $0 == .spot }.count == 2 && removed.count == 4, "\(removed)")
    }

    /// Failed spot requests fall back to on-demand under ordered placement; the failure share over many requests
    /// is within a 99.9 % binomial bound of its probability.
    @Test func failedAcquisitionsFallBack() {
        let p = 0.3
        let pools = [PoolSpec(purchase: .spot, count: 0, pricePerHour: 0.4, acquisition: AcquisitionSpec(failureProbability: p)),
                     PoolSpec(purchase: .onDemand, count: 0, pricePerHour: Self.price)]
        // 200 replicas every other hour for 20 hours: 2,000 requests for instances.
        let rules = (0..<10).map { ScheduleRule(fromSeconds: Double($0) * 7200, toSeconds: Double($0) * 7200 + 3600, minReplicas: 200) }
        let recorder = TimelineRecorder()
        _ = Simulation(scenario: Self.scenario(pools: pools, replicas: 0, rules: rules, duration: 20 * 3600), observer: recorder).run()
        let failures = recorder.fleetEvents.filter { $0.kind == .acquisitionFailed }.count
        let spot = recorder.fleetEvents.filter { $0.kind == .provision && $0.pool == .spot }.count
        let onDemand = recorder.fleetEvents.filter { $0.kind == .provision && $0.pool == .onDemand }.count
        #expect(spot + onDemand == 2_000)
        #expect(onDemand == failures)
        let bound = StandardNormal.quantile(0.9995) * (2_000 * p * (1 - p)).squareRoot()
        #expect(abs(Double(failures) - 2_000 * p) <= bound, "\(failures) failures")
    }

    /// With no other pool, a failed request is retried after the pool's retry interval.
    @Test func failedAcquisitionsAreRetried() {
        let pools = [PoolSpec(purchase: .spot, count: 0, pricePerHour: 0.4,
                              acquisition: AcquisitionSpec(failureProbability: 0.5, retrySeconds: 30))]
        let recorder = TimelineRecorder()
        _ = Simulation(scenario: Self.scenario(pools: pools, replicas: 20), observer: recorder).run()
        let provisioned = recorder.fleetEvents.filter { $0.kind == .provision }
        #expect(provisioned.count == 20)
        // Each retry happens on a 30 s grid after the first decision.
        #expect(provisioned.allSatisfy { $0.timeSeconds.truncatingRemainder(dividingBy: 30) == 0 })
        #expect(provisioned.last!.timeSeconds > 0)
    }

    /// A warm instance starts in its warm-start time instead of provisioning + load, and the warm pool's holding
    /// cost is billed: here 2 stopped instances for the hour, plus the refill running for its 10 minutes.
    @Test func warmPoolShortensTheStartAndIsBilled() {
        let pool = PoolSpec(purchase: .onDemand, count: 1, pricePerHour: Self.price,
                            warmPool: WarmPoolSpec(size: 2, holdingPerHour: 0.1, start: .constant(20)))
        let recorder = TimelineRecorder()
        let result = Simulation(scenario: Self.scenario(
            pools: [pool], replicas: 1, rules: [ScheduleRule(fromSeconds: 600, toSeconds: 3600, minReplicas: 2)],
            startup: StartupSpec(provision: .constant(240), load: .constant(360))), observer: recorder).run()
        let ready = recorder.fleetEvents.filter { $0.kind == .ready && $0.timeSeconds > 0 }
        #expect(ready.map(\.timeSeconds) == [620])
        // Replica: 1 h + 50 min. Warm pool: 2 stopped from 0 to 600; from 600 one stopped and one refill running
        // until 1200, then 2 stopped again.
        let replicaHours: Double = 1 + 3000.0 / 3600
        let stoppedHours: Double = (2 * 600 + 600 + 2 * 2400) / 3600.0
        let refillHours: Double = 600.0 / 3600
        let expected = replicaHours * Self.price + stoppedHours * 0.1 + refillHours * Self.price
        #expect(abs(result.total.cost.onDemand - expected) < 1e-9, "\(result.total.cost.onDemand) vs \(expected)")
    }

    /// Scale-in drains: a replica holding a long request stops taking work, and at the drain timeout what it
    /// still runs is lost and served again elsewhere. Every request still ends exactly once.
    @Test func scaleInDrainLosesWhatOutlivesTheTimeoutAndConserves() {
        // Overloaded (0.2/s × 100 s on 4 replicas): every replica is always busy. At 1800 s the floor drops from 4
        // to 2; each drained replica holds one request with a residual time uniform over 100 s, so it outlives a
        // 1 s drain timeout (probability 0.99 each) and is queued again.
        var scenario = Self.scenario(
            pools: [PoolSpec(purchase: .onDemand, count: 4, pricePerHour: Self.price)], replicas: 2,
            rules: [ScheduleRule(fromSeconds: 0, toSeconds: 1800, minReplicas: 4)], duration: 3600, rate: 0.2,
            service: .constant(100))
        scenario.deployments[0].drainTimeoutSeconds = 1
        let recorder = TimelineRecorder()
        let result = Simulation(scenario: scenario, observer: recorder).run()
        let requests = result.total.requests
        #expect(requests.arrived == requests.completed + requests.rejected + requests.timedOut + requests.inFlightAtEnd)
        #expect((1...2).contains(result.total.fleet.lostToScaleIn), "\(result.total.fleet.lostToScaleIn)")
        #expect(result.total.fleet.scaleDowns == 1)
        #expect(recorder.fleetEvents.filter { $0.kind == .drain }.map(\.timeSeconds) == [1800, 1800])
        #expect(recorder.fleetEvents.filter { $0.kind == .terminate }.allSatisfy { $0.timeSeconds <= 1801 })
    }

    /// A spot price series bills each instance-second at the price in force: 2 instances at 0.40 for 6 h, then
    /// 0.55 for the remaining 18 h.
    @Test func spotPriceStepsAreBilledExactly() {
        var pool = PoolSpec(purchase: .spot, count: 2, pricePerHour: 0.40)
        pool.priceSteps = [PoolSpec.PriceStep(atSeconds: 6 * 3600, pricePerHour: 0.55)]
        var deployment = Fixtures.deployment(servers: 0, service: .constant(0.01))
        deployment.pools = [pool]
        let scenario = Scenario(
            name: "prices", durationSeconds: 86_400, windowSeconds: 3600,
            traffic: TrafficSpec(ratePerSecond: 0.01, classes: [RequestClass(name: "a", deployment: "model")]),
            deployments: [deployment])
        let result = Simulation(scenario: scenario).run()
        let expected: Double = 2 * (0.40 * 6 + 0.55 * 18)
        #expect(abs(result.total.cost.spot - expected) < 1e-9, "\(result.total.cost.spot)")
    }
}
