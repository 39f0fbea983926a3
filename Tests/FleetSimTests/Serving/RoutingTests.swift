@testable import FleetSim
import FleetSimKernel
import Testing

/// Routers pick among candidates by what `ReplicaLoads` tells them.
@Suite struct RoutingTests {
    /// Replica 0 holds one long conversation (few requests, most of its KV cache); replica 1 three short questions.
    static let loads = [
        RouteCandidate(replica: 0, outstanding: 1, occupancy: 0.9), RouteCandidate(replica: 1, outstanding: 3, occupancy: 0.2),
        RouteCandidate(replica: 2, outstanding: 5, occupancy: 0.2),
    ]

    func among(_ replicas: [Int]) -> [RouteCandidate] { replicas.map { Self.loads[$0] } }

    @Test func leastLoadedWeighsKVOccupancyWhereLeastOutstandingCountsRequests() {
        var leastOutstanding = makeRouter(.leastOutstanding, stream: RandomStream(seed: 1, source: "routing"))
        var leastLoaded = makeRouter(.leastLoaded, stream: RandomStream(seed: 1, source: "routing"))
        #expect(leastOutstanding.pick(among: among([0, 1, 2]), replicaCount: 3) == 0)
        // Occupancy ties between 1 and 2 go to fewer outstanding requests.
        #expect(leastLoaded.pick(among: among([0, 1, 2]), replicaCount: 3) == 1)
        #expect(leastLoaded.pick(among: among([2, 0]), replicaCount: 3) == 2)
        #expect(leastLoaded.pick(among: [], replicaCount: 3) == nil)
    }

    @Test func roundRobinTakesEachCandidateInTurn() {
        var router = makeRouter(.roundRobin, stream: RandomStream(seed: 1, source: "routing"))
        let picks = (0..<5).map { _ in router.pick(among: among([0, 2]), replicaCount: 3)! }
        #expect(picks == [0, 2, 0, 2, 0])
    }

    /// Per-replica queues routed by KV occupancy, under prompts from 100 to 12,000 tokens on a 20,000-token budget:
    /// every request ends once (or is in flight at the end).
    @Test func leastLoadedRoutingConservesRequests() {
        let profile = PerformanceProfile(
            prefillTokensPerSecond: 10_000, prefillBaseSeconds: 0, decodeStep: .linear(baseSeconds: 0.02, perSequenceSeconds: 0),
            maxConcurrency: 64, kvTokenBudget: 20_000)
        let spec = DeploymentSpec(
            name: "llm", instance: InstanceType(gpu: "A10G", gpus: 1, onDemandPerHour: 1), profile: profile,
            batching: .continuous, routing: .leastLoaded, queueing: .perReplica,
            pools: [PoolSpec(purchase: .onDemand, count: 2, pricePerHour: 1)])
        let scenario = Scenario(
            name: "routing", durationSeconds: 600,
            traffic: TrafficSpec(ratePerSecond: 2, classes: [RequestClass(
                name: "chat", deployment: "llm", promptTokens: .uniform(lower: 100, upper: 12_000),
                outputTokens: .constant(200))]),
            deployments: [spec])
        let result = Simulation(scenario: scenario).run()
        let requests = result.total.requests
        #expect(requests.arrived > 1_000)
        #expect(requests.arrived == requests.completed + requests.rejected + requests.timedOut + requests.inFlightAtEnd)
    }
}
