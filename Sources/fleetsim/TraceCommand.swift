import ArgumentParser
import FleetSim
import FleetSimIO
import Foundation

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Look at recorded request traces.",
        subcommands: [TraceStatsCommand.self])
}

struct TraceStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Rows, span, rates, burstiness and token percentiles of a trace (Azure CSV, Mooncake JSONL, CSV).")

    @Argument(help: "The trace file.")
    var file: String

    @Option(help: "The format, when it cannot be told from the first line: azure, mooncake or csv.")
    var format: String?

    func run() throws {
        try reportingFailures {
            do {
                let named = try format.map { name in
                    guard let format = TraceFormat(rawValue: name) else {
                        throw Failure(message: "--format: expected azure, mooncake or csv, found \"\(name)\"")
                    }
                    return format
                }
                let reader = try TraceReader(path: file, format: named)
                let stats = try TraceStatistics.compute(reader)
                print(TraceStatisticsText.render(stats, file: file, format: reader.format))
            } catch let error as TraceError {
                throw Failure(message: error.description)
            }
        }
    }
}
