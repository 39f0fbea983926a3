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

    /// Default behavior allows the larger of +4 pods and +100 % per 15 s: 3 → 7 → 14 → 28 → 40. A rate metric
    /// comes through Prometheus' stock pipeline (30 s scrapes, seen 15 s late): the first sample, taken at 30 s, is
    /// seen from 45 s, so the HPA holds at 3 for three syncs. At 60 s it still sees the 30 s sample, over the 3 pods
    /// that existed then: the 4 new ones have no metric and count as 0 on scale-up, which keeps the recommendation
    /// at 40.
    @Test func defaultBehaviorScalesThreeToFortyInFourSyncs() {
        let recorder = TimelineRecorder()
        _ = Simulation(scenario: Self.constantLoad(metric: MetricTarget(.requestsPerSecond, target: 10)), observer: recorder).run()
        let decisions = Self.decisions(recorder).prefix(10)
        #expect(decisions.map(\.timeSeconds) == [0, 15, 30, 45, 60, 75, 90, 105, 120, 135])
        #expect(decisions.map(\.replicasAfter) == [3, 3, 3, 7, 14, 28, 40, 40, 40, 40])
        #expect(decisions[4].detail.contains("over 3 ready pods, 4 without metrics"), "\(decisions[4].detail)")
        // With no cold start each new replica serves at once.
        #expect(Self.readyAt(60, recorder) == 14)
    }

    /// With a 60 s model load, starting replicas have no serving metric yet: on scale-up they count as 0, which
    /// leaves a rate metric's recommendation at 40, so the decisions are the same while readiness lags 60 s behind
    /// each of them (the 4 started at 45 s are ready at 105 s, the 7 started at 60 s at 120 s).
    @Test func startingReplicasWithoutMetricsCountAsIdleWhenScalingUp() {
        let recorder = TimelineRecorder()
        _ = Simulation(scenario: Self.constantLoad(metric: MetricTarget(.requestsPerSecond, target: 10), load: 60),
                       observer: recorder).run()
        let decisions = Self.decisions(recorder)
        #expect(decisions.prefix(7).map(\.replicasAfter) == [3, 3, 3, 7, 14, 28, 40])
        #expect(decisions[5].detail.contains("over 3 ready pods, 11 without metrics"), "\(decisions[5].detail)")
        #expect(Self.readyAt(104, recorder) == 3)
        #expect(Self.readyAt(105, recorder) == 7)
        #expect(Self.readyAt(120, recorder) == 14)
        #expect(Self.readyAt(135, recorder) == 28)
    }

    /// Utilization saturates: 3 replicas fully busy at a 70 % target recommend ⌈3 × 100/70⌉ = 5. It comes through
    /// metrics-server's stock pipeline (15 s samples seen 15 s late): the first, taken at 15 s, is seen at 30 s.
    /// The 2 replicas added at 30 s are inside their CPU initialization period, so their samples count only once a
    /// whole sample (15 s) follows their readiness; until then they are unready and count as idle on scale-up,
    /// which brings the ratio to 3 × 100/(5 × 70) < 1: the direction flips and the HPA holds at 5. Without a cold
    /// start they are ready at 30 s, measured by the 45 s sample, seen at 60 s → 8. With a 60 s cold start they are
    /// ready at 90 s, measured by the 105 s sample, seen at 120 s → 8; the 3 added then are unready and hold it.
    @Test(arguments: [0.0, 60.0])
    func unreadyReplicasHoldUtilizationScaling(_ load: Double) {
        let recorder = TimelineRecorder()
        _ = Simulation(scenario: Self.constantLoad(metric: MetricTarget(.utilization, target: 0.7), rate: 1_000, load: load),
                       observer: recorder).run()
        let counts = Self.decisions(recorder).prefix(10).map(\.replicasAfter)
        if load == 0 {
            #expect(Array(counts.prefix(5)) == [3, 3, 5, 5, 8])
        } else {
            #expect(Array(counts) == [3, 3, 5, 5, 5, 5, 5, 5, 8, 8])
        }
    }

    /// The legacy rule (no `behavior`): scale-up at most max(2 × current, 4) per sync, from the first sample seen
    /// (at 45 s, as in the default-behavior test).
    @Test func legacyRuleDoublesPerSync() {
        let recorder = TimelineRecorder()
        _ = Simulation(scenario: Self.constantLoad(metric: MetricTarget(.requestsPerSecond, target: 10), behavior: nil),
                       observer: recorder).run()
        #expect(Self.decisions(recorder).prefix(7).map(\.replicasAfter) == [3, 3, 3, 6, 12, 24, 40])
    }

    /// When the load goes away, default behavior waits out the 300 s scale-down stabilization window (the largest
    /// recommendation of the last 5 minutes wins), then drops; idle replicas terminate at once.
    @Test func scaleDownWaitsForTheStabilizationWindow() {
        var scenario = Self.constantLoad(metric: MetricTarget(.requestsPerSecond, target: 10), duration: 900)
        scenario.traffic.spikes = [Spike(atSeconds: 100, durationSeconds: 1_000, multiplier: 1e-9)]
        let recorder = TimelineRecorder()
        let result = Simulation(scenario: scenario, observer: recorder).run()
        let downs = recorder.fleetEvents.filter { $0.kind == .scaleDown }
        // Prometheus scrapes every 30 s, seen 15 s late. The 90 s sample (40 replicas' worth) is seen at 105 and
        // 120 s; the 120 s sample saw arrivals for 10 of its 30 s, 133.3/s over 40 pods → ⌈40 × 133.3/400⌉ = 14,
        // seen at 135 and 150 s; from the 150 s sample on the rate is 0 (→ minReplicas 1), seen from 165 s. The
        // window keeps recommendations newer than 300 s: the 40 of 120 s leaves it at 420 s, the 14 of 150 s at 450 s.
        #expect(downs.map(\.timeSeconds) == [420, 450])
        #expect(downs.map(\.replicasAfter) == [14, 1])
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
    /// in-flight requests per replica; after the traffic stops and the cooldown passes, back to zero. Arrivals are
    /// deterministic (one per 0.25 s), so each scrape's count is known.
    @Test func queueScalerActivatesFromZeroAndCoolsDownToZero() {
        var deployment = Fixtures.deployment(servers: 0, service: .constant(1))
        deployment.autoscaler = AutoscalerSpec(policy: .queue(QueueScalerSpec(
            metric: .totalInFlight, targetPerReplica: 5, minReplicas: 0, maxReplicas: 10, pollingSeconds: 30, cooldownSeconds: 300)))
        let scenario = Scenario(
            name: "keda", durationSeconds: 1800, windowSeconds: 60,
            traffic: TrafficSpec(ratePerSecond: 4, arrivals: .deterministic,
                                 spikes: [Spike(atSeconds: 600, durationSeconds: 1200, multiplier: 1e-9)],
                                 classes: [RequestClass(name: "a", deployment: "model")]),
            deployments: [deployment])
        let recorder = TimelineRecorder()
        let result = Simulation(scenario: scenario, observer: recorder).run()
        let changes = recorder.fleetEvents.filter { $0.kind == .scaleUp || $0.kind == .scaleDown }
        // KEDA polls at 0, 30, 60 s, …; Prometheus scrapes every 30 s, seen 15 s late. The 30 s sample (requests
        // queued for want of a replica) is the first seen, by the poll at 60 s.
        #expect(changes.first?.timeSeconds == 60 && changes.first?.replicasBefore == 0 && changes.first?.replicasAfter == 1)
        let last = changes.last!
        #expect(last.replicasAfter == 0)
        // The traffic stops at 600 s with the last request (arrived at 599.75 s, 1 s of service) still in flight at
        // the 600 s scrape, which the poll at 630 s sees; the poll at 660 s sees 0. The cooldown (300 s, strictly
        // exceeded) has run out at the first poll after 930 s: 960 s.
        #expect(last.timeSeconds == 960, "\(last.timeSeconds)")
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
