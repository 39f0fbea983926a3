import ArgumentParser
import FleetSimIO

@main
struct FleetSimCommand: AsyncParsableCommand {
    static let version = FleetSimVersion.current

    static let configuration = CommandConfiguration(
        commandName: "fleetsim",
        abstract: "Discrete-event capacity and spend simulator for GPU inference fleets.",
        discussion: """
            Runs scenario files (YAML) that describe traffic, deployments, fleets and SLOs, and writes cost and \
            latency timelines. See docs/scenario-format.md for the format.

            Exit status: 0 success, 1 invalid input (the message names file, line and key path), 2 a run stopped \
            at its memory bound (--memory-limit; a run's folder is written, marked incomplete), 3 `size` found no \
            fleet that meets the SLO (its folder is written), 64 bad usage.
            """,
        version: version,
        subcommands: [
            RunCommand.self, ValidateCommand.self, CompareCommand.self, SweepCommand.self, SizeCommand.self, MergeCommand.self, ReportCommand.self,
            TraceCommand.self, HPACommand.self, CatalogCommand.self, BenchCommand.self,
        ],
        defaultSubcommand: nil
    )

    /// Interrupting a run (Ctrl-C, SIGTERM) removes its unfinished result folder before the process exits.
    static func main() async {
        Interruptions.shared.install()
        await main(nil)
    }
}
