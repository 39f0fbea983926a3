import FleetSim
import FleetSimKernel
import Testing

/// A router balancing by free capacity joins the tier with the fewest requests held per serving slot: with one
/// slot per tier, join the shorter queue, whose Markov chain gives the mean sojourn and each tier's share; a faster
/// tier takes more of the load; an idle tie goes to the tier with more slots; a tier with no replica gets nothing;
/// every request ends once.
///
/// Intervals are 99.9 % Student-t over independent replications, one statistic per replication.
@Suite struct FreeCapacityRoutingTests {
    static let level = 0.999

    static func scenario(
        _ tiers: [DeploymentSpec], rate: Double, arrivals: ArrivalProcess = .poisson, durationSeconds: Double = 20_000
    ) -> Scenario {
        let rule = RouteRule(targets: tiers.map { RouteRule.Target(name: $0.name) }, balance: .freeCapacity)
        return Scenario(
            name: "free-capacity", seed: 20_261_204, durationSeconds: durationSeconds, windowSeconds: durationSeconds,
            warmupSeconds: 1_000,
            traffic: TrafficSpec(
                ratePerSecond: rate, arrivals: arrivals, classes: [RequestClass(name: "job", deployment: "front")]),
            deployments: [RoutingTierTests.router([rule])] + tiers)
    }

    /// Two single-server tiers, μ = 1, λ = 1.6: the mean sojourn is the join-the-shorter-queue Markov chain's
    /// (≈ 2.96 s), between the pooled M/M/2 queue (Wq + 1/μ ≈ 2.78 s) and a random split (two M/M/1 queues at
    /// ρ = 0.8, 1/(μ − λ/2) = 5 s).
    @Test func identicalTiersJoinTheShorterQueue() {
        let tiers = ["left", "right"].map { Fixtures.deployment(name: $0, servers: 1, service: .exponential(mean: 1)) }
        let runs = Replications(Self.scenario(tiers, rate: 1.6), count: 10)
        let exact = QueueingFormulas.joinShorterQueue(arrivalRate: 1.6, serviceRates: (1, 1))
        let pooled = QueueingFormulas.mmcMeanWait(servers: 2, arrivalRate: 1.6, serviceRate: 1) + 1
        #expect(exact.meanSojourn > pooled && exact.meanSojourn < 5)
        expectCovers(runs.estimate(level: Self.level) { $0.total.e2e.mean ?? .nan }, exact.meanSojourn, "JSQ sojourn")
        for result in runs.results { Self.expectConservation(result) }
    }

    /// A slow tier (one server, μ = 1, listed first) beside a fast one (μ = 2) at λ = 2.4: the fast tier takes the
    /// share of requests and the mean sojourn that the Markov chain gives, more than half of them (it frees its slot
    /// sooner), and the mean beats splitting the traffic at random in proportion to capacity (each tier an M/M/1 at
    /// ρ = 0.8: ⅔ · 1/(2 − 1.6) + ⅓ · 1/(1 − 0.8) = 3.33 s).
    @Test func aFasterTierTakesMore() {
        let tiers = [
            Fixtures.deployment(name: "slow", servers: 1, service: .exponential(mean: 1)),
            Fixtures.deployment(name: "fast", servers: 1, service: .exponential(mean: 0.5)),
        ]
        let runs = Replications(Self.scenario(tiers, rate: 2.4), count: 10)
        let exact = QueueingFormulas.joinShorterQueue(arrivalRate: 2.4, serviceRates: (1, 2))
        let proportional = 2.0 / 3 * (1 / (2 - 1.6)) + 1.0 / 3 * (1 / (1 - 0.8))
        #expect(exact.secondShare > 0.5 && exact.meanSojourn < proportional)
        let fastShare = runs.estimate(level: Self.level) {
            Double($0.deployments[2].requests.arrived) / Double($0.deployments[0].requests.arrived)
        }
        expectCovers(fastShare, exact.secondShare, "fast tier's share")
        expectCovers(runs.estimate(level: Self.level) { $0.total.e2e.mean ?? .nan }, exact.meanSojourn, "sojourn")
        for result in runs.results { Self.expectConservation(result) }
    }

    /// Arrivals every 10 s served in 1 s always find every tier idle: each goes to the tier with the most slots
    /// (three replicas before one, counting the request being placed), whatever the order listed; the tier with no
    /// replica, listed first, gets nothing.
    @Test func idleTiesGoToTheLargerTierAndAnEmptyTierGetsNothing() {
        let tiers = [
            Fixtures.deployment(name: "empty", servers: 0, service: .constant(1)),
            Fixtures.deployment(name: "small", servers: 1, service: .constant(1)),
            Fixtures.deployment(name: "large", servers: 3, service: .constant(1)),
        ]
        let result = Simulation(scenario: Self.scenario(tiers, rate: 0.1, arrivals: .deterministic, durationSeconds: 3_600)).run()
        let arrived = result.deployments.map(\.requests.arrived)
        #expect(arrived[0] > 300 && arrived[1] == 0 && arrived[2] == 0 && arrived[3] == arrived[0], "\(arrived)")
        Self.expectConservation(result)
    }

    /// Every request the router passes on arrives at exactly one tier and ends once.
    static func expectConservation(_ result: SimulationResult, sourceLocation: SourceLocation = #_sourceLocation) {
        let routed = result.deployments[0].requests.forwarded
        let reached = result.deployments.dropFirst().reduce(0) { $0 + $1.requests.arrived }
        #expect(routed == result.total.requests.arrived && reached == routed, sourceLocation: sourceLocation)
        let t = result.total.requests
        #expect(t.arrived == t.completed + t.rejected + t.timedOut + t.failed + t.inFlightAtEnd, sourceLocation: sourceLocation)
    }
}
