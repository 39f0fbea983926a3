import ArgumentParser
import FleetSim
import FleetSimIO
import Foundation

/// The options every command that reads a scenario shares.
struct ScenarioOptions: ParsableArguments {
    @Argument(help: "Scenario file (YAML). Without one, the built-in quick-start scenario.")
    var scenario: String?

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Override a value: key.path=value, e.g. traffic.rate=60/s or deployments.chat.pools[1].count=8. Repeatable.",
        valueName: "path=value"))
    var overrides: [String] = []

    @Option(help: "Seed for every random stream (overrides the scenario's seed).")
    var seed: UInt32?

    @OptionGroup var engineOption: EngineOption

    /// The scenario's name in messages.
    var file: String { scenario ?? "<built-in quickstart>" }

    /// `--set` values, with `--engine` as one more.
    var allOverrides: [String] { overrides + engineOption.overrides }

    /// Loads and validates the scenario; a problem is a `ScenarioError`, which `reportingFailures` prints.
    func load() throws -> Scenario {
        let parsed = try allOverrides.map(Override.init)
        if let scenario {
            return try ScenarioLoader.load(path: scenario, overrides: parsed, seed: seed.map(UInt64.init))
        }
        return try ScenarioLoader.decode(
            yaml: BuiltInScenarios.quickstart, file: "<built-in quickstart>", defaultName: "quickstart",
            overrides: parsed, seed: seed.map(UInt64.init))
    }
}

/// `--engine`: how runs are computed, shared by run, compare and sweep.
struct EngineOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "discreteEvent (default: every request simulated) or analytic (steps computed from queueing formulas; "
            + "seconds for a fleet-year, see docs/analytic.md). Same as --set engine=<engine>.",
        valueName: "engine"))
    var engine: String?

    var overrides: [String] { engine.map { ["engine=\($0)"] } ?? [] }
}

/// Replications and parallelism, shared by run, compare and sweep.
struct ExperimentOptions: ParsableArguments {
    @Option(name: .customLong("replications"), help: ArgumentHelp(
        "Independent replications (streams from the seed and the replication number); default 1, or the sweep file's.",
        valueName: "n"))
    var replicationsOption: Int?

    var replications: Int { replicationsOption ?? 1 }

    @Option(help: "Simulations to run at once (each is single-threaded; results do not depend on it).")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("memory-limit"), help: ArgumentHelp(
        "Memory the command may use, shared by the runs going at once (default 4GiB). A scenario that cannot fit is refused; a run whose queues outgrow it stops, marked incomplete.",
        valueName: "size"))
    var memoryLimit: String?

    func resources() throws -> ResourceLimits {
        try memoryLimit.map(ResourceLimits.init(parsing:)) ?? ResourceLimits()
    }

    func validate() throws {
        guard (1...100_000).contains(replications) else { throw ValidationError("--replications must be 1…100000") }
        guard (1...1_024).contains(jobs) else { throw ValidationError("--jobs must be 1…1024") }
    }
}

/// A user-facing failure: printed as `error: message` on stderr, exit status 1.
struct Failure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension AsyncParsableCommand {
    func reportingFailures(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            throw exitReporting(error)
        }
    }
}

extension ParsableCommand {
    /// Runs `body`, turning a `Failure` or a located input error into a message and exit status 1.
    func reportingFailures(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            throw exitReporting(error)
        }
    }
}

/// Prints a user-facing error (`Failure`, or a `ScenarioError` naming file, line and key path) and turns it into
/// exit status 1, or 2 for a run stopped at its memory bound; any other error passes through.
private func exitReporting(_ error: any Error) -> any Error {
    let message: String
    var status: Int32 = 1
    switch error {
    case let failure as Failure: message = failure.message
    case let located as ScenarioError: message = located.description
    case let stopped as RunStoppedError: message = stopped.description; status = ExitStatus.stopped
    default: return error
    }
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(status)
}

/// The exit statuses beyond 0 (success), 1 (invalid input) and 64 (usage).
enum ExitStatus {
    /// A run stopped at its memory bound before its horizon; a single run's folder is written, marked incomplete.
    static let stopped: Int32 = 2
    /// `fleetsim size` found no candidate fleet that meets the SLO.
    static let infeasible: Int32 = 3
}
