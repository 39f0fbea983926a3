import FleetSim
import FleetSimKernel
import Testing

/// Replications are independent runs whose 95 % Student-t interval (the one experiments report) should cover the true value 95 % of the time.
/// Checked on M/M/4 at ρ = 0.7, whose mean wait Erlang C gives exactly.
@Suite struct ReplicationCoverageTests {
    static let servers = 4
    static let arrivalRate = 2.8
    static let truth = QueueingFormulas.mmcMeanWait(servers: servers, arrivalRate: arrivalRate, serviceRate: 1)

    static func interval(seed: UInt64, replications: Int = 30) -> MeanEstimate {
        let scenario = Scenario.textbook(
            name: "mmc", servers: servers, arrivalRate: arrivalRate, service: .exponential(mean: 1),
            durationSeconds: 6_000, warmupSeconds: 500, seed: seed)
        let waits = (0..<replications).map { Simulation(scenario: scenario, replication: $0).run().total.queueWait.mean ?? .nan }
        return MeanEstimate(waits)
    }

    /// One experiment of 30 replications: its interval covers Erlang C's mean wait.
    @Test func thirtyReplicationsCoverErlangC() {
        let estimate = Self.interval(seed: 7)
        #expect(estimate.count == 30)
        #expect(estimate.covers(Self.truth), "\(estimate.lower)…\(estimate.upper) vs \(Self.truth)")
    }

    /// Over 40 independent experiments (different seeds) the intervals cover the truth about 95 % of the time: the
    /// count of covering intervals is Binomial(40, 0.95) for a correct model, and a count below 33 has probability
    /// under 0.1 % (intervals that are too narrow, e.g. from correlated replications, would fall there).
    @Test func intervalsCoverAbout95PercentOfTheTime() {
        let covering = (0..<40).filter { Self.interval(seed: UInt64(1_000 + $0)).covers(Self.truth) }.count
        #expect(covering >= 33, "\(covering) of 40 intervals cover \(Self.truth)")
    }
}
