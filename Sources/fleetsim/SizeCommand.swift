import ArgumentParser
import FleetSim
import FleetSimIO
import Foundation

struct SizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "size",
        abstract: "Find the cheapest fleet that meets the scenario's SLO: what to reserve, on demand and on spot.",
        discussion: """
            Reads a sizing file (a base scenario with an slo, candidate instance types, reserved terms; \
            docs/sizing.md). Per candidate: the smallest fixed fleet that meets every objective at the confidence \
            asked for, over the replications; the reserved count the price ratio implies from the load curve; \
            savings plans settled hour by hour; as much spot as still holds the objectives in the Spot Advisor \
            bucket given; HPA targets to try; then each fleet confirmed by simulation. Writes size.json, alternatives.csv, size.md and \
            recommended.yaml into results/<name>/ (or --out). Exit status 3 when no candidate can meet the SLO.
            """)

    @Argument(help: "Sizing file (YAML).")
    var sizing: String

    @OptionGroup var experiment: ExperimentOptions

    @Option(help: "Result folder (default: results/<sizing name>).")
    var out: String?

    @Option(help: ArgumentHelp(
        "analytic: bracket each capacity search with the analytic engine first (docs/analytic.md); every fleet is "
            + "still judged by the discrete-event engine. Default discreteEvent.",
        valueName: "engine"))
    var engine: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() async throws {
        var feasible = true
        try await reportingFailures {
            var spec = try SizingLoader.load(path: sizing)
            if let replications = experiment.replicationsOption { spec.replications = replications }
            switch engine {
            case nil, "discreteEvent"?: break
            case "analytic"?: spec.prunesAnalytically = true
            case let other?:
                throw Failure(message: "--engine: expected discreteEvent or analytic, found \"\(other)\"")
            }
            let directory = out ?? "results/\(spec.name)"
            // Refused before hours of simulation, not after.
            try ResultFolder.checkDestination(directory, kind: .size)
            let status = StatusLine(enabled: !quiet)
            let outcome = try await SizingSearch.run(spec, jobs: experiment.jobs, resources: try experiment.resources(),
                                                     progress: status.update)
            status.finish()
            try SizingFiles.write(outcome, into: directory)
            if !quiet {
                print(SizingFiles.markdown(outcome))
                print("results: \(directory)/ (size.json, alternatives.csv, size.md, report.html, recommended.yaml); \(outcome.runs) runs")
            }
            feasible = outcome.recommendation != nil
        }
        if !feasible { throw ExitCode(ExitStatus.infeasible) }
    }
}
