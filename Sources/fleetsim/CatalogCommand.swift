import ArgumentParser
import FleetSim
import Foundation

struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "List the built-in LLM performance profiles and where their numbers come from.",
        discussion: "Use an id as `model:` in a deployment. docs/profiles.md shows how each number was derived.")

    func run() throws {
        print(Self.render(ProfileCatalog.entries))
    }

    static func render(_ entries: [ProfileCatalog.Entry]) -> String {
        func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }
        let header = ["id", "model", "GPUs", "prefill tok/s", "step @1", "step @max", "max seqs", "KV tokens", "kind"]
        let rows = entries.map { e -> [String] in
            let p = e.profile
            return [e.id, e.model, "\(e.gpus)× \(e.gpu)", String(format: "%.0f", p.prefillTokensPerSecond),
                    ms(p.decodeStep.seconds(sequences: 1)), ms(p.decodeStep.seconds(sequences: p.maxConcurrency)),
                    "\(p.maxConcurrency)", p.kvTokenBudget.map(String.init) ?? "–", e.estimate ? "estimate" : "measured"]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        var lines = [line(header)] + rows.map(line)
        lines.append("")
        for e in entries {
            lines.append("\(e.id): \(e.profile.source ?? "no source recorded")")
        }
        return lines.joined(separator: "\n")
    }
}
