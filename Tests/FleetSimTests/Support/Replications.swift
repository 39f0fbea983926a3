import FleetSim
import FleetSimKernel
import Foundation
import Testing

/// Independent replications of a scenario: replication r draws every random source from streams seeded with
/// (seed, source, r), so the runs are independent and identically distributed and a Student-t interval over one
/// statistic per run is a valid confidence interval for its expectation.
struct Replications {
    let results: [SimulationResult]

    init(_ scenario: Scenario, count: Int) {
        results = (0..<count).map { Simulation(scenario: scenario, replication: $0).run() }
    }

    /// The interval at `level` for the expectation of `statistic` (one value per replication).
    func estimate(level: Double, _ statistic: (SimulationResult) -> Double) -> MeanEstimate {
        MeanEstimate(results.map(statistic), level: level)
    }
}

extension MeanEstimate {
    /// The interval widened on both sides by `slack`, for a known bounded measurement error (such as the 0.1 %
    /// resolution of an HdrHistogram percentile) that the replication spread does not include.
    func covers(_ value: Double, slack: Double) -> Bool { value >= lower - slack && value <= upper + slack }

    /// The estimate, interval and truth, for failure messages.
    func describe(against truth: Double) -> String {
        "mean \(mean) ± \(halfWidth) (\(level * 100)% CI, n = \(count)); closed form \(truth)"
    }
}

/// Expects `estimate`'s interval, widened by `slack`, to cover `truth`; prints the numbers when the environment
/// variable `FLEETSIM_TEST_REPORT` is set, to see how close a passing check is.
func expectCovers(
    _ estimate: MeanEstimate, _ truth: Double, slack: Double = 0, _ label: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let text = "\(label): \(estimate.describe(against: truth))"
    if ProcessInfo.processInfo.environment["FLEETSIM_TEST_REPORT"] != nil {
        let distance = (estimate.mean - truth) / max(estimate.halfWidth + slack, .leastNonzeroMagnitude)
        print("[report] \(text); (mean − truth)/half-width = \(distance)")
    }
    #expect(estimate.covers(truth, slack: slack), "\(text)", sourceLocation: sourceLocation)
}

/// Records every timeline row and fleet event of one run, for the caller to read after `run()`.
final class TimelineRecorder: SimulationObserver {
    private(set) var rows: [TimelineRow] = []
    private(set) var fleetEvents: [FleetEvent] = []

    func windowClosed(_ rows: [TimelineRow]) { self.rows += rows }
    func fleetEvent(_ event: FleetEvent) { fleetEvents.append(event) }

    func rows(of deployment: String) -> [TimelineRow] { rows.filter { $0.deployment == deployment } }
}
