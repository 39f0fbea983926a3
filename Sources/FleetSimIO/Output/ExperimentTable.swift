import FleetSim
import FleetSimKernel
import Foundation

/// Terminal (and Markdown) tables for replications and comparisons: means with their 95 % intervals.
public enum ExperimentTable {
    /// The metrics shown side by side (all of them are in the CSV files).
    static let shown = ["cost_total_usd", "e2e_p99_s", "ttft_p99_s", "slo_attainment", "replicas_mean", "timed_out", "quality_mean"]

    public static func replications(_ rows: [[Double]]) -> String {
        let summaries = MetricSummary.columns(rows)
        var lines = [["metric", "mean", "± 95 % CI", "sd"]]
        for (name, summary) in zip(Headline.names, summaries) where summary.estimate.count > 0 {
            let e = summary.estimate
            lines.append([name, number(e.mean), interval(e), number(rounded(e.standardDeviation, e.mean))])
        }
        return "\(rows.count) replications (replications.csv has each):\n" + table(lines, markdown: false)
    }

    public static func compare(_ o: Comparison.Outcome, markdown: Bool = false) -> String {
        let summaries = o.summaries
        let differences = o.differences
        let columns = shown.compactMap { name in Headline.names.firstIndex(of: name) }
            .filter { metric in summaries.contains { $0[metric].estimate.count > 0 } }
        var lines = [["variant"] + columns.map { Headline.names[$0] }]
        for variant in o.variants.indices {
            lines.append([o.variants[variant]] + columns.map { metric in
                let e = summaries[variant][metric].estimate
                return number(e.mean) + " " + interval(e)
            })
            if variant > 0 {
                lines.append(["  − \(o.variants[0])"] + columns.map { metric in
                    let d = differences[variant][metric].estimate
                    let sign = d.mean > 0 ? "+" : ""
                    let base = summaries[0][metric].estimate.mean
                    let significant = Headline.significant(
                        Headline.names[metric], interval: d.interval.map { ($0.lower, $0.upper) }, base: base) ? " *" : ""
                    return sign + number(d.mean) + " " + interval(d) + significant
                })
            }
        }
        let replications = o.runs.first?.count ?? 0
        let title = "\(o.variants.count) variants × \(replications) replications, same traffic in each replication; "
            + "means ± 95 % CI; '− \(o.variants[0])' rows are paired differences (* where the interval excludes 0 and the metric's resolution)"
        return (markdown ? "# Comparison\n\n" : "") + title + ":\n\n" + table(lines, markdown: markdown)
    }

    /// "± half-width"; floating-point noise around a constant (a cost that cannot vary) shows as ± 0.
    static func interval(_ e: MeanEstimate) -> String {
        e.halfWidth.isFinite ? "± " + number(rounded(e.halfWidth, e.mean)) : ""
    }

    static func rounded(_ spread: Double, _ mean: Double) -> Double {
        spread <= 1e-9 * abs(mean) ? 0 : spread
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1000 { return String(format: "%.0f", value) }
        if magnitude >= 10 { return String(format: "%.1f", value) }
        if magnitude >= 0.01 { return String(format: "%.3f", value) }
        return String(format: "%.2e", value)
    }

    static func table(_ rows: [[String]], markdown: Bool) -> String {
        if markdown {
            let header = "| " + rows[0].joined(separator: " | ") + " |"
            let rule = "|" + rows[0].map { _ in "---|" }.joined()
            return ([header, rule] + rows.dropFirst().map { "| " + $0.joined(separator: " | ") + " |" }).joined(separator: "\n")
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == 0 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
