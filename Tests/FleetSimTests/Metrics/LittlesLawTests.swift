import FleetSim
import FleetSimKernel
import Testing

/// The timeline's time averages and its latencies describe the same requests: Little's law L = λW must hold on the
/// windows after warm-up, for the whole system and for the queue alone, and the windows must add up to the run.
@Suite struct LittlesLawTests {
    static let windowSeconds = 600.0
    static let warmupSeconds = 3_000.0  // a whole number of windows, so "after warm-up" is a set of windows

    /// M/M/4 at ρ = 0.8 over 30,000 s (50 windows) plus a last window of 300 s, to cover a partial window.
    static let scenario = Scenario.textbook(
        name: "little", servers: 4, arrivalRate: 3.2, service: .exponential(mean: 1), durationSeconds: 30_300,
        warmupSeconds: warmupSeconds, windowSeconds: windowSeconds, seed: 20_251_125)

    struct Run {
        let result: SimulationResult
        let rows: [TimelineRow]

        init(replication: Int) {
            let recorder = TimelineRecorder()
            result = Simulation(scenario: LittlesLawTests.scenario, replication: replication, observer: recorder).run()
            rows = recorder.rows
        }

        var measured: [TimelineRow] { rows.filter { $0.windowStartSeconds >= LittlesLawTests.warmupSeconds } }
        var measuredSeconds: Double { measured.reduce(0) { $0 + $1.windowEndSeconds - $1.windowStartSeconds } }
        var arrivalRate: Double { Double(measured.reduce(0) { $0 + $1.arrivals }) / measuredSeconds }

        func timeAverage(_ level: (TimelineRow) -> Double) -> Double {
            measured.reduce(0) { $0 + level($1) * ($1.windowEndSeconds - $1.windowStartSeconds) } / measuredSeconds
        }

        /// The mean over all measured windows of a latency, weighting each window's mean by its count.
        func pooledMean(_ latency: (TimelineRow) -> LatencySummary) -> Double {
            let count = measured.reduce(0) { $0 + latency($1).count }
            return measured.reduce(0) { $0 + (latency($1).mean ?? 0) * Double(latency($1).count) } / Double(count)
        }
    }

    static let runs = (0..<20).map { Run(replication: $0) }

    /// L − λW per replication is a boundary term only (requests straddling the start and the end of the measured
    /// span), zero in expectation in steady state; its 99.9 % Student-t interval over 20 replications must cover 0.
    /// The interval is also required to be narrower than 0.5 % of L, so the check would see a 0.5 % inconsistency.
    static func expectLittlesLaw(
        _ label: String, level: (TimelineRow) -> Double, latency: (TimelineRow) -> LatencySummary,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var differences: [Double] = [], levels: [Double] = []
        for run in runs {
            let l = run.timeAverage(level)
            levels.append(l)
            differences.append(l - run.arrivalRate * run.pooledMean(latency))
        }
        let estimate = MeanEstimate(differences, level: 0.999)
        expectCovers(estimate, 0, label, sourceLocation: sourceLocation)
        #expect(estimate.halfWidth < 0.005 * MeanEstimate(levels).mean, sourceLocation: sourceLocation)
    }

    @Test func timeAverageInSystemEqualsArrivalRateTimesMeanSojourn() {
        Self.expectLittlesLaw("L − λW", level: \.inSystemMean, latency: \.e2e)
    }

    /// The same for the queue: Lq = λ·Wq, with each wait recorded in the window where service starts.
    @Test func timeAverageQueueDepthEqualsArrivalRateTimesMeanWait() {
        Self.expectLittlesLaw("Lq − λWq", level: \.queueDepthMean, latency: \.queueWait)
    }

    /// Windows tile the horizon, and counts and time integrals over the windows add up to the run's totals exactly
    /// (integrals up to floating-point rounding of a sum of 51 terms).
    @Test func windowsTileTheRunAndSumToItsTotals() {
        for run in Self.runs {
            let rows = run.rows
            #expect(rows.count == 51)
            #expect(rows.first?.windowStartSeconds == 0)
            #expect(rows.last?.windowEndSeconds == Self.scenario.durationSeconds)
            for (previous, next) in zip(rows, rows.dropFirst()) {
                #expect(previous.windowEndSeconds == next.windowStartSeconds)
            }
            let total = run.result.deployments[0]
            #expect(rows.reduce(0) { $0 + $1.arrivals } == total.requests.arrived)
            #expect(rows.reduce(0) { $0 + $1.completed } == total.requests.completed)
            #expect(rows.reduce(0) { $0 + $1.rejected } == total.requests.rejected)
            #expect(rows.reduce(0) { $0 + $1.timedOut } == total.requests.timedOut)

            let duration = Self.scenario.durationSeconds
            func integral(_ level: (TimelineRow) -> Double) -> Double {
                rows.reduce(0) { $0 + level($1) * ($1.windowEndSeconds - $1.windowStartSeconds) } / duration
            }
            #expect(abs(integral(\.inSystemMean) - total.inSystemMean) <= 1e-9 * total.inSystemMean)
            #expect(abs(integral(\.queueDepthMean) - total.queueDepthMean) <= 1e-9 * total.queueDepthMean)
            #expect(abs(integral { $0.utilization * $0.replicasReady } - total.utilization * total.replicasMean)
                <= 1e-9)
        }
    }
}
