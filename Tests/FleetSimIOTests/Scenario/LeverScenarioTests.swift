import FleetSim
@testable import FleetSimIO
import Foundation
import Testing

/// Scenarios with per-token APIs, routers, cascades, caches and overflow: they read, they round-trip through
/// `scenario.resolved.yaml`, and each mistake is located by line and key.
@Suite struct LeverScenarioTests {
    static let valid = """
        duration: 1h
        traffic:
          rate: 5/s
          classes:
            - {name: chat, deployment: front, promptTokens: 800, outputTokens: 150}
        deployments:
          front:
            router:
              classifier: {latency: 20ms, costPerRequest: 0.00001}
              rules:
                - {when: {difficulty: {above: 0.7}}, to: big}
                - {to: {small: 60%, big: 40%}}
            cache: {match: semantic, hitRate: 25%, latency: 30ms, lookupCost: 0.00002}
          small:
            api: {model: openai/gpt-4o-mini}
            escalate: {to: big, share: 10%}
            quality: 0.8
          big:
            api:
              model: openai/gpt-4o
              limits: {requestsPerMinute: 600, tokensPerMinute: 2000000}
            promptCache: {share: 50%}
            quality: 0.9
        """

    static func decode(_ text: String) throws -> Scenario {
        try ScenarioLoader.decode(yaml: text, file: "s.yaml")
    }

    @Test func readsAndRoundTrips() throws {
        let scenario = try Self.decode(Self.valid)
        guard case .api(let big) = scenario.deployments[2].kind else { Issue.record("big is not an API"); return }
        #expect(big.prices == TokenPrices(input: 2.5, output: 10, cachedInput: 1.25))
        #expect(big.limits.requestsPerMinute == 600)
        let again = try Self.decode(try ScenarioEncoder.yaml(scenario))
        #expect(again == scenario)
    }

    /// Each mistake: the text replaced, the line and key path the error must name, and words it must contain.
    @Test(arguments: [
        ("model: openai/gpt-4o-mini", "model: gpt-4o-mini", 15, "deployments.small.api.model", "did you mean 'openai/gpt-4o-mini'"),
        ("model: openai/gpt-4o-mini", "model: openai/gpt-4o-mimi", 15, "deployments.small.api.model", "unknown API model"),
        ("api: {model: openai/gpt-4o-mini}", "api: {prices: {input: -1, output: 2}}", 15, "deployments.small.api.prices.input", "between 0 and"),
        ("escalate: {to: big, share: 10%}", "escalate: {to: bigg, share: 10%}", 16, "deployments.small.escalate.to", "did you mean 'big'"),
        ("- {to: {small: 60%, big: 40%}}", "- {when: {class: chat}, to: small}", 12, "deployments.front.router.rules[1]", "would go nowhere"),
        ("- {to: {small: 60%, big: 40%}}", "- {to: {small: 60%, big: 30%}}", 12, "deployments.front.router.rules[1].to", "sum to 90%"),
        ("- {to: {small: 60%, big: 40%}}", "- {to: {small: 60%, large: 40%}}", 12, "deployments.front.router.rules[1].to.large", "unknown deployment 'large'"),
        ("cache: {match: semantic, hitRate: 25%, latency: 30ms, lookupCost: 0.00002}", "cache: {match: fuzzy, hitRate: 25%}", 13, "deployments.front.cache.match", "exact or semantic"),
        ("cache: {match: semantic, hitRate: 25%, latency: 30ms, lookupCost: 0.00002}", "cache: {hitRate: 25%, popularity: {keys: 10, zipf: 1, capacity: 2}}", 13, "deployments.front.cache", "exactly one of hitRate, popularity"),
        ("promptCache: {share: 50%}", "promptCache: on", 22, "deployments.big.promptCache", "expected off, or {share: …}"),
        ("promptCache: {share: 50%}", "promptCache: {share: 150%}", 22, "deployments.big.promptCache.share", "150%"),
        ("promptTokens: 800, outputTokens: 150}", "promptTokens: 800, outputTokens: 150, promptCache: {part: 1}}", 5,
         "traffic.classes[0].promptCache.part", "unknown key"),
    ])
    func mistakesAreLocated(_ original: String, _ replacement: String, _ line: Int, _ keyPath: String, _ words: String) throws {
        #expect(Self.valid.contains(original))
        let error = #expect(throws: ScenarioError.self) {
            _ = try Self.decode(Self.valid.replacingOccurrences(of: original, with: replacement))
        }
        #expect(error?.line == line && error?.keyPath == keyPath, "\(error?.description ?? "")")
        #expect(error?.message.contains(words) == true, "\(error?.description ?? "")")
    }

    /// A cascade that comes back is a loop: requests would circle for ever.
    @Test func aCascadeLoopIsRefused() throws {
        let text = Self.valid.replacingOccurrences(of: "    promptCache: {share: 50%}", with: "    promptCache: {share: 50%}\n    escalate: {to: small, share: 5%}")
        let error = #expect(throws: ScenarioError.self) { _ = try Self.decode(text) }
        #expect(error?.message.contains("a loop of hand-offs: big → small → big") == true, "\(error?.description ?? "")")
        #expect(error?.keyPath == "deployments.big" && error?.line == 19, "\(error?.description ?? "")")
    }

    /// A class that can reach an API through a router needs token lengths: an API bills tokens.
    @Test func aClassReachingAnAPINeedsTokens() throws {
        let text = Self.valid.replacingOccurrences(of: ", promptTokens: 800, outputTokens: 150", with: "")
        let error = #expect(throws: ScenarioError.self) { _ = try Self.decode(text) }
        #expect(error?.message.contains("can reach 'small', a per-token API") == true, "\(error?.description ?? "")")
    }

    /// A trace's prefix cache reads and round-trips, and so do a class's cached share and a deployment's `off`; a
    /// prefix cache on a trace without block hashes is refused at its key.
    @Test func prefixCachesReadAndRoundTrip() throws {
        let scratch = try ScratchFolder()
        let mooncake = try scratch.write("m.jsonl", """
            {"timestamp": 0, "input_length": 700, "output_length": 5, "hash_ids": [0, 1]}
            {"timestamp": 500, "input_length": 900, "output_length": 5, "hash_ids": [0, 2]}

            """)
        let azure = try scratch.write("a.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.68,374,44\n")
        func scenario(_ trace: String, prefix: String = "prefixCache: {capacity: 4000000}") -> String {
            """
            duration: 1m
            traffic:
              trace: {file: \(trace), \(prefix)}
              classes:
                - {name: chat, deployment: chat, promptCache: {share: 10%}}
            deployments:
              chat:
                instance: {gpu: H100, gpus: 1, onDemand: 5}
                model: llama3.1-8b/h100
                batching: {mode: continuous}
                promptCache: off
                pools: [{purchase: onDemand, count: 1}]
            """
        }
        let read = try Self.decode(scenario(mooncake))
        #expect(read.traffic.trace?.prefixCache == PrefixCacheSpec(blockTokens: 512, capacityTokens: 4_000_000))
        #expect(read.traffic.classes[0].promptCacheShare == 0.1)
        #expect(read.deployments[0].promptCaching == .off)
        #expect(try Self.decode(try ScenarioEncoder.yaml(read)) == read)
        let error = #expect(throws: ScenarioError.self) { _ = try Self.decode(scenario(azure)) }
        #expect(error?.keyPath == "traffic.trace.prefixCache" && error?.message.contains("no prefix blocks") == true,
                "\(error?.description ?? "")")
        let negative = #expect(throws: ScenarioError.self) {
            _ = try Self.decode(scenario(mooncake, prefix: "prefixCache: {capacity: -5}"))
        }
        #expect(negative?.keyPath == "traffic.trace.prefixCache.capacity", "\(negative?.description ?? "")")
    }

    /// Tiers of two instance types behind one router balanced by free capacity: the list reads and round-trips;
    /// each mistake is located.
    static let mixed = """
        duration: 1h
        traffic:
          rate: 5/s
          classes:
            - {name: chat, deployment: front, promptTokens: 800, outputTokens: 150}
        deployments:
          front:
            router:
              rules:
                - {to: [h100, a100], balance: freeCapacity}
          h100:
            instance: aws/p5.48xlarge
            model: llama2-70b/h100x8
            batching: {mode: continuous}
            pools: [{purchase: onDemand, count: 2}]
          a100:
            instance: aws/p4de.24xlarge
            model: llama2-70b/a100x8
            batching: {mode: continuous}
            pools: [{purchase: onDemand, count: 3}]
          mini:
            api: {model: openai/gpt-4o-mini}
        """

    @Test func aBalancedRouteReadsAndRoundTrips() throws {
        let scenario = try Self.decode(Self.mixed)
        guard case .router(let router) = scenario.deployments[0].kind else { Issue.record("front is not a router"); return }
        #expect(router.rules[0].balance == .freeCapacity && router.rules[0].targets.map(\.name) == ["h100", "a100"])
        #expect(try Self.decode(try ScenarioEncoder.yaml(scenario)) == scenario)
    }

    @Test(arguments: [
        ("to: [h100, a100], balance: freeCapacity", "to: [h100, a100]", "deployments.front.router.rules[0].to", "add 'balance: freeCapacity'"),
        ("to: [h100, a100], balance: freeCapacity", "to: [h100], balance: freeCapacity", "deployments.front.router.rules[0].to", "at least two"),
        ("to: [h100, a100], balance: freeCapacity", "to: [h100, h100], balance: freeCapacity", "deployments.front.router.rules[0].to[1]", "listed twice"),
        ("to: [h100, a100], balance: freeCapacity", "to: [h100, a100], balance: fastest", "deployments.front.router.rules[0].balance", "share, freeCapacity"),
        ("to: [h100, a100], balance: freeCapacity", "to: {h100: 50%, a100: 50%}, balance: freeCapacity", "deployments.front.router.rules[0].to", "a list of the deployments"),
        ("to: [h100, a100], balance: freeCapacity", "to: [h100, mini], balance: freeCapacity", "deployments.front.router.rules[0].to[1]", "a per-token API"),
        ("to: [h100, a100], balance: freeCapacity", "to: [h100, a10], balance: freeCapacity", "deployments.front.router.rules[0].to[1]", "did you mean 'a100'"),
    ])
    func balancedRouteMistakesAreLocated(_ original: String, _ replacement: String, _ keyPath: String, _ words: String) throws {
        let error = #expect(throws: ScenarioError.self) {
            _ = try Self.decode(Self.mixed.replacingOccurrences(of: original, with: replacement))
        }
        #expect(error?.line == 10 && error?.keyPath == keyPath, "\(error?.description ?? "")")
        #expect(error?.message.contains(words) == true, "\(error?.description ?? "")")
    }
}
