import ArgumentParser

@main
struct FleetSimCommand: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "fleetsim",
        abstract: "Discrete-event capacity and spend simulator for GPU inference fleets.",
        discussion: """
            Runs scenario files (YAML) that describe traffic, deployments, fleets and SLOs, and writes cost and \
            latency timelines. See docs/scenario-format.md for the format.

            Exit status: 0 success, 1 invalid input (the message names file, line and key path), 64 bad usage.
            """,
        version: version,
        subcommands: [
            RunCommand.self, ValidateCommand.self, CompareCommand.self, SweepCommand.self, MergeCommand.self, ReportCommand.self,
            TraceCommand.self, CatalogCommand.self, BenchCommand.self,
        ],
        defaultSubcommand: nil
    )
}
