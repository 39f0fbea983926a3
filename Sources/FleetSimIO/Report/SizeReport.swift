import Foundation

/// The report page of a `size` folder: the recommendation and its tables (size.md, which `size` writes from the
/// same numbers), each alternative's monthly cost with its interval (alternatives.csv), and the needed-capacity
/// curve the reserved count was read from (size.json).
enum SizeReport {
    static func html(folder: URL) throws -> String {
        let markdown = try String(contentsOf: folder.appendingPathComponent("size.md"), encoding: .utf8)
        let alternatives = try String(contentsOf: folder.appendingPathComponent("alternatives.csv"), encoding: .utf8)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("size.json")))
        let recommendation = (json as? [String: Any])?["recommendation"] as? [String: Any]
        let needed = ((recommendation?["capacity"] as? [String: Any])?["neededReplicas"] as? [Int]) ?? []
        return html(markdown: markdown, alternatives: alternatives, needed: needed)
    }

    static func html(markdown: String, alternatives: String, needed: [Int]) -> String {
        var body = SimpleMarkdown.html(markdown)
        let table = RunReport.Table(text: alternatives)
        let bars = table.rows.compactMap { row -> (String, Double, Double?, Double?)? in
            guard let mean = table.number(row, "cost_monthly_usd") else { return nil }
            return ("#\(table.text(row, "rank"))", mean, table.number(row, "cost_monthly_ci_low"),
                    table.number(row, "cost_monthly_ci_high"))
        }
        if !bars.isEmpty {
            body += "<h2>Alternatives by cost</h2>\n<p class=\"meta\">Monthly cost of each fleet that met the objectives, "
                + "by rank in alternatives.csv, with its 95 % interval over the replications.</p>\n"
            body += "<figure>\(ExperimentReport.barChart(title: "cost per month, USD", bars: bars, variants: bars.map(\.0)))</figure>\n"
        }
        if !needed.isEmpty {
            body += "<h2>Needed capacity</h2>\n<p class=\"meta\">Replicas the recommended instance type needs, window by "
                + "window (the verified fixed fleet scaled by each window's load); the reserved count is a quantile of "
                + "this curve.</p>\n<figure>\(neededChart(needed))</figure>\n"
        }
        return RunReport.document(title: "Sizing — FleetSim report", body: body)
    }

    static func neededChart(_ needed: [Int]) -> String {
        let width = 760.0, height = 200.0, left = 62.0, right = 16.0, top = 24.0, bottom = 28.0
        let y = LinearScale(domain: 0, Double(max(needed.max() ?? 1, 1)), range: (height - bottom, top)).nice()
        let step = (width - left - right) / Double(needed.count)
        var path = ""
        for (index, count) in needed.enumerated() {
            let x0 = left + step * Double(index)
            path += (index == 0 ? "M" : "L") + "\(x0),\(y(Double(count))) H\(x0 + step) "
        }
        return "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"needed replicas\" "
            + "data-points=\"\(needed.count)\" xmlns=\"http://www.w3.org/2000/svg\">"
            + "<text class=\"title\" x=\"\(left)\" y=\"14\">replicas needed per window</text>\n"
            + Chart.yGrid(y, left: left, right: width - right, label: Units.number)
            + "<path d=\"\(path)\" fill=\"none\" stroke=\"\(Palette.blue)\" stroke-width=\"1.5\"/></svg>"
    }
}

/// The small part of Markdown that FleetSim's own `.md` files use: `#` headings, paragraphs, `**bold**`, `code` and
/// pipe tables. Everything is escaped first; nothing else is interpreted.
enum SimpleMarkdown {
    static func html(_ markdown: String) -> String {
        var out = ""
        var paragraph: [String] = []
        var tableRows: [[String]] = []
        func flush() {
            if !paragraph.isEmpty { out += "<p>\(inline(paragraph.joined(separator: " ")))</p>\n" }
            paragraph = []
            if !tableRows.isEmpty {
                out += "<table>\n"
                for (index, cells) in tableRows.enumerated() {
                    let tag = index == 0 ? "th" : "td"
                    out += "<tr>" + cells.map { "<\(tag)>\(inline($0))</\(tag)>" }.joined() + "</tr>\n"
                }
                out += "</table>\n"
            }
            tableRows = []
        }
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                flush()
            } else if trimmed.hasPrefix("|") {
                if !paragraph.isEmpty { flush() }
                let cells = trimmed.dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                // The separator row under the header.
                if cells.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 == "-" || $0 == ":" } }) { continue }
                tableRows.append(cells)
            } else if let level = trimmed.firstIndex(where: { $0 != "#" }), trimmed.hasPrefix("#") {
                flush()
                let depth = min(trimmed.distance(from: trimmed.startIndex, to: level), 3)
                out += "<h\(depth)>\(inline(trimmed[level...].trimmingCharacters(in: .whitespaces)))</h\(depth)>\n"
            } else {
                paragraph.append(trimmed)
            }
        }
        flush()
        return out
    }

    static func inline(_ text: String) -> String {
        var html = escape(text)
        for (marker, tag) in [("**", "strong"), ("`", "code")] {
            let parts = html.components(separatedBy: marker)
            guard parts.count >= 3 else { continue }
            html = parts.enumerated().map { index, part in
                guard index > 0 else { return part }
                let open = index % 2 == 1
                // An unpaired last marker stays as it was.
                if open && index == parts.count - 1 { return marker + part }
                return (open ? "<\(tag)>" : "</\(tag)>") + part
            }.joined()
        }
        return html
    }
}
