import FleetSim
import FleetSimKernel
import Foundation

/// Runs behind replications, comparisons and sweeps, and the tidy files they write.
public enum Experiment {
    /// Simulates replication `replication` of `scenario` in memory and returns its headline values.
    /// One replication's headline metrics. A run that stops at its memory bound ends the experiment
    /// (`RunStoppedError`, naming the run as `label`): its metrics would cover only part of the horizon.
    public static func headline(
        _ scenario: Scenario, replication: Int, limits: SimulationLimits = .none,
        resources: ResourceLimits = ResourceLimits(), label: String = "a run"
    ) throws -> [Double] {
        Headline.values(try simulate(scenario, replication: replication, limits: limits, resources: resources, label: label))
    }

    /// Simulates replication `replication` of `scenario` in memory, its trace opened here. A bad trace row, or a run
    /// stopped at its memory bound, is an error rather than a result that covers part of the horizon.
    static func simulate(
        _ scenario: Scenario, replication: Int, observer: (any SimulationObserver)? = nil,
        limits: SimulationLimits = .none, resources: ResourceLimits = ResourceLimits(), label: String = "a run"
    ) throws -> SimulationResult {
        let trace = try scenario.traffic.trace.map(ScenarioRunner.openTrace)
        let result = Simulation(scenario: scenario, replication: replication, observer: observer, trace: trace,
                                limits: limits).run()
        if let failure = trace?.failure { throw ScenarioError(failure, keyPath: "traffic.trace.file") }
        if let stop = result.stop {
            throw RunStoppedError(stop: stop, run: label, memoryBytes: resources.memoryBytes)
        }
        return result
    }
}

enum ExperimentFiles {
    static func cells(_ values: [Double]) -> String {
        values.map { CSVFormat.cell($0) }.joined(separator: ",")
    }

    /// One row per replication.
    static func replicationsCSV(_ rows: [[Double]]) -> String {
        var text = "replication," + Headline.names.joined(separator: ",") + "\n"
        for (replication, row) in rows.enumerated() {
            text += "\(replication)," + cells(row) + "\n"
        }
        return text
    }

    /// `summary.json`'s `replications` block: per headline metric, mean, standard deviation and the 95 % interval.
    static func replicationsBlock(_ rows: [[Double]]) -> JSONValue {
        let summaries = MetricSummary.columns(rows)
        return .object([
            ("count", .integer(rows.count)),
            ("confidence", .number(0.95)),
            ("metrics", .object(zip(Headline.names, summaries).map { name, summary in
                (name, estimateObject(summary.estimate))
            })),
        ])
    }

    static func estimateObject(_ e: MeanEstimate) -> JSONValue {
        .object([
            ("mean", .number(e.mean)), ("sd", .number(e.standardDeviation)),
            ("ciLow", .number(e.interval?.lower)), ("ciHigh", .number(e.interval?.upper)),
        ])
    }

    /// mean, sd (unless `withSD` is false), ci_low, ci_high cells of an estimate (empty where undefined).
    static func estimateCells(_ e: MeanEstimate, withSD: Bool = true) -> [String] {
        [CSVFormat.cell(e.mean)] + (withSD ? [CSVFormat.cell(e.standardDeviation)] : [])
            + [CSVFormat.cell(e.interval?.lower), CSVFormat.cell(e.interval?.upper)]
    }
}

extension MeanEstimate {
    /// The confidence interval, when there is one (two or more observations).
    var interval: (lower: Double, upper: Double)? {
        halfWidth.isFinite ? (lower, upper) : nil
    }
}
