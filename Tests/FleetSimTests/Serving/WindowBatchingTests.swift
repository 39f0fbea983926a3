import FleetSim
import FleetSimKernel
import Testing

/// Window batching with deterministic arrivals and constant service, where every batch can be worked out by hand.
///
/// Deterministic arrivals at 8 requests/s come at exactly k/8 s (binary fractions, so the arithmetic is exact), and
/// the horizon of 100.3 s sits between two eighths of a second, away from every event: 802 requests arrive.
@Suite struct WindowBatchingTests {
    static let horizon = 100.3
    static let arrivalsPerSecond = 8.0

    /// Deterministic traffic to `deployment`, with one timeline window for the whole run.
    static func scenario(
        ratePerSecond: Double = arrivalsPerSecond, durationSeconds: Double = horizon, deployment: DeploymentSpec
    ) -> Scenario {
        Scenario(
            name: "batching", seed: 3, durationSeconds: durationSeconds, windowSeconds: durationSeconds,
            traffic: TrafficSpec(
                ratePerSecond: ratePerSecond, arrivals: .deterministic,
                classes: [RequestClass(name: "all", deployment: deployment.name)]),
            deployments: [deployment])
    }

    struct Overload: Sendable, CustomTestStringConvertible {
        let replicas: Int
        let maxBatch: Int
        let perItemSeconds: Double
        var testDescription: String { "\(replicas) replicas, maxBatch \(maxBatch), +\(perItemSeconds) s/item" }
    }

    /// Under overload (replicas × maxBatch / cycle < 8/s) the queue always holds a full batch, so replica j starts
    /// its first batch when the (j+1)·B-th request arrives, at (j+1)·B/8 s, and then one batch of exactly B every
    /// cycle C = 1 s + B × perItemSeconds. Completed requests = B × Σⱼ ⌊(T − sⱼ)/C⌋: larger batches than maxBatch
    /// would complete more, smaller ones fewer.
    @Test(arguments: [
        Overload(replicas: 1, maxBatch: 1, perItemSeconds: 0),
        Overload(replicas: 1, maxBatch: 4, perItemSeconds: 0),
        Overload(replicas: 2, maxBatch: 3, perItemSeconds: 0),
        Overload(replicas: 3, maxBatch: 2, perItemSeconds: 0.25),
    ])
    func overloadedReplicasServeExactlyMaxBatchPerCycle(_ o: Overload) throws {
        let deployment = Fixtures.deployment(
            servers: o.replicas, service: .constant(1), perItemSeconds: o.perItemSeconds,
            batching: .window(windowSeconds: 30, maxBatch: o.maxBatch))
        let result = Simulation(scenario: Self.scenario(deployment: deployment)).run()
        let requests = result.deployments[0].requests

        let cycle = 1 + o.perItemSeconds * Double(o.maxBatch)
        try #require(Double(o.replicas * o.maxBatch) / cycle < Self.arrivalsPerSecond, "not overloaded")
        var batches = 0
        for j in 0..<o.replicas {
            let cycles = (Self.horizon - Double((j + 1) * o.maxBatch) / Self.arrivalsPerSecond) / cycle
            try #require(abs(cycles - cycles.rounded()) > 1e-6, "a completion falls on the horizon")
            batches += Int(cycles.rounded(.down))
        }
        #expect(requests.arrived == 802)
        #expect(requests.completed == o.maxBatch * batches)
        #expect(requests.inFlightAtEnd == requests.arrived - requests.completed)
        #expect(abs(result.deployments[0].utilization - 1) < 0.01)
    }

    /// At light load a lone request waits for the whole window: one request every 8 s, a 0.5 s window and 0.25 s of
    /// service give every request a wait of exactly 0.5 s and a sojourn of 0.75 s. The last request (at 800 s) is
    /// still waiting at the horizon of 800.1 s.
    @Test func lightLoadDelaysEachRequestByTheWindow() {
        func run(window: Double) -> DeploymentResult {
            let deployment = Fixtures.deployment(
                servers: 1, service: .constant(0.25), batching: .window(windowSeconds: window, maxBatch: 8))
            let scenario = Self.scenario(ratePerSecond: 1.0 / 8, durationSeconds: 800.1, deployment: deployment)
            return Simulation(scenario: scenario).run().deployments[0]
        }
        let windowed = run(window: 0.5)
        #expect(windowed.requests.arrived == 100)
        #expect(windowed.requests.completed == 99)
        #expect(windowed.queueWait.count == 99)
        #expect(abs((windowed.queueWait.mean ?? 0) - 0.5) < 1e-12)
        #expect(abs((windowed.queueWait.max ?? 0) - 0.5) < 1e-12)
        #expect(abs((windowed.e2e.mean ?? 0) - 0.75) < 1e-12)
        // The histogram's median is within its 0.1 % resolution of the exact value.
        #expect(abs((windowed.e2e.p50 ?? 0) - 0.75) <= 0.001 * 0.75)
        #expect(windowed.fractionWaited == 1)

        // Without a window the same requests never wait (the last is still in service at the horizon).
        let immediate = run(window: 0)
        #expect(immediate.requests.completed == 99)
        #expect(immediate.queueWait.count == 100)
        #expect(immediate.queueWait.max == 0)
        #expect(abs((immediate.e2e.mean ?? 0) - 0.25) < 1e-12)
        #expect(immediate.fractionWaited == 0)
    }

    /// A batch that fills before its window runs out starts at once: with 8 requests/s, maxBatch 4 and a 10 s
    /// window, each batch starts on its 4th arrival, so the waits are 3/8, 2/8, 1/8 and 0 s (mean 0.1875 s, three
    /// in four wait). 200 batches start; the 801st and 802nd requests are still inside their window at the horizon.
    @Test func fullBatchStartsBeforeTheWindowEnds() {
        let deployment = Fixtures.deployment(
            servers: 1, service: .constant(0.0625), batching: .window(windowSeconds: 10, maxBatch: 4))
        let d = Simulation(scenario: Self.scenario(deployment: deployment)).run().deployments[0]
        #expect(d.requests.arrived == 802)
        #expect(d.requests.completed == 800)
        #expect(d.requests.inFlightAtEnd == 2)
        #expect(d.queueWait.count == 800)
        #expect(abs((d.queueWait.mean ?? 0) - 0.1875) < 1e-12)
        #expect(abs((d.queueWait.max ?? 0) - 0.375) < 1e-12)
        #expect(d.fractionWaited == 0.75)
    }
}
