import Foundation

/// Parsers for the quantities scenario files are written in: durations (`90s`, `15m`, `1d13h`), rates (`40/s`,
/// `1200/min`), percentages (`70%`) and plain numbers. Each returns nil for text it does not understand, and never a
/// NaN or an infinity.
enum Quantities {
    /// Seconds per unit; a unit is matched as a whole word, so `ms` is never read as `m`.
    static let durationUnits: [(suffix: String, seconds: Double)] = [
        ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("min", 60), ("h", 3600), ("d", 86_400),
        ("w", 604_800), ("mo", 730 * 3600),
    ]
    /// A month as cloud bills count one: 730 hours (8,760 ÷ 12).
    static let monthSeconds = 730.0 * 3600

    /// A finite number written plainly (`12`, `0.5`, `1e3`, `1_000`); rejects `nan`, `inf` and hex.
    static func number(_ text: String) -> Double? {
        let cleaned = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
        guard !cleaned.isEmpty,
              cleaned.allSatisfy({ $0.isNumber || "+-.eE".contains($0) }),
              let value = Double(cleaned), value.isFinite
        else { return nil }
        return value
    }

    /// Bytes per unit: decimal (kB, MB, GB, TB) and binary (KiB, MiB, GiB, TiB).
    static let byteUnits: [String: Double] = [
        "B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
        "KiB": 1_024, "MiB": 1_048_576, "GiB": 1_073_741_824, "TiB": 1_099_511_627_776,
    ]

    /// A size in bytes, `16GB` or `15.2 GiB`; with `perSecond`, a bandwidth such as `2GB/s`.
    static func bytes(_ text: String, perSecond: Bool = false) -> Double? {
        var body = text.trimmingCharacters(in: .whitespaces)
        if perSecond {
            guard body.hasSuffix("/s") else { return nil }
            body = String(body.dropLast(2))
        }
        let digits = body.prefix { $0.isNumber || $0 == "." }
        guard let value = number(String(digits)),
              let unit = byteUnits[body.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)]
        else { return nil }
        return value * unit
    }

    /// A duration in seconds: a plain number (seconds) or one or more number-unit parts, e.g. `1d13h30m`.
    static func duration(_ text: String) -> Double? {
        if let seconds = number(text) { return seconds }
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        var total = 0.0
        var parts = 0
        while !rest.isEmpty {
            let digits = numberPrefix(rest)
            guard !digits.isEmpty, let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let letters = rest.prefix { $0.isLetter }
            guard let unit = durationUnits.first(where: { $0.suffix == String(letters) }) else { return nil }
            rest = rest.dropFirst(letters.count)
            total += value * unit.seconds
            parts += 1
        }
        return parts > 0 && total.isFinite ? total : nil
    }

    /// The longest prefix of `text` that is a decimal number, with an exponent (`1.5e+19`) if one follows; units
    /// never start with `e`, so `1.5e3h` is 1,500 hours.
    private static func numberPrefix(_ text: Substring) -> Substring {
        var end = text.firstIndex { !($0.isNumber || $0 == ".") } ?? text.endIndex
        if end < text.endIndex, "eE".contains(text[end]) {
            var exponent = text.index(after: end)
            if exponent < text.endIndex, "+-".contains(text[exponent]) { exponent = text.index(after: exponent) }
            let digitsEnd = text[exponent...].firstIndex { !$0.isNumber } ?? text.endIndex
            if digitsEnd > exponent { end = digitsEnd }
        }
        return text[..<end]
    }

    /// A rate per second: `40/s`, `1200/min`, `5/h`, `100/d`, or a plain number (per second).
    static func ratePerSecond(_ text: String) -> Double? {
        if let value = number(text) { return value }
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count == 2, let count = number(String(pieces[0])) else { return nil }
        let unit = pieces[1].trimmingCharacters(in: .whitespaces)
        let per: Double
        if let seconds = durationUnits.first(where: { $0.suffix == unit })?.seconds {
            per = seconds
        } else if let seconds = duration(unit) {
            per = seconds
        } else {
            return nil
        }
        guard per > 0 else { return nil }
        return count / per
    }

    /// A fraction: `70%` is 0.7, and a plain number is taken as the fraction itself.
    static func fraction(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") {
            return number(String(trimmed.dropLast())).map { $0 / 100 }
        }
        return number(trimmed)
    }

    /// Writes seconds back in the shortest exact form the duration parser reads (`90s`, `0.2s`).
    static func format(seconds: Double) -> String {
        for (suffix, size) in [("d", 86_400.0), ("h", 3600.0), ("m", 60.0)]
        where seconds >= size && seconds.truncatingRemainder(dividingBy: size) == 0 {
            return "\(shortest(seconds / size))\(suffix)"
        }
        // Always with its unit: a duration key refuses a bare number (`1e-06s` reads back too).
        return seconds == 0 ? "0s" : "\(shortest(seconds))s"
    }

    /// Seconds for a person to read in a message: `250 ms`, `58.9 s`, `2h 13m 05s`, `3d 4h`.
    static func readable(seconds: Double) -> String {
        guard seconds.isFinite else { return "\(seconds) s" }
        if seconds < 1 { return String(format: "%.0f ms", seconds * 1000) }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        let (days, hours, minutes, rest) = (whole / 86_400, whole / 3600 % 24, whole / 60 % 60, whole % 60)
        if days > 0 { return hours > 0 ? "\(days)d \(hours)h" : "\(days)d" }
        if hours > 0 { return String(format: "%dh %02dm %02ds", hours, minutes, rest) }
        return String(format: "%dm %02ds", minutes, rest)
    }

    /// The shortest text that reads back as the same Double, without a trailing `.0`.
    static func shortest(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
