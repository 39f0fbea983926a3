import FleetSim
import Foundation

/// How `fleetsim trace stats` prints a trace's statistics.
public enum TraceStatisticsText {
    public static func render(_ s: TraceStatistics, file: String, format: TraceFormat) -> String {
        func tokens(_ t: TraceStatistics.TokenSummary) -> [String] {
            [t.mean.map { String(format: "%.1f", $0) } ?? "–", t.p50.map(String.init) ?? "–",
             t.p90.map(String.init) ?? "–", t.p99.map(String.init) ?? "–", t.max.map(String.init) ?? "–"]
        }
        var lines = [
            "\(file) (\(format.rawValue))",
            "requests          \(SummaryTable.grouped(s.rows))",
            "span              \(String(format: "%.1f", s.spanSeconds)) s",
            "mean rate         \(String(format: "%.3f", s.meanRate)) req/s",
            "per minute        peak \(s.peakPerMinute), mean \(String(format: "%.1f", s.meanPerMinute)), "
                + "peak/mean \(String(format: "%.2f", s.meanPerMinute > 0 ? Double(s.peakPerMinute) / s.meanPerMinute : 0))",
            "inter-arrival CV  \(s.interArrivalCV.map { String(format: "%.3f", $0) } ?? "–")  (1 for Poisson arrivals)",
            "",
        ]
        lines += SummaryTable.table([
            ["tokens", "mean", "p50", "p90", "p99", "max"],
            ["prompt"] + tokens(s.prompt),
            ["output"] + tokens(s.output),
        ])
        if let reuse = s.prefixReuse {
            lines += [
                "",
                "prefix reuse      \(String(format: "%.1f", reuse.tokenShare * 100)) % of prompt tokens are in leading "
                    + "\(reuse.blockTokens)-token blocks an earlier request sent",
                "                  \(SummaryTable.grouped(reuse.reusedBlocks)) of \(SummaryTable.grouped(reuse.blocks)) blocks; "
                    + "\(SummaryTable.grouped(reuse.requestsReusing)) of \(SummaryTable.grouped(s.rows)) requests reuse some prefix "
                    + "(a cache that never evicts: traffic.trace.prefixCache)",
            ]
        }
        return lines.joined(separator: "\n")
    }
}
