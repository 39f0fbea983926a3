import ArgumentParser
import FleetSim
import FleetSimIO
import Foundation

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Simulate a scenario and write its result folder.",
        discussion: """
            Writes summary.json, timeline.csv, events.csv, report.html and scenario.resolved.yaml into \
            results/<name>/ (or --out). The folder appears only when the run completes; --out may name a new or \
            empty folder or an earlier run's result folder, nothing else. With --replications N, replication 0 \
            writes the timeline and events, replications.csv holds every replication's headline metrics, and \
            summary.json adds their means with 95 % confidence intervals.
            """)

    @OptionGroup var options: ScenarioOptions

    @Option(help: "Result folder (default: results/<scenario name>).")
    var out: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @OptionGroup var experiment: ExperimentOptions

    func run() async throws {
        try await reportingFailures {
            let scenario = try options.load()
            let directory = out ?? ScenarioRunner.defaultDirectory(for: scenario)
            let progress = ProgressBar(total: scenario.durationSeconds, enabled: !quiet)
            let outcome: ScenarioRunner.Outcome
            do {
                outcome = try await ScenarioRunner.run(
                    scenario, into: directory, file: options.file, resources: try experiment.resources(),
                    replications: experiment.replications, jobs: experiment.jobs, progress: progress.update)
            } catch let error as ScenarioError {
                throw error
            } catch let error as RunStoppedError {
                throw error
            } catch {
                throw Failure(message: "could not write results to \(directory): \(error.localizedDescription)")
            }
            progress.finish()
            if !quiet {
                print(SummaryTable.render(outcome))
                if !outcome.replications.isEmpty {
                    print("")
                    print(ExperimentTable.replications(outcome.replications))
                }
            }
            if outcome.result.stop != nil {
                if quiet { FileHandle.standardError.write(Data("warning: \(outcome.warnings.joined(separator: "; "))\n".utf8)) }
                throw ExitCode(ExitStatus.stopped)
            }
        }
    }
}

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a scenario without running it; prints the scenario as it would run.")

    @OptionGroup var options: ScenarioOptions

    func run() throws {
        try reportingFailures {
            let scenario = try options.load()
            print(try ScenarioEncoder.yaml(scenario), terminator: "")
            FileHandle.standardError.write(Data("\(options.scenario ?? "built-in quickstart"): valid\n".utf8))
        }
    }
}
