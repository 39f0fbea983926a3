import FleetSim
import FleetSimKernel
import Testing

/// Runs are reproducible and random sources are independent of each other: the same (seed, replication) gives the
/// same run, and changing one deployment changes nothing drawn for the traffic or for another deployment (common
/// random numbers).
@Suite struct DeterminismTests {
    static func scenario(seed: UInt64 = 42, chatReplicas: Int = 3, bulkReplicas: Int = 1) -> Scenario {
        let chat = Fixtures.deployment(
            name: "chat", servers: chatReplicas, service: .lognormal(median: 0.4, sigma: 0.8),
            queue: QueueSpec(capacity: 50, timeoutSeconds: 20))
        let bulk = Fixtures.deployment(
            name: "bulk", servers: bulkReplicas, service: .gamma(mean: 1.5, cv: 0.5),
            batching: .window(windowSeconds: 2, maxBatch: 8))
        return Scenario(
            name: "determinism", seed: seed, durationSeconds: 7_200, windowSeconds: 600, warmupSeconds: 600,
            traffic: TrafficSpec(
                ratePerSecond: 5, diurnal: .smooth(peakHour: 1, peakToTrough: 3),
                spikes: [Spike(atSeconds: 3_000, durationSeconds: 600, multiplier: 2, rampSeconds: 60)],
                classes: [
                    RequestClass(name: "interactive", weight: 4, deployment: "chat"),
                    RequestClass(name: "offline", weight: 1, deployment: "bulk"),
                ]),
            deployments: [chat, bulk])
    }

    static func run(_ scenario: Scenario, replication: Int = 0) -> (SimulationResult, [TimelineRow]) {
        let recorder = TimelineRecorder()
        let result = Simulation(scenario: scenario, replication: replication, observer: recorder).run()
        return (result, recorder.rows)
    }

    /// Every reported number of a deployment, bit for bit.
    static func identical(_ a: DeploymentResult, _ b: DeploymentResult) -> Bool {
        a.name == b.name && a.requests == b.requests && a.e2e == b.e2e && a.ttft == b.ttft
            && a.queueWait == b.queueWait && a.fractionWaited == b.fractionWaited && a.cost == b.cost
            && a.utilization == b.utilization && a.queueDepthMean == b.queueDepthMean
            && a.inSystemMean == b.inSystemMean && a.replicasMean == b.replicasMean && a.gpuHoursBusy == b.gpuHoursBusy
    }

    /// The same requests served the same way: counts and latencies bit for bit; time averages and cost up to the
    /// rounding of their integrals, which are summed over the intervals between *all* events of the run, so events
    /// of another deployment split them differently.
    static func sameOutcome(_ a: DeploymentResult, _ b: DeploymentResult) -> Bool {
        func close(_ x: Double, _ y: Double) -> Bool { abs(x - y) <= 1e-9 * max(abs(x), abs(y), 1) }
        return a.name == b.name && a.requests == b.requests && a.e2e == b.e2e && a.ttft == b.ttft
            && a.queueWait == b.queueWait && a.fractionWaited == b.fractionWaited
            && close(a.cost.total, b.cost.total) && close(a.utilization, b.utilization)
            && close(a.queueDepthMean, b.queueDepthMean) && close(a.inSystemMean, b.inSystemMean)
    }

    @Test func sameSeedAndReplicationGiveIdenticalRuns() {
        let (first, firstRows) = Self.run(Self.scenario(), replication: 3)
        let (second, secondRows) = Self.run(Self.scenario(), replication: 3)
        #expect(first.events == second.events)
        #expect(Self.identical(first.total, second.total))
        #expect(zip(first.deployments, second.deployments).allSatisfy { Self.identical($0, $1) })
        #expect(firstRows == secondRows)
        #expect(first.seed == 42 && first.replication == 3)
    }

    @Test func otherReplicationsAndSeedsGiveOtherRuns() {
        let base = Self.run(Self.scenario()).0.total
        let otherReplication = Self.run(Self.scenario(), replication: 1).0.total
        let otherSeed = Self.run(Self.scenario(seed: 43)).0.total
        // ~36,000 Poisson arrivals: equal counts by chance have probability about 1/(√(2π·36000)) ≈ 0.2 %, and
        // equal mean latencies to the last bit essentially never happen.
        #expect(base.e2e.mean != otherReplication.e2e.mean)
        #expect(base.e2e.mean != otherSeed.e2e.mean)
        #expect(base.requests.arrived != otherReplication.requests.arrived
            || base.requests.completed != otherReplication.requests.completed)
    }

    /// Arrivals and the class of each request come from their own streams: a bigger or smaller fleet sees the same
    /// requests, and a deployment whose own spec did not change produces the very same results.
    @Test(arguments: [(1, 1), (6, 1), (3, 4)])
    func changingTheFleetKeepsTheTrafficAndTheOtherDeployment(_ chatReplicas: Int, _ bulkReplicas: Int) {
        let (base, _) = Self.run(Self.scenario())
        let (changed, _) = Self.run(Self.scenario(chatReplicas: chatReplicas, bulkReplicas: bulkReplicas))
        #expect(changed.total.requests.arrived == base.total.requests.arrived)
        #expect(zip(changed.deployments, base.deployments).allSatisfy { $0.requests.arrived == $1.requests.arrived })
        if chatReplicas == 3 {
            #expect(Self.sameOutcome(changed.deployments[0], base.deployments[0]))
        }
        if bulkReplicas == 1 {
            #expect(Self.sameOutcome(changed.deployments[1], base.deployments[1]))
        }
    }
}
