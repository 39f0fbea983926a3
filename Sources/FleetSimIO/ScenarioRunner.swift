import FleetSim
import Foundation

/// Runs one scenario into a result folder: the work behind `fleetsim run`, kept out of the command so it can be
/// tested.
public enum ScenarioRunner {
    public struct Outcome: Sendable {
        public var result: SimulationResult
        public var scenario: Scenario
        public var directory: URL
        public var wallSeconds: Double
        /// With replications: every replication's headline values (`Headline.metrics` order), replication 0 first.
        public var replications: [[Double]] = []
        /// What `summary.json` warns of (a run stopped at its memory bound, …).
        public var warnings: [String] = []
    }

    /// The default result folder of a scenario: `results/<name>`.
    public static func defaultDirectory(for scenario: Scenario) -> String {
        "results/\(scenario.name)"
    }

    /// Simulates `scenario` and writes its result folder at `directory`. Nothing appears at `directory` unless the
    /// run completes, or stops at its memory bound (the folder is then marked incomplete). `file` names the scenario
    /// in messages.
    public static func run(
        _ scenario: Scenario, into directory: String, file: String = "scenario", resources: ResourceLimits = ResourceLimits(),
        progress: ((Double) -> Void)? = nil
    ) throws -> Outcome {
        let limits = try resources.simulationLimits(for: scenario, file: file)
        return try run(scenario, into: directory, limits: limits, resources: resources, progress: progress, others: [])
    }

    /// Runs `replications` independent replications (streams from seed and replication number), `jobs` at a time.
    /// Replication 0 writes the timeline and events as a single run does; `replications.csv` holds every
    /// replication's headline metrics and `summary.json` their means with 95 % confidence intervals.
    public static func run(
        _ scenario: Scenario, into directory: String, file: String = "scenario", resources: ResourceLimits = ResourceLimits(),
        replications: Int, jobs: Int, progress: ((Double) -> Void)? = nil
    ) async throws -> Outcome {
        try ResultFolder.checkDestination(directory, kind: .run)
        let concurrent = max(1, min(jobs, replications - 1))
        let limits = try resources.simulationLimits(for: scenario, file: file, concurrentRuns: concurrent)
        let others = try await ParallelRuns.map(max(replications - 1, 0), jobs: jobs) {
            try Experiment.headline(scenario, replication: $0 + 1, limits: limits, resources: resources,
                                    label: "replication \($0 + 1)")
        }
        let single = try resources.simulationLimits(for: scenario, file: file)
        return try run(scenario, into: directory, limits: single, resources: resources, progress: progress, others: others)
    }

    private static func run(
        _ scenario: Scenario, into directory: String, limits: SimulationLimits, resources: ResourceLimits,
        progress: ((Double) -> Void)?, others: [[Double]]
    ) throws -> Outcome {
        let resolved = try ScenarioEncoder.yaml(scenario)
        let trace = try scenario.traffic.trace.map(openTrace)
        let writer = try ResultWriter(destination: directory)
        do {
            let started = DispatchTime.now().uptimeNanoseconds
            let watch = OverloadWatch(scenario: scenario, forwardingTo: writer)
            let result = Simulation(scenario: scenario, observer: watch, trace: trace, limits: limits).run(progress: progress)
            let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            if let failure = trace?.failure {
                // The trace changed since it was checked; the partial result must not look complete.
                throw ScenarioError(failure, keyPath: "traffic.trace.file")
            }
            let warnings = (result.stop.map { [RunStoppedError.explain($0, memoryBytes: resources.memoryBytes)] } ?? [])
                + watch.warnings(result) + AnalyticWarnings.list(result, scenario: scenario)
            var summary = SummaryJSON.document(result, scenario: scenario, run: .init(wallSeconds: wall, warnings: warnings))
            var extraFiles: [(String, String)] = []
            var all: [[Double]] = []
            if !others.isEmpty {
                all = [Headline.values(result)] + others
                summary = summary.adding("replications", ExperimentFiles.replicationsBlock(all))
                extraFiles.append(("replications.csv", ExperimentFiles.replicationsCSV(all)))
            }
            try writer.finish(summary: summary, resolvedScenario: resolved, extraFiles: extraFiles)
            return Outcome(result: result, scenario: scenario, directory: writer.destination, wallSeconds: wall,
                           replications: all, warnings: warnings)
        } catch {
            writer.abandon()
            throw error
        }
    }

    /// Opens the trace a scenario replays, reporting a problem as a scenario error.
    public static func openTrace(_ replay: TraceReplay) throws -> TraceFileSource {
        do {
            return try TraceFileSource(replay)
        } catch let error as TraceError {
            throw ScenarioError(error, keyPath: "traffic.trace.file")
        }
    }
}
