import FleetSim
import FleetSimKernel
import Testing

/// The autoscalers wired to a fleet: decisions at each sync from the metric pipeline, starting replicas handled as
/// Kubernetes handles unready pods, and the other policies' rules.
@Suite struct AutoscalingTests {
    /// Constant load whose request-rate metric asks for 40 replicas at 10 requests/s each: 399.9/s, deterministic,
    /// so every 15 s scrape measures the same rate (the 0.1 below 400 keeps ⌈rate ÷ 10⌉ at 40 whichever instant
    /// the scrape falls on). Each request takes 10 ms on one of 3 replicas at first.
    static func constantLoad(
        metric: MetricTarget, rate: Double = 399.9, load: Double = 0, behavior: HPA.Behavior? = HPA.Behavior(),
        duration: Double = 150
    ) -> Scenario {
        var deployment = Fixtures.deployment(servers: 3, service: .constant(0.01))
        deployment.startup = StartupSpec(load: .constant(load))
        deployment.autoscaler = AutoscalerSpec(policy: .hpa(HPASpec(
            minReplicas: 1, maxReplicas: 100, metrics: [metric], behavior: behavior)))
        return Scenario(
            name: "hpa", durationSeconds: duration, windowSeconds: 15,
            traffic: TrafficSpec(ratePerSecond: rate, arrivals: .deterministic,
                                 classes: [RequestClass(name: "a", deployment: "model")]),
            deployments: [deployment])
    }

    static func decisions(_ recorder: TimelineRecorder) -> [FleetEvent] {
        recorder.fleetEvents.filter { [.scaleUp, .scaleDown, .hold].contains($0.kind) }
    }

    /// Readiness over time: the serving count after each `ready` event.
    static func readyAt(_ time: Double, _ recorder: TimelineRecorder) -> Int {
        recorder.fleetEvents.last { $0.kind == .ready && $0.timeSeconds <= time }?.replicasAfter ?? 0
    }

    /// Default behavior allows the larger of +4 pods and +100 % per 15 s: 3 → 7 → 14 → 28 → 40.
    @Test func defaultBehaviorScalesThreeToFortyInFourSyncs() {
        let recorder = TimelineRecorder()
        _ = Simulation(scenario: Self.constantLoad(metric: MetricTarget(.requestsPerSecond, target: 10)), observer: recorder).run()
        let decisions = Self.decisions(recorder).prefix(10)
        #expect(decisions.map(\.timeSeconds) == [0, 15, 30, 45, 60, 75, 90, 105, 120, 135])
        #expect(decisions.map(\.replicasAfter) == [3, 7, 14, 28, 40, 40, 40, 40, 40, 40])
        // With no cold start each new replica serves at once.
        #expect(Self.readyAt(30, recorder) == 14)
    }

    /// With a 60 s model load, starting replicas have no metric yet: on scale-up they count as 0, which leaves a
    /// rate metric's recommendation at 40, so the decisions are the same while readiness lags 60 s behind.
    @Test func startingReplicasWithoutMetricsCountAsIdleWhenScalingUp() {
        let recorder = TimelineRecorder()
        _ = Simulation(scenario: Self.constantLoad(metric: MetricTarget(.requestsPerSecond, target: 10), load: 60),
                       observer: recorder).run()
        let decisions = Self.decisions(recorder)
        #expect(decisions.prefix(5).map(\.replicasAfter) == [3, 7, 14, 28, 40])
        #expect(decisions[2].detail.contains("over 3 ready pods, 4 unready or without metrics"), "\(decisions[2].detail)")
        #expect(Self.readyAt(74, recorder) == 3)
        #expect(Self.readyAt(75, recorder) == 7)
        #expect(Self.readyAt(120, recorder) == 40)
    }

    /// Utilization saturates: 3 replicas fully busy at a 70 % target recommend ⌈3 × 1/0.7⌉ = 5. With no cold start
    /// the next syncs continue 5 → 8 → 12. With a 60 s cold start, the 2 unready replicas count as idle on
    /// scale-up, which brings the ratio to 3/(5 × 0.7) < 1: the direction flips and the HPA holds at 5 until they
    /// serve and are measured for a whole scrape (ready at 75, measured at 90), then goes to 8.
    @Test(arguments: [0.0, 60.0])
    func unreadyReplicasHoldUtilizationScaling(_ load: Double) {
        let recorder = TimelineRecorder()
        _ = Simulation(scenario: Self.constantLoad(metric: MetricTarget(.utilization, target: 0.7), rate: 1_000, load: load),
                       observer: recorder).run()
        let counts = Self.decisions(recorder).prefix(8).map(\.replicasAfter)
        if load == 0 {
            #expect(Array(counts.prefix(4)) == [3, 5, 8, 12])
        } else {
            #expect(Array(counts) == [3, 5, 5, 5, 5, 5, 8, 8])
        }
    }

    /// The legacy rule (no `behavior`): scale-up at most max(2 × current, 4) per sync.
    @Test func legacyRuleDoublesPerSync() {
        let recorder = TimelineRecorder()
        _ = Simulation(scenario: Self.constantLoad(metric: MetricTarget(.requestsPerSecond, target: 10), behavior: nil),
                       observer: recorder).run()
        #expect(Self.decisions(recorder).prefix(5).map(\.replicasAfter) == [3, 6, 12, 24, 40])
    }

    /// When the load goes away, default behavior waits out the 300 s scale-down stabilization window (the largest
    /// recommendation of the last 5 minutes wins), then drops; idle replicas terminate at once.
    @Test func scaleDownWaitsForTheStabilizationWindow() {
        var scenario = Self.constantLoad(metric: MetricTarget(.requestsPerSecond, target: 10), duration: 900)
        scenario.traffic.spikes = [Spike(atSeconds: 100, durationSeconds: 1_000, multiplier: 1e-9)]
        let recorder = TimelineRecorder()
        let result = Simulation(scenario: scenario, observer: recorder).run()
        let downs = recorder.fleetEvents.filter { $0.kind == .scaleDown }
        // The scrape at 105 s still saw arrivals until 100 s (recommending 27); from 120 s on the rate is 0. The
        // 40-replica recommendation of 90 s leaves the window at 390 s, the 27 of 105 s at 405 s.
        #expect(downs.map(\.timeSeconds) == [390, 405])
        #expect(downs.map(\.replicasAfter) == [27, 1])
        #expect(result.deployments[0].fleet.scaleDowns == 2)
        #expect(recorder.fleetEvents.filter { $0.kind == .terminate }.count == 39)
    }

    /// A fixed count with a schedule: the floor applies exactly while the rule does.
    @Test func scheduleRaisesTheFloorOnItsHours() {
        var deployment = Fixtures.deployment(servers: 2, service: .constant(0.01))
        deployment.autoscaler = AutoscalerSpec(
            policy: .fixed(2), schedule: [ScheduleRule(days: [0, 1, 2, 3, 4], fromSeconds: 8 * 3600, toSeconds: 20 * 3600, minReplicas: 6)])
        let scenario = Scenario(
            name: "scheduled", durationSeconds: 7 * 86_400, windowSeconds: 3600,
            traffic: TrafficSpec(ratePerSecond: 0.01, classes: [RequestClass(name: "a", deployment: "model")]),
            deployments: [deployment])
        let recorder = TimelineRecorder()
        let result = Simulation(scenario: scenario, observer: recorder).run()
        let changes = recorder.fleetEvents.filter { $0.kind == .scaleUp || $0.kind == .scaleDown }
        let expectedTimes: [Double] = (0..<5).flatMap { (day: Int) -> [Double] in
            [Double(day) * 86_400 + 8 * 3600, Double(day) * 86_400 + 20 * 3600]
        }
        #expect(changes.map(\.timeSeconds) == expectedTimes)
        // 2 replicas all week plus 4 more for 12 h on 5 days, at $1/h.
        let expectedCost: Double = 2 * 168 + 4 * 12 * 5
        #expect(abs(result.total.cost.total - expectedCost) < 1e-6, "\(result.total.cost.total)")
    }

    @Test func scheduleRulesWrapPastMidnight() {
        let night = ScheduleRule(days: [4], fromSeconds: 22 * 3600, toSeconds: 6 * 3600, minReplicas: 1)
        #expect(night.applies(at: 4 * 86_400 + 23 * 3600))
        #expect(night.applies(at: 5 * 86_400 + 5 * 3600))
        #expect(!night.applies(at: 5 * 86_400 + 7 * 3600))
        #expect(!night.applies(at: 3 * 86_400 + 23 * 3600))
        #expect(night.applies(at: 11 * 86_400 + 23 * 3600))
    }

    // MARK: Queue-based (KEDA)

    /// From zero: the first poll that sees requests activates the deployment (0 → 1); the HPA then scales on
    /// in-flight requests per replica; after the traffic stops and the cooldown passes, back to zero.
    @Test func queueScalerActivatesFromZeroAndCoolsDownToZero() {
        var deployment = Fixtures.deployment(servers: 0, service: .constant(1))
        deployment.autoscaler = AutoscalerSpec(policy: .queue(QueueScalerSpec(
            metric: .totalInFlight, targetPerReplica: 5, minReplicas: 0, maxReplicas: 10, pollingSeconds: 30, cooldownSeconds: 300)))
        let scenario = Scenario(
            name: "keda", durationSeconds: 1800, windowSeconds: 60,
            traffic: TrafficSpec(ratePerSecond: 4, spikes: [Spike(atSeconds: 600, durationSeconds: 1200, multiplier: 1e-9)],
                                 classes: [RequestClass(name: "a", deployment: "model")]),
            deployments: [deployment])
        let recorder = TimelineRecorder()
        let result = Simulation(scenario: scenario, observer: recorder).run()
        let changes = recorder.fleetEvents.filter { $0.kind == .scaleUp || $0.kind == .scaleDown }
        #expect(changes.first?.timeSeconds == 15 && changes.first?.replicasBefore == 0 && changes.first?.replicasAfter == 1)
        let last = changes.last!
        #expect(last.replicasAfter == 0)
        // Polls every 30 s from 15 s: the last to see requests in flight is at 585 s (the traffic stops at 600 s,
        // each request takes 1 s); the 300 s cooldown runs out at 885 s, a sync instant.
        #expect(last.timeSeconds == 885, "\(last.timeSeconds)")
        #expect(result.total.requests.inFlightAtEnd == 0 && result.total.requests.completed == result.total.requests.arrived)
    }

    // MARK: Predictive

    static func spikeScenario(forecast: PredictiveSpec.Forecast, days: Double = 1) -> Scenario {
        var deployment = Fixtures.deployment(servers: 2, service: .constant(0.1))
        deployment.startup = StartupSpec(provision: .constant(120), load: .constant(120))
        deployment.autoscaler = AutoscalerSpec(policy: .predictive(PredictiveSpec(
            forecast: forecast, requestsPerReplica: 5, headroom: 0, leadSeconds: 300, minReplicas: 2, maxReplicas: 20)))
        // 10/s, tripled for an hour from 12:00 each day.
        let spikes = (0..<Int(days)).map { Spike(atSeconds: Double($0) * 86_400 + 43_200, durationSeconds: 3600, multiplier: 3) }
        return Scenario(
            name: "predictive", durationSeconds: days * 86_400, windowSeconds: 600,
            traffic: TrafficSpec(ratePerSecond: 10, arrivals: .deterministic, spikes: spikes,
                                 classes: [RequestClass(name: "a", deployment: "model")]),
            deployments: [deployment])
    }

    /// Knowing the rate curve, the fleet for a spike is decided one lead time (300 s) before it, so the replicas
    /// (4 minutes to start) are ready when it arrives.
    @Test func shapeForecastProvisionsAheadOfAKnownSpike() {
        let recorder = TimelineRecorder()
        _ = Simulation(scenario: Self.spikeScenario(forecast: .shape), observer: recorder).run()
        let up = recorder.fleetEvents.first { $0.kind == .scaleUp && $0.timeSeconds > 3600 }!
        #expect(up.timeSeconds >= 43_200 - 300 - 60 && up.timeSeconds <= 43_200 - 300, "\(up.timeSeconds)")
        #expect(up.replicasAfter == 6)
        #expect(Self.readyAt(43_200, recorder) == 6)
    }

    /// Seasonal naive learns the spike on day 1 (reacting to it) and provisions ahead of it on day 2.
    @Test func seasonalForecastRemembersYesterday() {
        let recorder = TimelineRecorder()
        _ = Simulation(scenario: Self.spikeScenario(forecast: .seasonal(periodSeconds: 86_400), days: 2), observer: recorder).run()
        let ups = recorder.fleetEvents.filter { $0.kind == .scaleUp }.map(\.timeSeconds)
        #expect(ups.contains { $0 > 43_200 && $0 <= 43_200 + 120 }, "day 1 reacts: \(ups)")
        #expect(ups.contains { $0 >= 86_400 + 43_200 - 360 && $0 <= 86_400 + 43_200 - 240 }, "day 2 anticipates: \(ups)")
    }

    /// EWMA on a constant rate converges to it: 10/s at 2.5/s per replica is 4 replicas.
    @Test func ewmaSettlesOnTheMeasuredRate() {
        var scenario = Self.spikeScenario(forecast: .ewma(alpha: 0.5))
        scenario.traffic.spikes = []
        scenario.durationSeconds = 3600
        if case .predictive(var spec) = scenario.deployments[0].autoscaler!.policy {
            spec.requestsPerReplica = 2.5
            scenario.deployments[0].autoscaler!.policy = .predictive(spec)
        }
        let recorder = TimelineRecorder()
        _ = Simulation(scenario: scenario, observer: recorder).run()
        #expect(Self.decisions(recorder).last?.replicasAfter == 4)
    }
}
