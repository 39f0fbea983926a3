import FleetSim
import FleetSimKernel
import Testing

/// A generic deployment with constant service, no batching and one replica is an M/D/1 queue, whose mean wait is
/// given by Pollaczek–Khinchine: Wq = ρS / (2(1 − ρ)), half the M/M/1 wait at the same load.
///
/// Tolerance: a 99.9 % Student-t interval over 25 independent replications, one mean wait per replication, after a
/// 2,000 s warm-up (over 20 relaxation times at ρ = 0.8).
@Suite struct MD1Tests {
    @Test(arguments: [0.5, 0.8])
    func meanWaitMatchesPollaczekKhinchine(_ utilization: Double) {
        let serviceSeconds = 1.0
        let scenario = Scenario.textbook(
            name: "md1", servers: 1, arrivalRate: utilization / serviceSeconds, service: .constant(serviceSeconds),
            durationSeconds: 100_000, warmupSeconds: 2_000, seed: 20_251_124)
        let runs = Replications(scenario, count: 25)

        let wait = runs.estimate(level: 0.999) { $0.deployments[0].queueWait.mean ?? .nan }
        let expected = QueueingFormulas.md1MeanWait(arrivalRate: utilization / serviceSeconds, serviceSeconds: serviceSeconds)
        expectCovers(wait, expected, "M/D/1 at ρ = \(utilization) Wq")

        // With one server P(wait > 0) = ρ for any service distribution (PASTA and the busy fraction ρ).
        let waited = runs.estimate(level: 0.999) { $0.deployments[0].fractionWaited ?? .nan }
        expectCovers(waited, utilization, "M/D/1 at ρ = \(utilization) P(wait > 0)")

        // Sojourn = wait + S exactly, request by request. The e2e mean is over completed requests, the wait mean
        // also over the one (at most) still in service at the horizon, which moves it by at most max wait / count.
        for result in runs.results {
            let d = result.deployments[0]
            guard let e2e = d.e2e.mean, let wq = d.queueWait.mean, let maxWait = d.queueWait.max else { continue }
            #expect(abs(e2e - wq - serviceSeconds) <= maxWait / Double(d.queueWait.count) + 1e-9)
        }
    }
}
