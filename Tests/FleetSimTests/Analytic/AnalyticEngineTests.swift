@testable import FleetSim
import FleetSimKernel
import Foundation
import Testing

/// The analytic engine against closed forms, conservation and the discrete-event engine's own bookkeeping. Its
/// validation against the discrete-event engine on whole scenarios is `scripts/validate-analytic.py`
/// (docs/analytic.md); these tests pin what is exact.
@Suite struct AnalyticEngineTests {
    static func analytic(_ scenario: Scenario, step: Double) -> Scenario {
        var scenario = scenario
        scenario.engine = .analytic(stepSeconds: step)
        return scenario
    }

    /// M/M/8 at ρ = 0.8, ten hours in one-hour steps: a step's Poisson count varies by 0.7 %, little enough that the
    /// steady-state formulas at each step's rate average to the formulas at the mean rate.
    static let mmc = analytic(
        .textbook(servers: 8, arrivalRate: 6.4, service: .exponential(mean: 1), durationSeconds: 36_000), step: 3_600)

    @Test func probabilityOfWaitIsErlangC() {
        for (servers, load) in [(1, 0.5), (8, 6.4), (50, 45.0), (1_000, 980.0), (20_000, 19_800.0)] {
            let exact = QueueingFormulas.erlangC(servers: servers, offeredLoad: load)
            let computed = QueueingApproximation.probabilityOfWait(servers: servers, load: load)
            #expect(abs(computed - exact) <= 1e-8 * exact, "c = \(servers), a = \(load): \(computed) vs \(exact)")
        }
        #expect(QueueingApproximation.probabilityOfWait(servers: 4, load: 4) == 1)
        #expect(QueueingApproximation.probabilityOfWait(servers: 0, load: 1) == 1)
    }

    /// The mean wait over replications covers Erlang C's Wq = C / (cμ − λ), widened only by the grid's own error in
    /// the exponential's mean (the points are the middles of probability slices), which is computed, not tuned.
    @Test func meanWaitIsErlangC() {
        let exact = QueueingFormulas.mmcMeanWait(servers: 8, arrivalRate: 6.4, serviceRate: 1)
        let gridError = abs(QuantileGrid.wait(probabilityOfWait: 1, meanWait: 1, offset: 0).mean - 1)
        let runs = Replications(Self.mmc, count: 10)
        let waits = runs.estimate(level: 0.99) { $0.total.queueWait.mean! }
        expectCovers(waits, exact, slack: exact * gridError, "M/M/8 mean wait, analytic")
    }

    /// The e2e p99 lies between the exact M/M/c response-time quantiles at 98.8 % and 99.2 %: the grids place a
    /// point every 0.18 % of probability in the 99–99.9 % band, so the reading is off by less than that.
    @Test func responseTimePercentileIsTheMMcDistribution() {
        let result = Simulation(scenario: Self.mmc).run()
        let p99 = result.total.e2e.p99!
        let low = Self.mmcResponseQuantile(0.988, servers: 8, arrivalRate: 6.4)
        let high = Self.mmcResponseQuantile(0.992, servers: 8, arrivalRate: 6.4)
        #expect(p99 >= low && p99 <= high, "p99 \(p99), exact between \(low) and \(high)")
    }

    /// The M/M/c sojourn time (μ = 1): P(T > t) = e^(−t) [1 + C/(c − λ − 1) (1 − e^(−(c − λ − 1) t))], inverted by
    /// bisection.
    static func mmcResponseQuantile(_ p: Double, servers: Int, arrivalRate: Double) -> Double {
        let waitProbability = QueueingFormulas.erlangC(servers: servers, offeredLoad: arrivalRate)
        let gap = Double(servers) - arrivalRate - 1
        func survival(_ t: Double) -> Double {
            exp(-t) * (1 + waitProbability / gap * (1 - exp(-gap * t)))
        }
        var low = 0.0
        var high = 100.0
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if survival(middle) > 1 - p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// Every request arrives once and ends once, through overload (a spike to 4× with timeouts and a bounded queue)
    /// and spot reclaims whose lost work is queued again or failed. The notice is 0 s: with any notice longer than
    /// a few service times, the work on a reclaimed replica finishes before it goes, and nothing is lost.
    @Test(arguments: [ReclaimSpec.LostWork.requeue, .fail])
    func everyRequestEndsOnce(lostWork: ReclaimSpec.LostWork) {
        var reclaim = ReclaimSpec(perHour: 2, noticeSeconds: 0)
        reclaim.lostWork = lostWork
        var deployment = Fixtures.deployment(
            servers: 6, service: .lognormal(median: 0.5, sigma: 0.6), queue: QueueSpec(capacity: 400, timeoutSeconds: 20))
        deployment.pools.append(PoolSpec(purchase: .spot, count: 6, pricePerHour: 0.3, reclaim: reclaim))
        let scenario = Self.analytic(Scenario(
            name: "conservation", durationSeconds: 4 * 3_600, windowSeconds: 300,
            traffic: TrafficSpec(
                ratePerSecond: 12, spikes: [Spike(atSeconds: 5_000, durationSeconds: 1_200, multiplier: 4)],
                classes: [RequestClass(name: "job", deployment: "model")]),
            deployments: [deployment]), step: 10)
        let recorder = TimelineRecorder()
        let result = Simulation(scenario: scenario, observer: recorder).run()
        let requests = result.total.requests
        #expect(requests.arrived == requests.completed + requests.rejected + requests.timedOut + requests.failed
            + requests.inFlightAtEnd)
        #expect(requests.timedOut + requests.rejected > 0, "the spike overloads the fleet")
        #expect(result.deployments[0].fleet.spotReclaims > 0)
        #expect(result.deployments[0].fleet.lostToReclaim > 0)
        if lostWork == .fail { #expect(requests.failed == result.deployments[0].fleet.lostToReclaim) }
        #expect(recorder.rows.reduce(0) { $0 + $1.arrivals } == requests.arrived)
        #expect(recorder.rows.reduce(0) { $0 + $1.completed } == requests.completed)
        #expect(result.analytic!.overloadedSteps > 0)
    }

    /// In the generic mode the answer is the first token, so a TTFT objective is an e2e one: the same threshold on
    /// either gives the same attainment, and both together the same again.
    @Test func genericTTFTObjectiveIsJudgedAsTheE2EOne() {
        var scenario = Self.mmc
        scenario.slo = SLOSpec(e2e: .init(percentile: 0.99, thresholdSeconds: 4), ttft: .init(percentile: 0.99, thresholdSeconds: 4))
        let slo = Simulation(scenario: scenario).run().total.slo!
        #expect(slo.e2eAttainment! > 0.9)
        #expect(slo.ttftAttainment == slo.e2eAttainment)
        #expect(slo.attainment == slo.e2eAttainment)
    }

    /// The meter bills the analytic engine's fleet as it bills the discrete-event engine's: a fixed fleet costs its
    /// count × price × hours, to the cent.
    @Test func fixedFleetCostIsCountTimesPriceTimesHours() {
        let result = Simulation(scenario: Self.mmc).run()
        #expect(abs(result.total.cost.total - 8 * 1 * 10) < 1e-6)
        #expect(result.events < 1_000, "a step per hour, not an event per request: \(result.events) events")
    }

    /// Same scenario and seed: the same numbers; a different autoscaler: the same traffic (common random numbers).
    @Test func runsAreDeterministicAndTrafficIsCommonToPolicies() {
        var scenario = Self.analytic(DeterminismTests.scenario(), step: 30)
        scenario.traffic.classes = [RequestClass(name: "interactive", deployment: "chat")]
        scenario.deployments = [scenario.deployments[0]]
        let first = Simulation(scenario: scenario).run()
        let second = Simulation(scenario: scenario).run()
        #expect(DeterminismTests.identical(first.total, second.total))
        var bigger = scenario
        bigger.deployments[0].pools[0].count = 6
        let other = Simulation(scenario: bigger).run()
        #expect(other.total.requests.arrived == first.total.requests.arrived)
        #expect(other.total.queueWait.mean! < first.total.queueWait.mean!)
    }

    /// Continuous batching: the fleet's occupancy obeys Little's law (sequences = arrival rate × hold) and a
    /// replica's saturation rate holds exactly its slots.
    @Test func continuousBatchingOccupancyIsLittlesLaw() {
        let profile = PerformanceProfile(
            prefillTokensPerSecond: 10_000, prefillBaseSeconds: 0.02,
            decodeStep: .linear(baseSeconds: 0.01, perSequenceSeconds: 0.0002), maxConcurrency: 64, kvTokenBudget: 60_000)
        let stream = RandomStream(seed: 3, source: "test", replication: 0)
        func tokens(median: Double) -> [Double] {
            EmpiricalSample.sorted { max(Distribution.lognormal(median: median, sigma: 0.5).sample(stream).rounded(), 1) }
        }
        let model = ServiceModel(profile: profile, prompt: tokens(median: 400), output: tokens(median: 150))
        for rate in [0.5, 2.0, 0.9 * model.saturationRate] {
            let point = model.operatingPoint(rate: rate)
            #expect(abs(point.sequences - rate * point.holdSeconds) <= 1e-6 * max(point.sequences, 1))
        }
        #expect(abs(model.saturationRate * model.saturated.holdSeconds - Double(model.slots)) <= 1e-6 * Double(model.slots))
        #expect(model.slots == min(64, Int(60_000 / model.meanReservation)))
    }
}
