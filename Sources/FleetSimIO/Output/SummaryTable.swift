import FleetSim
import Foundation

/// The one-screen summary printed at the end of `fleetsim run`.
public enum SummaryTable {
    public static func render(_ outcome: ScenarioRunner.Outcome) -> String {
        let r = outcome.result
        let s = outcome.scenario
        let eventsPerSecond = outcome.wallSeconds > 0 ? Double(r.events) / outcome.wallSeconds : 0
        var lines = [
            "\(s.name) · seed \(s.seed) · "
                + (r.stop.map { "STOPPED at \(Quantities.readable(seconds: $0.timeSeconds)) of \(Quantities.format(seconds: s.durationSeconds))" }
                    ?? Quantities.format(seconds: s.durationSeconds)) + " simulated in "
                + String(format: "%.2f s", outcome.wallSeconds)
                + (r.analytic.map { " (analytic engine: \(grouped($0.steps)) steps, \(grouped(Int(r.events))) events)" }
                    ?? " (\(grouped(Int(r.events))) events, \(String(format: "%.1f", eventsPerSecond / 1e6)) M events/s)"),
            "",
        ]
        let rows = r.deployments.count > 1 ? r.deployments + [r.total] : r.deployments
        var sloHeader = "SLO"
        if let objective = s.slo?.e2e ?? s.slo?.ttft {
            let metric = s.slo?.e2e != nil ? "e2e" : "ttft"
            sloHeader = "met \(metric) ≤ \(seconds(objective.thresholdSeconds))"
        }
        // LLM deployments have a first token and a per-token pace worth seeing at once.
        let llm = s.deployments.contains { $0.profile != nil }
        // Requests still queued or in service at the horizon have no latency in the figures: shown when they are many.
        let backlog = rows.contains { $0.requests.inFlightAtEnd > max(100, $0.requests.arrived / 1_000) }
        let failed = rows.contains { $0.requests.failed > 0 }
        let handsOn = rows.contains { $0.requests.forwarded > 0 }
        let quality = rows.contains { $0.quality != nil }
        var header = ["deployment", "arrived", "completed", "rejected", "timed out"]
        if failed { header.append("failed") }
        if handsOn { header.append("handed on") }
        if backlog { header.append("in flight at end") }
        header += ["e2e p50", "e2e p99"]
        if llm { header += ["TTFT p99", "TPOT p50"] }
        header += ["wait mean", "util", "replicas", "cost"]
        if quality { header.append("quality") }
        header.append(sloHeader)
        let body = rows.map { d in
            var cells = [d.name, grouped(d.requests.arrived), grouped(d.requests.completed), grouped(d.requests.rejected),
                         grouped(d.requests.timedOut)]
            if failed { cells.append(grouped(d.requests.failed)) }
            if handsOn { cells.append(d.name == "total" ? "" : grouped(d.requests.forwarded)) }
            if backlog { cells.append(grouped(d.requests.inFlightAtEnd)) }
            cells += [seconds(d.e2e.p50), seconds(d.e2e.p99)]
            if llm { cells += [seconds(d.ttft.p99), seconds(d.tpot.p50)] }
            cells += [
                seconds(d.queueWait.mean), String(format: "%.0f%%", d.utilization * 100),
                String(format: "%.1f", d.replicasMean), Units.money(d.cost.total),
            ]
            if quality { cells.append(d.quality.map { Quantities.shortest(($0 * 1000).rounded() / 1000) } ?? "–") }
            cells.append(d.slo?.attainment.map { String(format: "%.2f%%", $0 * 100) } ?? "–")
            return cells
        }
        lines += table([header] + body)
        let total = r.total
        lines.append("")
        lines.append("cost: reserved \(Units.money(total.cost.reserved)) · on-demand \(Units.money(total.cost.onDemand))"
            + " · spot \(Units.money(total.cost.spot))"
            + (total.cost.api > 0 ? " · per-token \(Units.money(total.cost.api))" : "") + " · GPU-hours \(String(format: "%.1f", total.gpuHoursTotal)) paid, "
            + "\(String(format: "%.1f", total.gpuHoursBusy)) busy")
        var fleet: [String] = []
        if total.fleet.scaleUps > 0 || total.fleet.scaleDowns > 0 {
            fleet.append("\(grouped(total.fleet.scaleUps)) scale-ups, \(grouped(total.fleet.scaleDowns)) scale-downs")
        }
        if total.fleet.coldStarts > 0 { fleet.append("\(grouped(total.fleet.coldStarts)) cold starts") }
        if total.fleet.spotReclaims > 0 {
            fleet.append("\(grouped(total.fleet.spotReclaims)) spot reclaims (\(grouped(total.fleet.lostToReclaim)) requests lost"
                + (total.requests.failed > 0 ? ", \(grouped(total.requests.failed)) failed)" : " and queued again)"))
        }
        if total.fleet.lostToScaleIn > 0 { fleet.append("\(grouped(total.fleet.lostToScaleIn)) requests cut off by scale-in and queued again") }
        if !fleet.isEmpty { lines.append("fleet: " + fleet.joined(separator: ", ")) }
        for d in r.deployments where d.paths.cacheLookups > 0 {
            lines.append("cache: \(d.name) answered \(grouped(d.paths.cacheHits)) of \(grouped(d.paths.cacheLookups)) lookups"
                + String(format: " (%.1f %%)", d.paths.cacheHitRate! * 100))
        }
        for d in r.deployments where d.cachedPromptTokens > 0 {
            lines.append("prompt cache: \(d.name) served \(grouped(d.cachedPromptTokens)) of \(grouped(d.promptTokens)) prompt tokens"
                + String(format: " (%.1f %%) from cached prefixes", Double(d.cachedPromptTokens) / Double(d.promptTokens) * 100))
        }
        for d in r.deployments where d.paths.throttled > 0 {
            lines.append("rate limits: \(d.name) answered \(grouped(d.paths.throttled)) attempts with 429, "
                + "\(grouped(d.paths.retries)) retries, \(grouped(d.requests.failed)) requests failed")
        }
        if let met = total.slo?.met {
            lines.append("SLO \(met ? "met" : "NOT met") over the run")
        }
        for warning in outcome.warnings { lines.append("warning: \(warning)") }
        for assumption in Assumptions.list(s) { lines.append("assumed: \(assumption)") }
        lines.append("results: \(relative(outcome.directory.path))/ (summary.json, timeline.csv, events.csv, report.html, scenario.resolved.yaml)")
        return lines.joined(separator: "\n")
    }

    /// Left-aligns the first column and right-aligns the rest.
    static func table(_ rows: [[String]]) -> [String] {
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
    }

    static func seconds(_ value: Double?) -> String {
        guard let value else { return "–" }
        if value < 1 { return String(format: "%.0f ms", value * 1000) }
        return String(format: "%.2f s", value)
    }


    public static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return String(result.reversed())
    }

    static func relative(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }
}
