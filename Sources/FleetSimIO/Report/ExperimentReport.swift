import Foundation

/// Report pages for `compare` and `sweep` folders, drawn from their CSV files.
enum ExperimentReport {
    static let variantColors = [Palette.blue, Palette.orange, Palette.green, Palette.purple, Palette.sky, Palette.vermillion]
    static let shown = ["cost_total_usd", "e2e_p99_s", "ttft_p99_s", "slo_attainment", "replicas_mean", "gpu_hours_total"]

    static func compare(folder: URL) throws -> String {
        let table = RunReport.Table(text: try String(contentsOf: folder.appendingPathComponent("compare.csv"), encoding: .utf8))
        var variants: [String] = []
        for row in table.rows where !variants.contains(table.text(row, "variant")) { variants.append(table.text(row, "variant")) }
        var body = "<h1>Comparison — FleetSim report</h1>\n<p class=\"meta\">\(variants.count) variants; bars are means over "
            + "replications with 95 % confidence intervals; every variant saw the same traffic in each replication.</p>\n"
        body += "<p>" + variants.enumerated().map { index, name in
            "<span style=\"color:\(variantColors[index % variantColors.count])\">■</span> \(escape(name))"
        }.joined(separator: " &nbsp; ") + "</p>\n"
        for metric in shown {
            let rows = table.rows.filter { table.text($0, "metric") == metric }
            let bars = rows.compactMap { row -> (String, Double, Double?, Double?)? in
                guard let mean = table.number(row, "mean") else { return nil }
                return (table.text(row, "variant"), mean, table.number(row, "ci_low"), table.number(row, "ci_high"))
            }
            guard !bars.isEmpty else { continue }
            body += "<figure>\(barChart(title: metric, bars: bars, variants: variants))</figure>\n"
            // Bars from 0 hide a difference of a few percent; the paired differences, on their own axis, show it.
            let differences = rows.compactMap { row -> (String, Double, Double?, Double?)? in
                guard table.text(row, "variant") != variants.first, let mean = table.number(row, "diff_mean") else { return nil }
                return (table.text(row, "variant"), mean, table.number(row, "diff_ci_low"), table.number(row, "diff_ci_high"))
            }
            if !differences.isEmpty {
                let title = "\(metric): paired difference from \(variants[0]), 95 % CI"
                let chart = differenceChart(title: title, differences: differences, variants: variants)
                body += "<figure>\(chart)</figure>\n"
            }
        }
        body += "<h2>Paired differences from \(escape(variants.first ?? "base"))</h2>\n<table>\n<tr><th>variant</th><th>metric</th>"
            + "<th class=\"num\">difference</th><th class=\"num\">95 % CI</th></tr>\n"
        for row in table.rows where table.text(row, "variant") != variants.first && shown.contains(table.text(row, "metric")) {
            guard let mean = table.number(row, "diff_mean") else { continue }
            let low = table.number(row, "diff_ci_low").map { ExperimentTable.number($0) } ?? "–"
            let high = table.number(row, "diff_ci_high").map { ExperimentTable.number($0) } ?? "–"
            body += "<tr><td>\(escape(table.text(row, "variant")))</td><td>\(escape(table.text(row, "metric")))</td>"
                + "<td class=\"num\">\(ExperimentTable.number(mean))</td><td class=\"num\">\(low) … \(high)</td></tr>\n"
        }
        body += "</table>\n"
        return RunReport.document(title: "Comparison — FleetSim report", body: body)
    }

    static func barChart(title: String, bars: [(String, Double, Double?, Double?)], variants: [String]) -> String {
        let width = 760.0, height = 200.0, left = 62.0, right = 16.0, top = 24.0, bottom = 28.0
        let high = bars.map { max($0.1, $0.3 ?? $0.1) }.max() ?? 0
        let y = LinearScale(domain: 0, max(high, 0), range: (height - bottom, top)).nice()
        let slot = (width - left - right) / Double(bars.count)
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\" xmlns=\"http://www.w3.org/2000/svg\">"
            + "<text class=\"title\" x=\"\(left)\" y=\"14\">\(escape(title))</text>\n"
        svg += Chart.yGrid(y, left: left, right: width - right, label: Units.number)
        for (index, bar) in bars.enumerated() {
            let color = variantColors[(variants.firstIndex(of: bar.0) ?? index) % variantColors.count]
            let x = left + slot * Double(index) + slot * 0.2
            let barWidth = slot * 0.6
            svg += "<rect class=\"bar\" x=\"\(x)\" y=\"\(y(bar.1))\" width=\"\(barWidth)\" height=\"\(max(y(0) - y(bar.1), 0))\" fill=\"\(color)\">"
                + "<title>\(escape(bar.0)): \(ExperimentTable.number(bar.1))</title></rect>"
            if let low = bar.2, let high = bar.3 {
                let middle = x + barWidth / 2
                svg += "<path class=\"whisker\" d=\"M\(middle),\(y(low)) V\(y(high)) M\(middle - 6),\(y(low)) h12 M\(middle - 6),\(y(high)) h12\" stroke=\"#222\"/>"
            }
            svg += "<text class=\"tick\" x=\"\(x + barWidth / 2)\" y=\"\(height - 10)\" text-anchor=\"middle\">\(escape(bar.0))</text>\n"
        }
        return svg + "</svg>"
    }

    /// Each variant's paired difference from the base as a dot with its interval's whisker, on an axis around 0.
    static func differenceChart(title: String, differences: [(String, Double, Double?, Double?)], variants: [String]) -> String {
        let width = 760.0, row = 26.0, left = 150.0, right = 24.0, top = 26.0, bottom = 26.0
        let height = top + bottom + row * Double(differences.count)
        let reach = differences.map { max(abs($0.1), abs($0.2 ?? $0.1), abs($0.3 ?? $0.1)) }.max() ?? 1
        let x = LinearScale(domain: -max(reach, 1e-12), max(reach, 1e-12), range: (left, width - right)).nice()
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\" "
            + "data-points=\"\(differences.count)\" xmlns=\"http://www.w3.org/2000/svg\">"
            + "<text class=\"title\" x=\"\(left)\" y=\"14\">\(escape(title))</text>\n"
        for tick in x.ticks() {
            svg += "<line class=\"grid\" x1=\"\(x(tick))\" x2=\"\(x(tick))\" y1=\"\(top)\" y2=\"\(height - bottom)\"/>"
                + "<text class=\"tick\" x=\"\(x(tick))\" y=\"\(height - 8)\" text-anchor=\"middle\">\(Units.number(tick))</text>\n"
        }
        svg += "<line class=\"axis\" x1=\"\(x(0))\" x2=\"\(x(0))\" y1=\"\(top)\" y2=\"\(height - bottom)\"/>\n"
        for (index, difference) in differences.enumerated() {
            let color = variantColors[(variants.firstIndex(of: difference.0) ?? index) % variantColors.count]
            let middle = top + row * (Double(index) + 0.5)
            svg += "<text class=\"tick\" x=\"\(left - 8)\" y=\"\(middle + 4)\" text-anchor=\"end\">\(escape(difference.0))</text>"
            if let low = difference.2, let high = difference.3 {
                svg += "<path class=\"whisker\" d=\"M\(x(low)),\(middle) H\(x(high)) M\(x(low)),\(middle - 5) v10 M\(x(high)),\(middle - 5) v10\" stroke=\"\(color)\"/>"
            }
            svg += "<circle cx=\"\(x(difference.1))\" cy=\"\(middle)\" r=\"4\" fill=\"\(color)\"><title>\(escape(difference.0)): "
                + "\(ExperimentTable.number(difference.1))</title></circle>\n"
        }
        return svg + "</svg>"
    }

    /// `cost_total_usd_mean` as an axis label: "cost_total_usd (mean over replications)".
    static func axisLabel(_ column: String) -> String {
        column.hasSuffix("_mean") ? String(column.dropLast(5)) + " (mean over replications)" : column
    }

    static func sweep(folder: URL) throws -> String {
        let points = RunReport.Table(text: try String(contentsOf: folder.appendingPathComponent("points.csv"), encoding: .utf8))
        let paretoText = (try? String(contentsOf: folder.appendingPathComponent("pareto.csv"), encoding: .utf8)) ?? ""
        let pareto = RunReport.Table(text: paretoText)
        let columns = pareto.header.sorted { $0.value < $1.value }.map(\.key)
        let costColumn = columns.count >= 2 ? columns[columns.count - 2] : "cost_total_usd_mean"
        let latencyColumn = columns.last ?? "e2e_p99_s_mean"
        let all = points.rows.compactMap { row -> (Int, Double, Double)? in
            guard let point = Int(points.text(row, "point")), let cost = points.number(row, costColumn),
                  let latency = points.number(row, latencyColumn) else { return nil }
            return (point, cost, latency)
        }
        let frontier = pareto.rows.compactMap { row -> (Int, Double, Double)? in
            guard let point = Int(pareto.text(row, "point")), let cost = pareto.number(row, costColumn),
                  let latency = pareto.number(row, latencyColumn) else { return nil }
            return (point, cost, latency)
        }
        let width = 760.0, height = 420.0, left = 62.0, right = 16.0, top = 24.0, bottom = 40.0
        let x = LinearScale(domain: 0, all.map(\.1).max() ?? 1, range: (left, width - right)).nice()
        // Latencies can span decades; the axis is cut at three times the frontier's worst so its knee is readable.
        let cap = min(all.map(\.2).max() ?? 1, 3 * (frontier.map(\.2).max() ?? 1))
        let y = LinearScale(domain: 0, cap, range: (height - bottom, top)).nice()
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"Pareto frontier\" xmlns=\"http://www.w3.org/2000/svg\">"
            + "<text class=\"title\" x=\"\(left)\" y=\"14\">\(escape(latencyColumn)) against \(escape(costColumn)), one dot per point (frontier in blue)</text>\n"
        svg += Chart.yGrid(y, left: left, right: width - right, label: Units.number)
        for tick in x.ticks() {
            svg += "<text class=\"tick\" x=\"\(x(tick))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(Units.number(tick))</text>\n"
        }
        for (point, cost, latency) in all {
            let shownLatency = min(latency, y.domain.upperBound)
            svg += "<circle class=\"dot\" cx=\"\(x(cost))\" cy=\"\(y(shownLatency))\" r=\"3\" fill=\"\(Palette.grey)\">"
                + "<title>point \(point): \(ExperimentTable.number(cost)), \(ExperimentTable.number(latency))</title></circle>\n"
        }
        if !frontier.isEmpty {
            let path = frontier.enumerated().map { index, entry in
                (index == 0 ? "M" : "L") + "\(x(entry.1)),\(y(min(entry.2, y.domain.upperBound)))"
            }.joined(separator: " ")
            svg += "<path class=\"line\" d=\"\(path)\" stroke=\"\(Palette.blue)\" data-points=\"\(frontier.count)\"/>\n"
            for (point, cost, latency) in frontier {
                svg += "<circle cx=\"\(x(cost))\" cy=\"\(y(min(latency, y.domain.upperBound)))\" r=\"4\" fill=\"\(Palette.blue)\"><title>point \(point)</title></circle>\n"
            }
        }
        svg += "<text class=\"tick\" x=\"\((left + width - right) / 2)\" y=\"\(height - 6)\" text-anchor=\"middle\">\(escape(axisLabel(costColumn)))</text>"
        svg += "<text class=\"tick\" transform=\"translate(14,\((top + height - bottom) / 2)) rotate(-90)\" text-anchor=\"middle\">"
            + "\(escape(axisLabel(latencyColumn)))</text></svg>"
        var body = "<h1>Sweep — FleetSim report</h1>\n<p class=\"meta\">\(all.count) points; means over replications "
            + "(points.csv has every 95 % interval).</p>\n<figure>\(svg)</figure>\n"
        // The frontier as a table: its points by increasing cost, with the values each parameter took.
        let parameterColumns = columns.filter { $0 != "point" && $0 != costColumn && $0 != latencyColumn }
        body += "<h2>Pareto frontier (\(pareto.rows.count) points)</h2>\n<table>\n<tr><th class=\"num\">point</th>"
            + parameterColumns.map { "<th title=\"\(escape($0))\">\(escape(String($0.split(separator: ".").last ?? Substring($0))))</th>" }.joined()
            + "<th class=\"num\">\(escape(axisLabel(costColumn)))</th><th class=\"num\">\(escape(axisLabel(latencyColumn)))</th></tr>\n"
        for row in pareto.rows {
            body += "<tr><td class=\"num\">\(escape(pareto.text(row, "point")))</td>"
                + parameterColumns.map { "<td>\(escape(pareto.text(row, $0)))</td>" }.joined()
                + "<td class=\"num\">\(pareto.number(row, costColumn).map { ExperimentTable.number($0) } ?? "–")</td>"
                + "<td class=\"num\">\(pareto.number(row, latencyColumn).map { ExperimentTable.number($0) } ?? "–")</td></tr>\n"
        }
        body += "</table>\n"
        return RunReport.document(title: "Sweep — FleetSim report", body: body)
    }
}
