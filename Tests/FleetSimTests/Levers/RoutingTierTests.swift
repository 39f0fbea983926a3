import FleetSim
import FleetSimKernel
import Testing

/// Routers, cascades, caches and overflow hand requests between deployments: shares and hit rates hold within
/// binomial bounds, Che's approximation predicts an LRU cache's hit rate, and every request ends once, where it ended.
@Suite struct RoutingTierTests {
    /// Within four binomial standard deviations of `p` over `n` trials (a false failure about once in 16,000 seeds).
    static func withinBinomial(_ observed: Int, of n: Int, p: Double) -> Bool {
        let sd = (p * (1 - p) / Double(n)).squareRoot()
        return abs(Double(observed) / Double(n) - p) <= 4 * sd + 1e-12
    }

    static func api(_ name: String, input: Double, output: Double, quality: Double? = nil) -> DeploymentSpec {
        var spec = DeploymentSpec(name: name, kind: .api(APISpec(prices: TokenPrices(input: input, output: output))))
        spec.quality = quality
        return spec
    }

    static func router(_ rules: [RouteRule], name: String = "front") -> DeploymentSpec {
        DeploymentSpec(name: name, kind: .router(RouterSpec(rules: rules)))
    }

    static func classes(_ prompt: Distribution = .constant(500)) -> [RequestClass] {
        [RequestClass(name: "chat", deployment: "front", promptTokens: prompt, outputTokens: .constant(100))]
    }

    /// Shares split the traffic as given; the quality is the request-weighted mean of the tiers'.
    @Test func sharesAndQuality() {
        let scenario = Scenario(
            name: "shares", durationSeconds: 3_600, traffic: TrafficSpec(ratePerSecond: 10, classes: Self.classes()),
            deployments: [
                Self.router([RouteRule(targets: [.init(name: "small", share: 0.6), .init(name: "big", share: 0.4)])]),
                Self.api("small", input: 0.15, output: 0.6, quality: 0.7), Self.api("big", input: 2.5, output: 10, quality: 0.9),
            ])
        let result = Simulation(scenario: scenario).run()
        let small = result.deployments[1].requests.arrived
        let n = result.total.requests.arrived
        #expect(Self.withinBinomial(small, of: n, p: 0.6), "\(small) of \(n)")
        let answered = result.deployments[1].requests.completed + result.deployments[2].requests.completed
        let expectedQuality = (0.7 * Double(result.deployments[1].requests.completed)
            + 0.9 * Double(result.deployments[2].requests.completed)) / Double(answered)
        #expect(abs(result.total.quality! - expectedQuality) < 1e-12)
        #expect(result.deployments[0].requests.forwarded == n)
    }

    /// A prompt-length rule sends every long prompt to the big tier and nothing else.
    @Test func promptLengthRule() {
        let scenario = Scenario(
            name: "lengths", durationSeconds: 1_800,
            traffic: TrafficSpec(ratePerSecond: 10, classes: Self.classes(.uniform(lower: 1, upper: 8_000))),
            deployments: [
                Self.router([
                    RouteRule(condition: RouteCondition(promptTokens: Threshold(above: 4_000)), targets: [.init(name: "big")]),
                    RouteRule(targets: [.init(name: "small")]),
                ]),
                Self.api("small", input: 0.15, output: 0.6), Self.api("big", input: 2.5, output: 10),
            ])
        let result = Simulation(scenario: scenario).run()
        // Uniform prompts on 1…8000, rounded: P(prompt > 4000) = 0.5 within the rounding.
        #expect(Self.withinBinomial(result.deployments[2].requests.arrived, of: result.total.requests.arrived, p: 0.5))
        // Mean prompt at the big tier is about 6000, at the small about 2000.
        let bigMean = Double(result.deployments[2].promptTokens) / Double(result.deployments[2].requests.completed)
        let smallMean = Double(result.deployments[1].promptTokens) / Double(result.deployments[1].requests.completed)
        #expect(bigMean > 4_000 && smallMean <= 4_000)
    }

    /// A cascade escalates its share of answers; both tiers bill them, the latency adds up, every request ends once.
    @Test func cascadeEscalatesItsShare() {
        var small = Self.api("small", input: 0.15, output: 0.6)
        small.escalation = EscalationSpec(to: "big", rule: .probability(0.25))
        let scenario = Scenario(
            name: "cascade", durationSeconds: 3_600, traffic: TrafficSpec(ratePerSecond: 10, classes: Self.classes()),
            deployments: [Self.router([RouteRule(targets: [.init(name: "small")])]), small, Self.api("big", input: 2.5, output: 10)])
        let result = Simulation(scenario: scenario).run()
        let tier = result.deployments[1]
        let served = tier.requests.completed + tier.requests.escalated
        #expect(Self.withinBinomial(tier.requests.escalated, of: served, p: 0.25))
        #expect(result.deployments[2].requests.arrived == tier.requests.escalated)
        // Both tiers bill an escalated request: the small tier its tokens, the big tier again.
        let perSmall = (500 * 0.15 + 100 * 0.6) / 1e6
        #expect(abs(tier.cost.api - Double(served) * perSmall) < 1e-6)
        // An escalated request waits for both answers: the big tier's e2e latencies are about twice the small tier's.
        #expect(result.deployments[2].e2e.p50! > 1.5 * tier.e2e.p50!)
        let t = result.total.requests
        #expect(t.arrived == t.completed + t.rejected + t.timedOut + t.failed + t.inFlightAtEnd)
    }

    /// Difficulty thresholds route and escalate the same requests consistently: a request routed to the small tier
    /// because its difficulty is below 0.5 escalates when it is above 0.4 — about a fifth of the small tier's traffic.
    @Test func difficultyIsOneValuePerRequest() {
        var small = Self.api("small", input: 0.15, output: 0.6)
        small.escalation = EscalationSpec(to: "big", rule: .difficulty(Threshold(above: 0.4)))
        let scenario = Scenario(
            name: "difficulty", durationSeconds: 3_600, traffic: TrafficSpec(ratePerSecond: 10, classes: Self.classes()),
            deployments: [
                Self.router([
                    RouteRule(condition: RouteCondition(difficulty: Threshold(above: 0.5)), targets: [.init(name: "big")]),
                    RouteRule(targets: [.init(name: "small")]),
                ]),
                small, Self.api("big", input: 2.5, output: 10),
            ])
        let result = Simulation(scenario: scenario).run()
        let tier = result.deployments[1].requests
        #expect(Self.withinBinomial(tier.escalated, of: tier.arrived, p: 0.2), "\(tier.escalated) of \(tier.arrived)")
    }

    /// A cache with a given hit rate answers that share of lookups; hits never reach the tier.
    @Test func givenHitRate() {
        var big = Self.api("big", input: 2.5, output: 10)
        big.cache = CacheSpec(hits: .probability(0.3), lookupSeconds: 0.01)
        let scenario = Scenario(
            name: "cache", durationSeconds: 3_600,
            traffic: TrafficSpec(ratePerSecond: 10, classes: [RequestClass(
                name: "chat", deployment: "big", promptTokens: .constant(500), outputTokens: .constant(100))]),
            deployments: [big])
        let result = Simulation(scenario: scenario).run()
        let paths = result.total.paths
        #expect(paths.cacheLookups == result.total.requests.arrived)
        #expect(Self.withinBinomial(paths.cacheHits, of: paths.cacheLookups, p: 0.3))
        // Billed requests are the misses only.
        let billed = Double(result.total.requests.completed - paths.cacheHits)
        #expect(abs(result.total.cost.api - billed * (500 * 2.5 + 100 * 10) / 1e6) < 1e-6)
    }

    /// An LRU cache under Zipf popularity: the simulated hit rate matches Che's approximation within 2 points.
    @Test(arguments: [100, 1_000, 3_000])
    func lruMatchesChe(capacity: Int) throws {
        let popularity = CacheSpec.Popularity(keys: 10_000, exponent: 0.8, capacity: capacity)
        var big = Self.api("big", input: 2.5, output: 10)
        big.cache = CacheSpec(hits: .popularity(popularity))
        let scenario = Scenario(
            name: "che", durationSeconds: 20_000,
            traffic: TrafficSpec(ratePerSecond: 20, classes: [RequestClass(
                name: "chat", deployment: "big", promptTokens: .constant(10), outputTokens: .constant(1))]),
            deployments: [big])
        let log = TimelineRecorder()
        _ = Simulation(scenario: scenario, observer: log).run()
        // Leave out the first tenth, while the cache fills.
        let steady = log.rows.dropFirst(log.rows.count / 10)
        let hits = steady.reduce(0) { $0 + $1.cacheHits }
        let lookups = steady.reduce(0) { $0 + $1.cacheLookups }
        let che = try #require(popularity.cheHitRate)
        #expect(abs(Double(hits) / Double(lookups) - che) < 0.02, "simulated \(Double(hits) / Double(lookups)), Che \(che)")
    }

    /// Hybrid serving: arrivals overflow to the API while the replicas' queue is long; every request ends once, and
    /// the replicas' queue stays within the threshold.
    @Test func overflowToAnAPI() {
        var gpus = Fixtures.deployment(name: "gpus", servers: 2, service: .exponential(mean: 1))
        gpus.overflow = OverflowSpec(to: "api", queueLength: 4)
        let scenario = Scenario(
            name: "overflow", durationSeconds: 3_600, windowSeconds: 60,
            traffic: TrafficSpec(ratePerSecond: 3, classes: [RequestClass(
                name: "chat", deployment: "gpus", promptTokens: .constant(500), outputTokens: .constant(100))]),
            deployments: [gpus, Self.api("api", input: 2.5, output: 10)])
        let log = TimelineRecorder()
        let result = Simulation(scenario: scenario, observer: log).run()
        let replicas = result.deployments[0].requests
        #expect(replicas.overflowed > 0)
        #expect(result.deployments[1].requests.arrived == replicas.overflowed)
        #expect(log.rows(of: "gpus").allSatisfy { $0.queueDepthMean <= 4 })
        for d in result.deployments {
            let r = d.requests
            #expect(r.arrived == r.completed + r.rejected + r.timedOut + r.failed + r.forwarded + r.inFlightAtEnd, "\(d.name)")
        }
        let t = result.total.requests
        #expect(t.arrived == t.completed + t.rejected + t.timedOut + t.failed + t.inFlightAtEnd)
    }

    /// Everything at once — a cached router, a cascade, a rate-limited API and overflow — and each deployment and the
    /// total conserve requests; each class's totals add up to the run's.
    @Test func conservationAcrossEveryPath() {
        var front = Self.router([
            RouteRule(condition: RouteCondition(classes: ["code"]), targets: [.init(name: "big")]),
            RouteRule(targets: [.init(name: "gpus", share: 0.7), .init(name: "small", share: 0.3)]),
        ])
        front.cache = CacheSpec(hits: .probability(0.2))
        var gpus = Fixtures.deployment(name: "gpus", servers: 2, service: .exponential(mean: 0.5))
        gpus.overflow = OverflowSpec(to: "small", queueLength: 3)
        var small = DeploymentSpec(name: "small", kind: .api(APISpec(
            prices: TokenPrices(input: 0.15, output: 0.6), limits: RateLimits(requestsPerMinute: 60))))
        small.escalation = EscalationSpec(to: "big", rule: .probability(0.2))
        let scenario = Scenario(
            name: "everything", durationSeconds: 3_600,
            traffic: TrafficSpec(ratePerSecond: 8, classes: [
                RequestClass(name: "chat", weight: 3, deployment: "front", promptTokens: .constant(500), outputTokens: .constant(50)),
                RequestClass(name: "code", weight: 1, deployment: "front", promptTokens: .constant(2_000), outputTokens: .constant(300)),
            ]),
            deployments: [front, gpus, small, Self.api("big", input: 2.5, output: 10)])
        let result = Simulation(scenario: scenario).run()
        var arrivals = 0
        var forwarded = 0
        for d in result.deployments {
            let r = d.requests
            #expect(r.arrived == r.completed + r.rejected + r.timedOut + r.failed + r.forwarded + r.inFlightAtEnd, "\(d.name)")
            arrivals += r.arrived
            forwarded += r.forwarded
        }
        let t = result.total.requests
        #expect(t.arrived == arrivals - forwarded)
        #expect(t.arrived == t.completed + t.rejected + t.timedOut + t.failed + t.inFlightAtEnd)
        #expect(result.deployments[2].paths.throttled > 0)
        #expect(result.classes.reduce(0) { $0 + $1.requests.arrived } == t.arrived)
        #expect(result.classes.reduce(0) { $0 + $1.requests.completed } == t.completed)
    }
}
