import Foundation

/// A time-series chart drawn as inline SVG: lines or stacked areas over the run's windows, axes with readable ticks
/// and units, a legend, an optional threshold line with shaded violations, and event marks on the time axis.
struct Chart {
    struct Series {
        var name: String
        var color: String
        /// One value per window (nil: nothing to draw there, e.g. no request ended).
        var values: [Double?]
        var dashed = false
    }

    struct Mark {
        var time: Double
        var color: String
        var label: String
    }

    var title: String
    var unit: (Double) -> String
    /// Window starts and the end of the last window.
    var windowStarts: [Double]
    var end: Double
    var series: [Series]
    var stacked = false
    var threshold: (value: Double, label: String)?
    /// Windows (indices) to shade as violations.
    var violations: [Int] = []
    var marks: [Mark] = []

    static let width = 760.0
    static let height = 230.0
    static let margin = (top: 34.0, right: 16.0, bottom: 30.0, left: 62.0)

    /// The x position of a window's value: its middle.
    func middle(_ window: Int) -> Double {
        let next = window + 1 < windowStarts.count ? windowStarts[window + 1] : end
        return (windowStarts[window] + next) / 2
    }

    /// Stacked series are drawn from their running sums.
    var drawnValues: [[Double?]] {
        guard stacked else { return series.map(\.values) }
        var running = [Double](repeating: 0, count: windowStarts.count)
        return series.map { item in
            item.values.enumerated().map { window, value in
                running[window] += value ?? 0
                return running[window]
            }
        }
    }

    func svg() -> String {
        let plotLeft = Self.margin.left, plotRight = Self.width - Self.margin.right
        let plotTop = Self.margin.top, plotBottom = Self.height - Self.margin.bottom
        let start = windowStarts.first ?? 0
        let x = LinearScale(domain: start, max(end, start), range: (plotLeft, plotRight))
        let values = drawnValues
        var high = values.flatMap { $0.compactMap { $0 } }.filter(\.isFinite).max() ?? 0
        if let threshold { high = max(high, threshold.value) }
        let y = LinearScale(domain: 0, max(high, 0), range: (plotBottom, plotTop)).nice()
        var svg = """
            <svg class="chart" viewBox="0 0 \(f(Self.width)) \(f(Self.height))" role="img" aria-label="\(escape(title))" \
            xmlns="http://www.w3.org/2000/svg">
            <text class="title" x="\(f(plotLeft))" y="14">\(escape(title))</text>\n
            """
        // Legend, after the title.
        var legendX = plotLeft
        for item in series {
            svg += "<rect x=\"\(f(legendX))\" y=\"20\" width=\"10\" height=\"10\" fill=\"\(item.color)\"/>"
                + "<text class=\"legend\" x=\"\(f(legendX + 14))\" y=\"29\">\(escape(item.name))</text>\n"
            legendX += 24 + Double(item.name.count) * 6.2
        }
        // Violations shaded behind everything.
        for window in violations where window < windowStarts.count {
            let left = x(windowStarts[window])
            let right = x(window + 1 < windowStarts.count ? windowStarts[window + 1] : end)
            svg += "<rect class=\"violation\" x=\"\(f(left))\" y=\"\(f(plotTop))\" width=\"\(f(max(right - left, 0.5)))\" "
                + "height=\"\(f(plotBottom - plotTop))\"><title>objective missed</title></rect>\n"
        }
        // Grid and axes.
        svg += Self.yGrid(y, left: plotLeft, right: plotRight, label: unit)
        let span = x.domain.upperBound - x.domain.lowerBound
        for tick in TimeTicks.ticks(for: x.domain) {
            svg += "<line class=\"axis\" x1=\"\(f(x(tick)))\" x2=\"\(f(x(tick)))\" y1=\"\(f(plotBottom))\" y2=\"\(f(plotBottom + 4))\"/>"
                + "<text class=\"tick\" x=\"\(f(x(tick)))\" y=\"\(f(plotBottom + 16))\" text-anchor=\"middle\">"
                + "\(TimeTicks.label(tick, span: span))</text>\n"
        }
        svg += "<line class=\"axis\" x1=\"\(f(plotLeft))\" x2=\"\(f(plotRight))\" y1=\"\(f(plotBottom))\" y2=\"\(f(plotBottom))\"/>\n"
        // Series: stacked areas from the top down, so each band shows; lines in order.
        let order = stacked ? Array(series.indices.reversed()) : Array(series.indices)
        for index in order {
            let item = series[index]
            let points = values[index].enumerated().map { window, value in (x(middle(window)), value.map { y($0) }) }
            let drawn = points.filter { $0.1?.isFinite == true }.count
            if stacked {
                guard let first = points.first, let last = points.last else { continue }
                var d = "M\(f(first.0)),\(f(y(0)))"
                for point in points { d += " L\(f(point.0)),\(f(point.1 ?? y(0)))" }
                d += " L\(f(last.0)),\(f(y(0))) Z"
                svg += "<path class=\"area\" data-series=\"\(escape(item.name))\" data-points=\"\(drawn)\" d=\"\(d)\" fill=\"\(item.color)\"/>\n"
            } else {
                var d = ""
                var penDown = false
                for point in points {
                    guard let py = point.1, py.isFinite else { penDown = false; continue }
                    d += (penDown ? " L" : " M") + "\(f(point.0)),\(f(py))"
                    penDown = true
                }
                let dash = item.dashed ? " stroke-dasharray=\"5 3\"" : ""
                svg += "<path class=\"line\" data-series=\"\(escape(item.name))\" data-points=\"\(drawn)\" d=\"\(d.trimmingCharacters(in: .whitespaces))\" "
                    + "stroke=\"\(item.color)\"\(dash)/>\n"
            }
        }
        if let threshold {
            let ty = y(threshold.value)
            svg += "<line class=\"threshold\" x1=\"\(f(plotLeft))\" x2=\"\(f(plotRight))\" y1=\"\(f(ty))\" y2=\"\(f(ty))\"/>"
                + "<text class=\"tick\" x=\"\(f(plotRight - 4))\" y=\"\(f(ty - 4))\" text-anchor=\"end\">\(escape(threshold.label))</text>\n"
        }
        for mark in marks where mark.time >= x.domain.lowerBound && mark.time <= x.domain.upperBound {
            let mx = x(mark.time)
            svg += "<path class=\"mark\" d=\"M\(f(mx)),\(f(plotBottom)) l-4,7 h8 Z\" fill=\"\(mark.color)\"><title>\(escape(mark.label))</title></path>\n"
        }
        return svg + "</svg>"
    }

    /// Horizontal gridlines at the y scale's ticks, each labelled left of the plot; every chart draws its y axis so.
    static func yGrid(_ y: LinearScale, left: Double, right: Double, label: (Double) -> String) -> String {
        y.ticks().map { tick in
            "<line class=\"grid\" x1=\"\(f(left))\" x2=\"\(f(right))\" y1=\"\(f(y(tick)))\" y2=\"\(f(y(tick)))\"/>"
                + "<text class=\"tick\" x=\"\(f(left - 6))\" y=\"\(f(y(tick) + 4))\" text-anchor=\"end\">\(escape(label(tick)))</text>\n"
        }.joined()
    }
}

/// SVG coordinates with one decimal.
private func f(_ value: Double) -> String { String(format: "%.1f", value) }

func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

/// Okabe and Ito's colour-blind-safe palette (Okabe & Ito, "Color Universal Design", 2008), one colour per meaning
/// across every chart.
enum Palette {
    static let blue = "#0072B2", orange = "#E69F00", green = "#009E73", purple = "#CC79A7"
    static let sky = "#56B4E9", vermillion = "#D55E00", yellow = "#F0E442", black = "#000000", grey = "#999999"
}
