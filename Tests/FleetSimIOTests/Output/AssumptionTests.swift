import FleetSim
import FleetSimIO
import Testing

/// What a result rests on without the scenario saying so is spelled out: the default reserved discount, spot that
/// never fails or is reclaimed, unbounded capacity, metrics without delay, no warm-up.
@Suite struct AssumptionTests {
    @Test func optimisticDefaultsAreNamed() throws {
        let yaml = validScenario.replacingOccurrences(of: "      - {purchase: onDemand, count: 2}", with: """
                  - {purchase: reserved, count: 1}
                  - {purchase: spot, count: 1, pricePerHour: 0.2}
                autoscaler: {hpa: {maxReplicas: 6, metric: {concurrency: 4}}, metrics: {lag: 0s}}
            slo: {e2e: {p99: 2s}}
            """)
        let assumptions = Assumptions.list(try ScenarioLoader.decode(yaml: yaml, file: "s.yaml"))
        #expect(assumptions.contains { $0.contains("reserved at the default 35 % off on demand") }, "\(assumptions)")
        #expect(assumptions.contains { $0.contains("spot: every request for an instance succeeds at once") })
        #expect(assumptions.contains { $0.contains("spot: instances are never reclaimed") })
        #expect(assumptions.contains { $0.contains("capacity: the cloud always has instances") })
        #expect(assumptions.contains { $0.contains("lag 0") })
        #expect(assumptions.contains { $0.hasPrefix("no warm-up") })
    }

    @Test func statedChoicesAreNotCalledDefaults() throws {
        let yaml = validScenario.replacingOccurrences(of: "      - {purchase: onDemand, count: 2}", with: """
                  - {purchase: reserved, count: 1, discount: 40%}
                  - {purchase: spot, count: 1, pricePerHour: 0.2, max: 4, reclaim: {perHour: 0.05}, acquisition: {failure: 10%}}
                autoscaler: {hpa: {maxReplicas: 6, metric: {concurrency: 4}}}
            warmup: 10m
            slo: {e2e: {p99: 2s}}
            """)
        let assumptions = Assumptions.list(try ScenarioLoader.decode(yaml: yaml, file: "s.yaml"))
        #expect(assumptions.contains { $0.contains("reserved at 40 % off on demand") }, "\(assumptions)")
        #expect(!assumptions.contains { $0.contains("default") || $0.contains("spot:") || $0.contains("no warm-up") })
        #expect(assumptions.contains { $0.contains("metrics: 30s samples seen 15s late") })
    }
}
