import Foundation

/// Number formatting for CSV cells: fixed decimals with trailing zeros trimmed, empty for a missing value (read as
/// NaN by pandas and R).
enum CSVFormat {
    static func cell(_ value: Double?, decimals: Int = 6) -> String {
        guard let value, value.isFinite else { return "" }
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    /// Quotes a text cell when it holds a comma, a quote or a line break (RFC 4180).
    static func text(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
