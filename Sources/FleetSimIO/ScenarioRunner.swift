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
        let writer = try ResultWriter(destination: directory)
        do {
            let started = DispatchTime.now().uptimeNanoseconds
            let result = Simulation(scenario: scenario, observer: writer).run(progress: progress)
            let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let summary = SummaryJSON.document(result, scenario: scenario, run: .init(wallSeconds: wall))
            try writer.finish(summary: summary, resolvedScenario: resolved)
            return Outcome(result: result, scenario: scenario, directory: writer.destination, wallSeconds: wall)
        } catch {
            writer.abandon()
            throw error
        }
    }
}
