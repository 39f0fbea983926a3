import Foundation

/// A linear map from data values to drawing coordinates, with readable ticks.
struct LinearScale {
    var domain: ClosedRange<Double>
    /// Where the domain's lower and upper ends are drawn; a y axis runs downwards, so the first can be the larger.
    var range: (Double, Double)

    /// A domain that always has width: a single value (one window, zero cost) becomes a unit span around it.
    init(domain lower: Double, _ upper: Double, range: (Double, Double)) {
        var low = lower.isFinite ? lower : 0
        var high = upper.isFinite ? upper : 1
        if high < low { swap(&low, &high) }
        if high - low < 1e-12 {
            high = low == 0 ? 1 : low + abs(low) * 0.5
            if low > 0 && lower == upper { low = 0 }
        }
        domain = low...high
        self.range = range
    }

    func callAsFunction(_ value: Double) -> Double {
        let fraction = (value - domain.lowerBound) / (domain.upperBound - domain.lowerBound)
        return range.0 + fraction * (range.1 - range.0)
    }

    /// About `count` ticks at 1, 2 or 5 × 10^k, inside the domain.
    func ticks(_ count: Int = 5) -> [Double] {
        let step = Self.niceStep((domain.upperBound - domain.lowerBound) / Double(max(count, 1)))
        let first = (domain.lowerBound / step).rounded(.up) * step
        return stride(from: first, through: domain.upperBound + step * 1e-9, by: step).map { abs($0) < step * 1e-9 ? 0 : $0 }
    }

    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let fraction = raw / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return nice * magnitude
    }

    /// Extends the domain's upper end to the next tick, so the top gridline frames the data; the lower end to 0 for
    /// quantities that start there.
    func nice(count: Int = 5) -> LinearScale {
        let step = Self.niceStep((domain.upperBound - domain.lowerBound) / Double(count))
        let high = (domain.upperBound / step - 1e-9).rounded(.up) * step
        let low = (domain.lowerBound / step + 1e-9).rounded(.down) * step
        return LinearScale(domain: low, high, range: range)
    }
}

/// Time-axis ticks for a run measured in seconds from its start (taken to be midnight, as the traffic model does):
/// clock times within a day or two, day numbers beyond.
enum TimeTicks {
    static let steps: [Double] = [60, 300, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800]

    static func ticks(for domain: ClosedRange<Double>, count: Int = 6) -> [Double] {
        let span = domain.upperBound - domain.lowerBound
        let step = steps.first { span / $0 <= Double(count) } ?? steps.last!
        let first = (domain.lowerBound / step).rounded(.up) * step
        return Array(stride(from: first, through: domain.upperBound + 1e-9, by: step))
    }

    static func label(_ seconds: Double, span: Double) -> String {
        let day = Int((seconds / 86_400).rounded(.down))
        let inDay = Int(seconds.rounded()) - day * 86_400
        let clock = String(format: "%02d:%02d", inDay / 3600, (inDay % 3600) / 60)
        if span <= 86_400 + 1e-6 { return day > 0 && inDay == 0 ? "24:00" : clock }
        if span <= 2 * 86_400 { return day > 0 ? "d\(day + 1) \(clock)" : clock }
        return inDay == 0 ? "day \(day + 1)" : "d\(day + 1) \(clock)"
    }
}

/// Axis labels for the units the report shows.
enum Units {
    static func dollars(_ value: Double) -> String {
        if value == 0 { return "$0" }
        if abs(value) >= 1000 { return "$" + String(format: "%.0f", value) }
        if abs(value) >= 10 { return "$" + String(format: "%.0f", value) }
        return "$" + String(format: "%.2f", value)
    }

    static func seconds(_ value: Double) -> String {
        if value == 0 { return "0" }
        if abs(value) < 1 { return String(format: "%.0f ms", value * 1000) }
        return String(format: abs(value) < 10 ? "%.1f s" : "%.0f s", value)
    }

    static func count(_ value: Double) -> String {
        if abs(value) >= 10_000 { return String(format: "%.0fk", value / 1000) }
        return value == value.rounded() ? String(format: "%.0f", value) : String(format: "%.2g", value)
    }

    /// A plain tick number: whole numbers without decimals, others with three significant digits.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(format: "%.0f", value) : String(format: "%.3g", value)
    }

    static func percent(_ value: Double) -> String { String(format: "%.0f%%", value * 100) }

    /// Money as a bill shows it: `$4,557.72`, whole dollars from $100,000 on (`$1,204,331`).
    static func money(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        let cents = abs(value) < 100_000
        let whole = (cents ? abs(value) * 100 : abs(value)).rounded()
        let dollars = cents ? (whole / 100).rounded(.down) : whole
        let text = grouped(dollars) + (cents ? String(format: ".%02.0f", whole - dollars * 100) : "")
        return (value < 0 ? "−$" : "$") + text
    }

    /// A whole count with thousands separators: `13,254`.
    static func grouped(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e18 else { return "–" }
        return (value < 0 ? "−" : "") + SummaryTable.grouped(Int(abs(value).rounded()))
    }

    static func duration(_ seconds: Double) -> String { Quantities.format(seconds: seconds) }
}
