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
    }

    /// The default result folder of a scenario: `results/<name>`.
    public static func defaultDirectory(for scenario: Scenario) -> String {
        "results/\(scenario.name)"
    }

    /// Simulates `scenario` and writes its result folder at `directory`. Nothing appears at `directory` unless the
    /// run completes.
    public static func run(
        _ scenario: Scenario, into directory: String, progress: ((Double) -> Void)? = nil
    ) throws -> Outcome {
        let resolved = try ScenarioEncoder.yaml(scenario)
        let trace = try scenario.traffic.trace.map(openTrace)
        let writer = try ResultWriter(destination: directory)
        do {
            let started = DispatchTime.now().uptimeNanoseconds
            let result = Simulation(scenario: scenario, observer: writer, trace: trace).run(progress: progress)
            let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            if let failure = trace?.failure {
                // The trace changed since it was checked; the partial result must not look complete.
                throw ScenarioError(failure, keyPath: "traffic.trace.file")
            }
            let summary = SummaryJSON.document(result, scenario: scenario, run: .init(wallSeconds: wall))
            try writer.finish(summary: summary, resolvedScenario: resolved)
            return Outcome(result: result, scenario: scenario, directory: writer.destination, wallSeconds: wall)
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
