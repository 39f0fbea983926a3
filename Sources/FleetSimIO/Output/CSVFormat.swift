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

    /// The fields of one CSV line written by `text` and `cell` (quoted fields with doubled quotes).
    static func fields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var characters = line.makeIterator()
        while let character = characters.next() {
            if quoted {
                if character == "\"" {
                    if let following = characters.next() {
                        if following == "\"" { current.append("\"") } else {
                            quoted = false
                            if following == "," { fields.append(current); current = "" } else { current.append(following) }
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
