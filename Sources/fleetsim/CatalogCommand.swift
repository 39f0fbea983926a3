import ArgumentParser
import FleetSim
import Foundation

struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "List the built-in instance types and LLM performance profiles, or (--api) per-token API prices.",
        discussion: """
            Use an instance name as `instance:` and a profile id as `model:` in a deployment. docs/profiles.md \
            shows how each profile number was derived; scripts/make-instance-catalog.py how each price was chosen.
            """)

    @Flag(name: .customLong("api"), help: "List the built-in per-token API prices instead.")
    var listsAPIs = false

    @Argument(help: "With --api: only ids containing this text (e.g. openai/ or llama-3.1).")
    var filter: String?

    func run() throws {
        if listsAPIs {
            let entries = APIPriceCatalog.all.filter { filter == nil || $0.id.localizedCaseInsensitiveContains(filter!) }
            print(Self.render(entries))
            print("")
            print("\(entries.count) of \(APIPriceCatalog.all.count) models; USD per million tokens; from \(APIPriceCatalog.source)")
            return
        }
        print(Self.render(InstanceCatalog.all))
        print("")
        print(Self.render(ProfileCatalog.entries))
    }

    static func render(_ instances: [InstanceType]) -> String {
        let header = ["instance", "GPUs", "on-demand $/h", "spot $/h", "source"]
        let rows = instances.map { i in
            [i.name ?? "", "\(i.gpus)× \(i.gpu)", String(format: "%.4f", i.onDemandPerHour),
             i.spotPerHour.map { String(format: "%.4f", $0) } ?? "–", i.source ?? ""]
        }
        return table(header, rows)
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            let padded = zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
            return String(padded.joined(separator: "  ").reversed().drop { $0 == " " }.reversed())
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    static func render(_ entries: [APIPriceCatalog.Entry]) -> String {
        func price(_ value: Double?) -> String { value.map { String(format: "%g", $0) } ?? "–" }
        let header = ["api model", "input", "output", "cached input", "cache write", "context", "name"]
        let rows = entries.map { e in
            [e.id, price(e.prices.input), price(e.prices.output), price(e.prices.cachedInput), price(e.cacheWrite),
             e.contextWindow.map(String.init) ?? "–", e.name + (e.deprecated ? " (deprecated)" : "")]
        }
        return table(header, rows)
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
        var lines = [table(header, rows)]
        lines.append("")
        for e in entries {
            lines.append("\(e.id): \(e.profile.source ?? "no source recorded")")
        }
        return lines.joined(separator: "\n")
    }
}
