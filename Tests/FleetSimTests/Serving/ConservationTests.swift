import FleetSim
import FleetSimKernel
import Testing

/// Every request that arrives is, at the horizon, exactly one of completed, rejected (queue full), timed out or
/// still in flight — per deployment, in total, and window by window — even when a deployment is overloaded and
/// both of its drop paths are busy.
@Suite struct ConservationTests {
    static let timeoutSeconds = 5.0
    static let capacity = 10

    /// `chat` receives 3/4 of 4 requests/s on two replicas that serve 1/s each: overloaded, so its bounded queue
    /// rejects and its client timeout fires. `bulk` receives the other 1/4 on one batching replica with room to spare.
    static func scenario(seed: UInt64) -> Scenario {
        let chat = Fixtures.deployment(
            name: "chat", servers: 2, service: .exponential(mean: 1),
            queue: QueueSpec(capacity: capacity, timeoutSeconds: timeoutSeconds))
        let bulk = Fixtures.deployment(
            name: "bulk", servers: 1, service: .lognormal(median: 0.5, sigma: 0.5),
            batching: .window(windowSeconds: 0.5, maxBatch: 4), queue: QueueSpec(timeoutSeconds: 30))
        return Scenario(
            name: "conservation", seed: seed, durationSeconds: 3_600, windowSeconds: 300, warmupSeconds: 0,
            traffic: TrafficSpec(ratePerSecond: 4, classes: [
                RequestClass(name: "interactive", weight: 2, deployment: "chat"),
                RequestClass(name: "bulk", weight: 1, deployment: "bulk"),
                RequestClass(name: "assistant", weight: 1, deployment: "chat"),
            ]),
            deployments: [chat, bulk])
    }

    static func conserved(_ r: DeploymentResult.Requests) -> Bool {
        r.arrived == r.completed + r.rejected + r.timedOut + r.inFlightAtEnd
    }

    @Test(arguments: [(UInt64(1), 0), (1, 1), (99, 0), (99, 7)])
    func arrivalsEqualCompletedRejectedTimedOutAndInFlight(_ seed: UInt64, _ replication: Int) {
        let recorder = TimelineRecorder()
        let result = Simulation(scenario: Self.scenario(seed: seed), replication: replication, observer: recorder).run()
        let chat = result.deployments[0], bulk = result.deployments[1]

        for d in result.deployments + [result.total] {
            #expect(Self.conserved(d.requests), "\(d.name): \(d.requests)")
        }
        // The scenario really exercises both drop paths (so the identity is not vacuous).
        #expect(chat.requests.rejected > 0 && chat.requests.timedOut > 0)

        // The total is the sum of the deployments, count by count.
        let r = result.deployments.map(\.requests)
        #expect(result.total.requests.arrived == r.reduce(0) { $0 + $1.arrived })
        #expect(result.total.requests.completed == r.reduce(0) { $0 + $1.completed })
        #expect(result.total.requests.rejected == r.reduce(0) { $0 + $1.rejected })
        #expect(result.total.requests.timedOut == r.reduce(0) { $0 + $1.timedOut })
        #expect(result.total.requests.inFlightAtEnd == r.reduce(0) { $0 + $1.inFlightAtEnd })

        // Window by window, the counts add up to each deployment's totals.
        for d in result.deployments {
            let rows = recorder.rows(of: d.name)
            #expect(rows.count == 12)
            #expect(rows.reduce(0) { $0 + $1.arrivals } == d.requests.arrived)
            #expect(rows.reduce(0) { $0 + $1.completed } == d.requests.completed)
            #expect(rows.reduce(0) { $0 + $1.rejected } == d.requests.rejected)
            #expect(rows.reduce(0) { $0 + $1.timedOut } == d.requests.timedOut)
        }

        // No served request waited longer than the timeout (max is exact, not from the histogram), and the queue
        // never held more than its capacity.
        #expect((chat.queueWait.max ?? 0) <= Self.timeoutSeconds)
        #expect(chat.queueDepthMean <= Double(Self.capacity))
        #expect(chat.requests.inFlightAtEnd <= Self.capacity + 2)

        // Classes pick deployments with probability weight / total weight: chat gets 3/4 of the arrivals. The count
        // is binomial given the total; the bound is the normal approximation's 99.9 % two-sided interval.
        let n = Double(result.total.requests.arrived)
        let z = StandardNormal.quantile(0.9995)
        #expect(abs(Double(chat.requests.arrived) - 0.75 * n) <= z * (n * 0.75 * 0.25).squareRoot())
        #expect(bulk.requests.arrived + chat.requests.arrived == result.total.requests.arrived)
    }
}
