import FleetSim
import FleetSimKernel
import Testing

/// Prefix caching from a trace's prompt blocks: the cache finds leading blocks only, evicts least recently used
/// blocks tail first, and what it finds shortens prefill on replicas and is billed as cached input on APIs.
@Suite struct PrefixCacheTests {
    /// The same rules on a plain array in recency order (most recent first), the slow and obvious way.
    struct ListLRU {
        var recency: [Int] = []
        let capacity: Int

        mutating func lookUp(_ blocks: [Int]) -> Int {
            var leading = 0
            while leading < blocks.count, recency.contains(blocks[leading]) { leading += 1 }
            func touch(_ slice: ArraySlice<Int>) {
                for block in slice.reversed() {
                    recency.removeAll { $0 == block }
                    recency.insert(block, at: 0)
                    if recency.count > capacity { recency.removeLast() }
                }
            }
            touch(blocks[..<leading])
            touch(blocks[leading...])
            touch(blocks[..<leading])
            return leading
        }
    }

    /// Conversations that share a system prompt and grow turn by turn, interleaved at random: the linked-list LRU
    /// finds exactly the leading blocks the array reference finds, at every capacity, request by request.
    @Test(arguments: [0, 3, 10, 40, 200])
    func lruMatchesAReferenceList(capacity: Int) {
        let stream = RandomStream(seed: 7, source: "prefix-blocks")
        var conversations: [[Int]] = (0..<12).map { [0, 1000 + $0] }
        var nextBlock = 5_000
        var cache = PrefixCache(PrefixCacheSpec(blockTokens: 16, capacityTokens: capacity * 16))
        var reference = ListLRU(capacity: capacity)
        var found = 0
        for _ in 0..<2_000 {
            let index = Int(stream.uniform() * Double(conversations.count))
            conversations[index] += (0..<(1 + Int(stream.uniform() * 3))).map { _ in nextBlock += 1; return nextBlock }
            if conversations[index].count > 30 { conversations[index] = [0, 1000 + index] }
            let blocks = conversations[index]
            let leading = cache.lookUp(blocks)
            #expect(leading == reference.lookUp(blocks))
            found += leading
        }
        #expect(cache.cachedBlocks == found)
        if capacity >= 40 { #expect(found > 0) }
    }

    /// A cache that never evicts finds a block only behind a run of found ones: a repeated tail after a new first
    /// block is not a prefix.
    @Test func onlyLeadingBlocksCount() {
        var cache = PrefixCache(PrefixCacheSpec())
        #expect(cache.lookUp([1, 2, 3]) == 0)
        #expect(cache.lookUp([1, 2, 4]) == 2)
        #expect(cache.lookUp([9, 2, 3]) == 0)
        #expect(cache.lookUp([1, 2, 3, 4]) == 4)  // 4 was stored after 1, 2 (a block hash names its whole prefix)
        #expect(cache.tokens(ofBlocks: 3, promptTokens: 1_400) == 1_400)
        #expect(cache.tokens(ofBlocks: 2, promptTokens: 1_400) == 1_024)
    }

    /// Requests of a trace with prefix blocks, far apart on one replica running one sequence: each TTFT is the
    /// prefill of the tokens the cache did not hold, exactly, and the summary counts the cached tokens.
    @Test func cachedPrefixesShortenPrefill() {
        var profile = ContinuousBatchingTests.profile
        profile.maxConcurrency = 1
        var replay = TraceReplay(path: "memory")
        replay.prefixCache = PrefixCacheSpec(blockTokens: 512)
        let traffic = TrafficSpec(ratePerSecond: 0, classes: [RequestClass(name: "chat", deployment: "llm")], trace: replay)
        let records = [
            TraceRecord(timeSeconds: 0, promptTokens: 1_536, outputTokens: 1, prefixBlocks: [0, 1, 2]),
            TraceRecord(timeSeconds: 10, promptTokens: 2_000, outputTokens: 1, prefixBlocks: [0, 1, 2, 3]),
            TraceRecord(timeSeconds: 20, promptTokens: 1_200, outputTokens: 1, prefixBlocks: [0, 7, 8]),
        ]
        let deployment = Fixtures.llmDeployment(replicas: 1, profile: profile)
        func run(_ deployment: DeploymentSpec) -> DeploymentResult {
            let scenario = Scenario(name: "prefix", durationSeconds: 60, traffic: traffic, deployments: [deployment])
            return Simulation(scenario: scenario, trace: InMemoryTrace(records)).run().deployments[0]
        }
        let cached = run(deployment)
        // Cached: nothing, then the first prompt's 3 blocks, then 1 block; TTFT = 5 ms + uncached tokens ÷ 10,000/s.
        #expect(cached.cachedPromptTokens == 1_536 + 512)
        #expect(cached.promptTokens == 1_536 + 2_000 + 1_200)
        let uncachedTokens: [Double] = [1_536, 2_000 - 1_536, 1_200 - 512]
        let expected = uncachedTokens.map { 0.005 + $0 / 10_000 }
        let mean = expected.reduce(0, +) / 3
        let ttft = cached.ttft
        #expect(abs(ttft.max! / expected[0] - 1) < 1e-3, "\(ttft) against \(expected)")
        #expect(abs(ttft.mean! / mean - 1) < 1e-3, "\(ttft) against \(expected)")
        var off = deployment
        off.promptCaching = .off
        let uncached = run(off)
        #expect(uncached.cachedPromptTokens == 0)
        let longest: Double = 0.005 + 0.2
        #expect(abs(uncached.ttft.max! / longest - 1) < 1e-3, "\(uncached.ttft)")
    }

    /// A class's cached share, on an API: every prompt bills that share at the cached-input price, to the cent.
    @Test func aClassShareIsBilledAsCachedInput() {
        var traffic = APIDeploymentTests.traffic(rate: 2)
        traffic.classes[0].promptCacheShare = 0.25
        let scenario = Scenario(name: "class-share", durationSeconds: 3_600, traffic: traffic,
                                deployments: [APIDeploymentTests.api()])
        let result = Simulation(scenario: scenario).run()
        let completed = Double(result.total.requests.completed)
        let perRequest: Double = (750 * 2.5 + 250 * 1.25 + 200 * 10) / 1e6
        #expect(completed > 6_000)
        #expect(abs(result.total.cost.api - completed * perRequest) < 0.005)
        #expect(result.deployments[0].cachedPromptTokens == Int(completed) * 250)
    }
}
