import FleetSim
import FleetSimKernel
import Testing

/// A per-token API bills each answered request by its tokens, exactly; its rate limits refuse what exceeds the
/// bucket, and every request ends once.
@Suite struct APIDeploymentTests {
    static func api(
        name: String = "api", prices: TokenPrices = TokenPrices(input: 2.5, output: 10, cachedInput: 1.25),
        limits: RateLimits = RateLimits(), retry: RetryPolicy = RetryPolicy(), promptCacheShare: Double? = nil
    ) -> DeploymentSpec {
        var spec = DeploymentSpec(name: name, kind: .api(APISpec(prices: prices, limits: limits, retry: retry)))
        if let promptCacheShare { spec.promptCaching = .share(promptCacheShare) }
        return spec
    }

    static func traffic(rate: Double, to deployment: String = "api", prompt: Double = 1_000, output: Double = 200) -> TrafficSpec {
        TrafficSpec(ratePerSecond: rate, classes: [RequestClass(
            name: "chat", deployment: deployment, promptTokens: .constant(prompt), outputTokens: .constant(output))])
    }

    /// Fixed token counts: cost = answered × (prompt × input + output × output price), to the cent; with a prompt
    /// cache, the cached share at the cached-input price. The timeline's windows add up to the total.
    @Test(arguments: [0.0, 0.6])
    func costIsTheTokenArithmetic(promptCacheShare: Double) {
        let scenario = Scenario(
            name: "api-cost", durationSeconds: 7_200, windowSeconds: 600, traffic: Self.traffic(rate: 3),
            deployments: [Self.api(promptCacheShare: promptCacheShare)])
        let log = TimelineRecorder()
        let result = Simulation(scenario: scenario, observer: log).run()
        let cached = Double(Int(1_000 * promptCacheShare))
        let perRequest = ((1_000 - cached) * 2.5 + cached * 1.25 + 200 * 10) / 1e6
        let completed = Double(result.total.requests.completed)
        #expect(completed > 20_000)
        #expect(abs(result.total.cost.api - completed * perRequest) < 0.005)
        #expect(result.total.cost.total == result.total.cost.api)
        let windows = log.rows.reduce(0) { $0 + $1.cost.api }
        #expect(abs(windows - result.total.cost.api) < 1e-6)
        let r = result.total.requests
        #expect(r.arrived == r.completed + r.failed + r.inFlightAtEnd)
    }

    /// Load at twice the requests-per-minute limit without retries: the bucket admits its first minute's allowance and
    /// then the limit's rate, and everything else gets a 429 and fails.
    @Test func requestsAboveTheLimitGet429s() {
        let limit = 600.0  // 10 requests/s
        let seconds = 3_600.0
        let scenario = Scenario(
            name: "api-rpm", durationSeconds: seconds, traffic: Self.traffic(rate: 20),
            deployments: [Self.api(limits: RateLimits(requestsPerMinute: limit), retry: RetryPolicy(maxRetries: 0))])
        let result = Simulation(scenario: scenario).run()
        let r = result.total.requests
        let admitted = Double(r.completed + r.inFlightAtEnd)
        // Arrivals outrun the refill twice over, so the bucket is empty but for under one request at any time.
        #expect(abs(admitted - (limit + limit / 60 * seconds)) <= 2, "\(admitted)")
        #expect(result.total.paths.throttled == r.failed)
        #expect(r.arrived == r.completed + r.failed + r.inFlightAtEnd)
        #expect(result.total.paths.retries == 0)
    }

    /// With retries, a 429 is tried again after the backoff: each request is counted once however many times it
    /// is refused, and the retries are the 429s that did not end it.
    @Test func retriedRequestsEndOnce() {
        let scenario = Scenario(
            name: "api-retry", durationSeconds: 3_600, traffic: Self.traffic(rate: 12),
            deployments: [Self.api(limits: RateLimits(requestsPerMinute: 600), retry: RetryPolicy(maxRetries: 3))])
        let result = Simulation(scenario: scenario).run()
        let r = result.total.requests
        let paths = result.total.paths
        #expect(paths.throttled > 0 && r.failed > 0)
        #expect(r.arrived == r.completed + r.failed + r.inFlightAtEnd)
        // Every 429 is followed by a retry, except the last one of a request that failed.
        #expect(paths.throttled == paths.retries + r.failed)
        #expect(paths.retries > r.failed)
    }

    /// The tokens-per-minute bucket counts prompt and output: 1,200 tokens a request against 120,000 a minute admits
    /// 100 requests a minute.
    @Test func tokensPerMinuteLimitsByTokens() {
        let seconds = 1_800.0
        let scenario = Scenario(
            name: "api-tpm", durationSeconds: seconds, traffic: Self.traffic(rate: 5),
            deployments: [Self.api(limits: RateLimits(tokensPerMinute: 120_000), retry: RetryPolicy(maxRetries: 0))])
        let result = Simulation(scenario: scenario).run()
        let admitted = Double(result.total.requests.completed + result.total.requests.inFlightAtEnd)
        #expect(abs(admitted - (100 + 100 / 60 * seconds)) <= 2, "\(admitted)")
    }
}
