import Foundation
import Yams

/// `report.html` for a run's result folder, made from the folder's own files (so `fleetsim report DIR` rebuilds it
/// exactly): one self-contained page, inline SVG and CSS, no script.
public enum RunReport {
    /// A CSV file read by its header.
    struct Table {
        var header: [String: Int]
        var rows: [[String]]

        init(text: String) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            let names = lines.first.map(CSVFormat.fields) ?? []
            header = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            rows = lines.dropFirst().map(CSVFormat.fields)
        }

        func text(_ row: [String], _ column: String) -> String {
            guard let index = header[column], index < row.count else { return "" }
            return row[index]
        }

        func number(_ row: [String], _ column: String) -> Double? { Double(text(row, column)) }
    }

    public static func html(folder: URL) throws -> String {
        func read(_ name: String) throws -> String {
            try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        }
        let summary = (try? JSONSerialization.jsonObject(with: Data(try read("summary.json").utf8))) as? [String: Any] ?? [:]
        let duration = (summary["durationSeconds"] as? Double) ?? (summary["durationSeconds"] as? Int).map(Double.init) ?? 0
        let timeline = try TimelineSeries(url: folder.appendingPathComponent("timeline.csv"), durationSeconds: duration)
        let marks = eventMarks(folder.appendingPathComponent("events.csv"), span: max(timeline.end, duration))
        let resolved = (try? read("scenario.resolved.yaml")) ?? ""
        return page(timeline: timeline, marks: marks, summary: summary, resolved: resolved)
    }

    static func page(timeline: TimelineSeries, marks: [Chart.Mark], summary: [String: Any], resolved: String) -> String {
        let starts = timeline.starts
        let end = timeline.end
        let deployments = timeline.deployments
        let total = timeline.total
        let perDeployment = timeline.perDeployment
        let windowSeconds = timeline.seconds
        let slo = objectives(resolved)
        func chart(_ title: String, unit: @escaping (Double) -> String, _ series: [Chart.Series], stacked: Bool = false) -> Chart {
            Chart(title: title, unit: unit, windowStarts: starts, end: end, series: series, stacked: stacked, marks: marks)
        }

        var charts: [Chart] = []
        charts.append(chart("Cost per window by purchase option (USD)", unit: Units.dollars, [
            Chart.Series(name: "reserved", color: Palette.blue, values: total("cost_reserved")),
            Chart.Series(name: "on-demand", color: Palette.orange, values: total("cost_on_demand")),
            Chart.Series(name: "spot", color: Palette.green, values: total("cost_spot")),
            Chart.Series(name: "API", color: Palette.purple, values: total("cost_api")),
        ], stacked: true))
        var cumulative = 0.0
        charts.append(chart("Cumulative cost (USD)", unit: Units.dollars, [
            Chart.Series(name: "cumulative", color: Palette.black, values: total("cost_total").map { cumulative += $0 ?? 0; return cumulative }),
        ]))
        // Latency, one chart per deployment, with the objective and its missed windows.
        for name in deployments {
            var series = [
                Chart.Series(name: "e2e p50", color: Palette.sky, values: perDeployment(name, "e2e_p50_s")),
                Chart.Series(name: "e2e p99", color: Palette.blue, values: perDeployment(name, "e2e_p99_s")),
            ]
            // A first token is a notion of token generation: shown for deployments that produced output tokens.
            let tokens = ((summary["deployments"] as? [String: Any])?[name] as? [String: Any])?["tokens"] as? [String: Any]
            if ((tokens?["output"] as? Int) ?? 0) > 0 {
                series += [
                    Chart.Series(name: "TTFT p50", color: Palette.yellow, values: perDeployment(name, "ttft_p50_s"), dashed: true),
                    Chart.Series(name: "TTFT p99", color: Palette.vermillion, values: perDeployment(name, "ttft_p99_s"), dashed: true),
                ]
            }
            var latency = chart("Latency per window — \(name)", unit: Units.seconds, series)
            if let objective = slo.first {
                latency.threshold = (objective.seconds, "\(objective.name) objective \(Units.seconds(objective.seconds))")
            }
            if let percentile = slo.map(\.percentile).max() {
                latency.violations = perDeployment(name, "slo_attainment").enumerated()
                    .compactMap { window, value in value.map { $0 < percentile } == true ? window : nil }
            }
            charts.append(latency)
        }
        charts.append(chart("Replicas by state", unit: Units.count, [
            Chart.Series(name: "ready", color: Palette.blue, values: total("replicas_ready")),
            Chart.Series(name: "starting", color: Palette.orange, values: total("replicas_starting")),
            Chart.Series(name: "draining", color: Palette.grey, values: total("replicas_draining")),
        ], stacked: true))
        charts.append(chart("Instances billed by purchase option", unit: Units.count, [
            Chart.Series(name: "reserved", color: Palette.blue, values: total("instances_reserved")),
            Chart.Series(name: "on-demand", color: Palette.orange, values: total("instances_on_demand")),
            Chart.Series(name: "spot", color: Palette.green, values: total("instances_spot")),
        ], stacked: true))
        charts.append(chart("Offered load (requests/s)", unit: Units.count, [
            Chart.Series(name: "arrivals/s", color: Palette.black,
                         values: total("arrivals").enumerated().map { window, value in
                             windowSeconds(window) > 0 ? (value ?? 0) / windowSeconds(window) : nil
                         }),
        ]))
        charts.append(chart("Utilization (busy replica-time ÷ ready replica-time)", unit: Units.percent,
                            deployments.enumerated().map { index, name in
                                Chart.Series(name: name, color: [Palette.blue, Palette.orange, Palette.green, Palette.purple][index % 4],
                                             values: perDeployment(name, "utilization"))
                            }))
        let caching = deployments.filter { name in perDeployment(name, "cache_lookups").contains { ($0 ?? 0) > 0 } }
        if !caching.isEmpty {
            charts.append(chart("Cache hit rate per window", unit: Units.percent, caching.enumerated().map { index, name in
                Chart.Series(name: name, color: [Palette.blue, Palette.orange, Palette.green, Palette.purple][index % 4],
                             values: perDeployment(name, "cache_hit_rate"))
            }))
        }
        charts.append(chart("Queue depth (mean requests waiting)", unit: Units.count, [
            Chart.Series(name: "waiting", color: Palette.vermillion, values: total("queue_depth_mean")),
        ]))

        let title = "\(summary["scenario"] as? String ?? "FleetSim run") — FleetSim report"
        var body = "<h1>\(escape(title))</h1>\n"
        let merged = timeline.windowsPerPoint > 1
            ? " (each point of a chart merges \(timeline.windowsPerPoint) windows: counts and costs summed, levels averaged, latencies and attainment at their worst window)"
            : ""
        let engine = summary["engine"] as? String == "analytic"
            ? "computed by the analytic engine (queueing formulas per step, docs/analytic.md)" : "simulated"
        body += "<p class=\"meta\">seed \(summary["seed"] as? Int ?? 0) · \(escape(Units.duration(summary["durationSeconds"] as? Double ?? end))) \(engine) · "
            + "\(timeline.windows) windows\(merged) · \(deployments.count) deployment\(deployments.count == 1 ? "" : "s")</p>\n"
        body += headline(summary, objectives: objectives(resolved))
        body += "<p class=\"legend-note\">Marks under the time axis: ▲ <span style=\"color:\(Palette.green)\">scale-up</span>, "
            + "<span style=\"color:\(Palette.orange)\">scale-down</span>, <span style=\"color:\(Palette.vermillion)\">reclaim</span>, "
            + "<span style=\"color:\(Palette.purple)\">budget alert</span> (hover for details). Shaded windows missed the objective.</p>\n"
        body += paths(summary, order: deployments)
        for chart in charts { body += "<figure>\(chart.svg())</figure>\n" }
        body += "<details><summary>Scenario as run (scenario.resolved.yaml)</summary>\n<pre>\(escape(resolved))</pre></details>\n"
        return document(title: title, body: body)
    }

    /// The objectives of the resolved scenario: `slo.e2e` / `slo.ttft` as `{pNN: threshold}`.
    static func objectives(_ resolved: String) -> [(name: String, percentile: Double, seconds: Double)] {
        guard let node = try? Yams.compose(yaml: resolved), let slo = node["slo"] else { return [] }
        return ["e2e", "ttft"].compactMap { name in
            guard case .mapping(let objective)? = slo[name], let (key, value) = objective.first,
                  let percentile = key.string.flatMap(ScenarioDecoder.percentile(fromKey:)),
                  let seconds = value.string.flatMap(Quantities.duration)
            else { return nil }
            return (name == "e2e" ? "e2e" : "TTFT", percentile, seconds)
        }
    }

    /// At most about this many marks per chart; beyond it, events of a kind within one slot of the axis share a mark.
    static let maxMarks = 1_000

    /// The marks under the time axis, from `events.csv` read line by line: each scaling, reclaim and budget event;
    /// or, when there are more than `maxMarks`, one mark per kind and slot (1/`maxMarks` of the span) naming how
    /// many events it stands for and the first of them.
    static func eventMarks(_ url: URL, span: Double) -> [Chart.Mark] {
        let colors: [String: String] = [
            "scaleUp": Palette.green, "scaleDown": Palette.orange, "reclaim": Palette.vermillion,
            "reclaimNotice": Palette.vermillion, "budgetAlert": Palette.purple,
        ]
        guard let lines = LineReader(path: url.path), let headerLine = lines.nextLine() else { return [] }
        let header = Dictionary(CSVFormat.fields(headerLine).enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        func text(_ row: [String], _ column: String) -> String { header[column].flatMap { row[safe: $0] } ?? "" }
        var count = 0
        while let line = lines.nextLine() {
            if colors[text(CSVFormat.fields(line), "kind")] != nil { count += 1 }
        }
        lines.restart()
        _ = lines.nextLine()
        let slot = count > maxMarks ? max(span, 1) / Double(maxMarks) : 0
        var marks: [Chart.Mark] = []
        var merged: [String: (mark: Int, count: Int)] = [:]
        while let line = lines.nextLine() {
            let row = CSVFormat.fields(line)
            let kind = text(row, "kind")
            guard let color = colors[kind], let time = Double(text(row, "time_s")) else { continue }
            let key = slot > 0 ? "\(kind) \(Int(time / slot))" : "\(marks.count)"
            if let existing = merged[key] {
                merged[key] = (existing.mark, existing.count + 1)
                continue
            }
            merged[key] = (marks.count, 1)
            let label = "\(Units.duration(time)) \(text(row, "deployment")) \(kind) "
                + "\(text(row, "replicas_before"))→\(text(row, "replicas_after")): \(text(row, "detail"))"
            marks.append(Chart.Mark(time: time, color: color, label: label))
        }
        for (mark, count) in merged.values where count > 1 {
            marks[mark].label = "\(count) \(marks[mark].label.split(separator: " ").dropFirst(2).first ?? "") events from here; the first: "
                + marks[mark].label
        }
        return marks
    }

    static func headline(_ summary: [String: Any], objectives: [(name: String, percentile: Double, seconds: Double)]) -> String {
        func value(_ path: String) -> Double? { number(in: summary, at: path) }
        func cell(_ v: Double?, _ format: (Double) -> String) -> String { v.map(format) ?? "–" }
        func money(_ path: String) -> String { cell(value(path), Units.money) }
        func count(_ path: String) -> String { cell(value(path), Units.grouped) }
        var html = "<div class=\"verdict\">\n"
        // The verdict first, with the objective it is about.
        if objectives.isEmpty {
            html += "<p class=\"verdict-line\">No objective set: the run reports latency and cost without a verdict.</p>\n"
        } else {
            let met = (summary["slo"] as? [String: Any])?["met"] as? Bool
            let parts = objectives.map { objective -> String in
                let attainment = value(objective.name == "e2e" ? "slo.e2eAttainment" : "slo.ttftAttainment")
                let percent = Units.number(objective.percentile * 100)
                return "\(objective.name) p\(percent) ≤ \(Units.seconds(objective.seconds)) held for "
                    + cell(attainment) { String(format: "%.2f %%", $0 * 100) } + " of requests (\(percent) % needed)"
            }
            html += "<p class=\"verdict-line \(met == true ? "met" : "missed")\">SLO \(met == true ? "met" : "not met"): "
                + escape(parts.joined(separator: "; ")) + "</p>\n"
        }
        if let total = value("cost.total"), let seconds = value("durationSeconds"), seconds > 0 {
            let monthly = total / seconds * 730 * 3600
            html += "<p class=\"verdict-line\">Cost \(escape(Units.money(total))) over \(escape(Units.duration(seconds))): "
                + "\(escape(Units.money(monthly))) a month, \(escape(Units.money(monthly * 12))) a year at this rate "
                + "(a month of 730 hours)</p>\n"
        }
        let warnings = summary["warnings"] as? [String] ?? []
        if !warnings.isEmpty {
            html += "<ul class=\"warnings\">" + warnings.map { "<li>⚠ \(code(escape($0)))</li>" }.joined() + "</ul>\n"
        }
        let assumptions = summary["assumptions"] as? [String] ?? []
        if !assumptions.isEmpty {
            html += "<p class=\"assumptions-title\">Assumed:</p><ul class=\"assumptions\">"
                + assumptions.map { "<li>\(code(escape($0)))</li>" }.joined() + "</ul>\n"
        }
        html += "</div>\n"
        var rows: [(String, String)] = [
            ("Cost", money("cost.total") + " (reserved \(money("cost.reserved")), on-demand \(money("cost.onDemand")), "
                + "spot \(money("cost.spot")), per-token \(money("cost.api")))"),
            ("Cost per million tokens", cell(value("cost.perMillionTokens")) { String(format: "$%.3f", $0) }),
            ("Cost per 1,000 requests", cell(value("cost.perThousandRequests")) { String(format: "$%.3f", $0) }),
            ("End-to-end p50 / p99", cell(value("latency.e2e.p50"), Units.seconds) + " / " + cell(value("latency.e2e.p99"), Units.seconds)),
        ]
        // Time to first token means something only where tokens are generated.
        if (value("latency.ttft.count") ?? 0) > 0 && (value("tokens.output") ?? 0) > 0 {
            rows.append(("TTFT p99", cell(value("latency.ttft.p99"), Units.seconds)))
        }
        rows += [
            ("SLO attainment", cell(value("slo.attainment")) { String(format: "%.2f %%", $0 * 100) }),
            ("GPU-hours busy / paid", cell(value("gpuHours.busy")) { String(format: "%.1f", $0) } + " / "
                + cell(value("gpuHours.total")) { String(format: "%.1f", $0) }),
            ("Requests arrived / completed / rejected / timed out / failed / in flight at end",
             ["arrived", "completed", "rejected", "timedOut", "failed", "inFlightAtEnd"].map { count("requests.\($0)") }.joined(separator: " / ")),
            ("Replicas mean / max", cell(value("replicas.mean")) { String(format: "%.1f", $0) } + " / " + count("replicas.max")),
            ("Scale-ups / scale-downs / cold starts / spot reclaims",
             ["scaleUps", "scaleDowns", "coldStarts", "spotReclaims"].map { count("counts.\($0)") }.joined(separator: " / ")),
        ]
        if let quality = value("quality.mean") {
            rows.append(("Quality (mean over \(count("quality.answers")) answers)", Units.number(quality)))
        }
        if let hitRate = value("cache.hitRate") {
            rows.append(("Cache hits / lookups", "\(count("cache.hits")) / \(count("cache.lookups")) (\(String(format: "%.1f %%", hitRate * 100)))"))
        }
        return html + "<table class=\"headline\">\n" + rows.map { "<tr><th>\(escape($0.0))</th><td>\(escape($0.1))</td></tr>" }
            .joined(separator: "\n") + "\n</table>\n"
    }

    /// Where requests went, deployment by deployment, when there are several: what each received, answered and
    /// handed on, and what its answers cost.
    static func paths(_ summary: [String: Any], order names: [String]) -> String {
        guard let deployments = summary["deployments"] as? [String: Any], deployments.count > 1 else { return "" }
        let header = ["deployment", "kind", "arrived", "completed", "handed on", "failed", "cache hits", "429s",
                      "cost", "per 1,000 completed", "quality"]
        let rows = names.compactMap { name -> [String]? in
            guard let d = deployments[name] else { return nil }
            func count(_ path: String) -> String { number(in: d, at: path).map(Units.grouped) ?? "–" }
            return [name, (d as? [String: Any])?["kind"] as? String ?? "", count("requests.arrived"),
                    count("requests.completed"), count("requests.forwarded"), count("requests.failed"),
                    number(in: d, at: "cache.hitRate").map { String(format: "%.1f %%", $0 * 100) } ?? "–",
                    count("rateLimits.throttled"), number(in: d, at: "cost.total").map(Units.money) ?? "–",
                    number(in: d, at: "cost.perThousandRequests").map { String(format: "$%.3f", $0) } ?? "–",
                    number(in: d, at: "quality.mean").map(Units.number) ?? "–"]
        }
        return "<table class=\"paths\">\n<tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
            + rows.map { "<tr>" + $0.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }.joined(separator: "\n")
            + "\n</table>\n"
    }

    /// The number at a dotted path of parsed JSON (`cost.total`), nil where there is none.
    static func number(in node: Any?, at path: String) -> Double? {
        var node = node
        for key in path.split(separator: ".") { node = (node as? [String: Any])?[String(key)] }
        return (node as? Double) ?? (node as? Int).map(Double.init)
    }

    /// `key` in escaped text as <code>key</code>.
    static func code(_ escaped: String) -> String {
        let parts = escaped.split(separator: "`", omittingEmptySubsequences: false)
        guard parts.count % 2 == 1 else { return escaped }
        return parts.enumerated().map { $0.offset % 2 == 1 ? "<code>\($0.element)</code>" : String($0.element) }.joined()
    }

    static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; max-width: 800px;
               margin: 24px auto; padding: 0 16px; }
        h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
        .meta, .legend-note { color: #555; }
        table { border-collapse: collapse; margin: 12px 0; } th, td { padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: left; }
        td.num, th.num { text-align: right; }
        figure { margin: 14px 0; break-inside: avoid; page-break-inside: avoid; }
        svg.chart { width: 100%; height: auto; display: block; }
        svg .title { font-size: 13px; font-weight: 600; } svg .legend, svg .tick { font-size: 11px; fill: #444; }
        svg .grid { stroke: #e6e6e6; } svg .axis { stroke: #888; }
        svg .line { fill: none; stroke-width: 1.6; } svg .area { stroke: none; opacity: 0.9; }
        svg .threshold { stroke: #D55E00; stroke-width: 1.2; stroke-dasharray: 6 4; }
        svg .violation { fill: #D55E00; opacity: 0.12; }
        pre { background: #f6f6f6; padding: 10px; overflow-x: auto; font-size: 12px; }
        .verdict-line { font-size: 16px; margin: 6px 0; } .verdict-line.met { color: #1b6e3a; } .verdict-line.missed { color: #a33a00; }
        .verdict-line.met, .verdict-line.missed { font-weight: 600; }
        ul.warnings { color: #a33a00; margin: 6px 0; padding-left: 18px; } ul.assumptions { color: #444; margin: 2px 0 8px; padding-left: 18px; }
        .assumptions-title { margin: 8px 0 0; color: #444; } details summary { cursor: pointer; font-weight: 600; margin-top: 24px; }
        @media print { details > pre { display: block; } }
        @media print { body { max-width: none; } pre { white-space: pre-wrap; } }
        </style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }
}
