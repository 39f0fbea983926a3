import Foundation
import Yams

/// A YAML value at a key path of a scenario, with readers for each kind of quantity.
///
/// Every reader either returns a valid value or throws a `ScenarioError` that names the file, the line, the key path,
/// what was expected and what was found. Values that came from a `--set` override report `--set` as their file.
struct ScenarioValue {
    let node: Node
    let path: String
    let file: String
    /// Key paths replaced by `--set` overrides; a value at or below one of them has no line in the file.
    let overridden: Set<String>
    let fromOverride: Bool

    init(node: Node, path: String = "", file: String, overridden: Set<String> = [], fromOverride: Bool = false) {
        self.node = node
        self.path = path
        self.file = file
        self.overridden = overridden
        // Nodes that `--set` created have no position in the file.
        self.fromOverride = fromOverride || overridden.contains(path) || node.mark == nil
    }

    func child(_ node: Node, path childPath: String) -> ScenarioValue {
        ScenarioValue(node: node, path: childPath, file: file, overridden: overridden, fromOverride: fromOverride)
    }

    // MARK: Errors

    func error(_ message: String) -> ScenarioError {
        ScenarioError(
            file: fromOverride ? "--set" : file, line: fromOverride ? nil : node.mark?.line, keyPath: path,
            message: message)
    }

    func expected(_ what: String) -> ScenarioError {
        error("expected \(what), found \(found)")
    }

    /// How the value reads in an error message.
    var found: String {
        switch node {
        case .scalar(let scalar):
            if isNull { return "nothing" }
            return "\"\(scalar.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    var isNull: Bool {
        // A quoted "null" is a string; an unquoted one, `~` or nothing is YAML's null.
        if case .scalar(let scalar) = node, scalar.style != .singleQuoted, scalar.style != .doubleQuoted {
            return node.null != nil || ["", "~", "null", "Null", "NULL"].contains(scalar.string)
        }
        return false
    }

    /// The path this value names, resolved from `directory`; a file that does not exist is an error at this
    /// value's line, since the file has none to give.
    func existingFile(from directory: String) throws -> String {
        let path = FilePaths.resolve(try string(), from: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw error("no such file: \(path)") }
        guard !isDirectory.boolValue else { throw error("\(path) is a folder; expected a file") }
        return path
    }

    // MARK: Scalars

    var scalarText: String? {
        if case .scalar(let scalar) = node, !isNull { return scalar.string }
        return nil
    }

    func string() throws -> String {
        guard let text = scalarText, !text.isEmpty else { throw expected("a string") }
        return text
    }

    /// A name used in key paths and file names: letters, digits, `-` and `_`.
    func name() throws -> String {
        guard let text = scalarText, !text.isEmpty,
              text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        else { throw expected("a name of letters, digits, '-' and '_'") }
        return text
    }

    func bool() throws -> Bool {
        switch scalarText {
        case "true"?, "yes"?, "on"?: return true
        case "false"?, "no"?, "off"?: return false
        default: throw expected("true or false")
        }
    }

    /// A plain number within `range`.
    func number(_ what: String = "a number", in range: ClosedRange<Double>) throws -> Double {
        try within(range, what, scalarText.flatMap(Quantities.number))
    }

    func integer(_ what: String = "an integer", in range: ClosedRange<Int>) throws -> Int {
        guard let value = scalarText.flatMap(Quantities.number), value == value.rounded(),
              abs(value) < 1e15, range.contains(Int(value))
        else { throw expected("\(what) in \(range.lowerBound)…\(range.upperBound)") }
        return Int(value)
    }

    /// A duration in seconds (`90s`, `15m`, `6h`, `2d`, `1w`, `1mo`, `200ms`, `1d13h`). A number without a unit is
    /// refused, as Kubernetes refuses one, except 0: `mean: 200` meant 200 ms as often as 200 s.
    func duration(in range: ClosedRange<Double>) throws -> Double {
        if let text = scalarText, let bare = Quantities.number(text), bare != 0 {
            throw error("expected a duration with its unit, found \(text): write \(text)s for seconds or \(text)ms for "
                + "milliseconds (units: us, ms, s, m, h, d, w, mo)")
        }
        return try within(range, "a duration (e.g. 90s, 15m, 6h, 2d)", scalarText.flatMap(Quantities.duration),
                          describe: Quantities.format(seconds:))
    }

    /// A rate per second (`40/s`, `1200/min`, or a plain number per second).
    func rate(in range: ClosedRange<Double>) throws -> Double {
        try within(range, "a rate (e.g. 40/s, 1200/min)", scalarText.flatMap(Quantities.ratePerSecond),
                   describe: { "\(Quantities.shortest($0))/s" })
    }

    /// A fraction written as a percentage (`70%`) or a plain fraction (`0.7`).
    func fraction(in range: ClosedRange<Double>) throws -> Double {
        try within(range, "a percentage (e.g. 70%) or fraction", scalarText.flatMap(Quantities.fraction),
                   describe: { "\(Quantities.shortest($0 * 100))%" })
    }

    private func within(
        _ range: ClosedRange<Double>, _ what: String, _ value: Double?,
        describe: (Double) -> String = Quantities.shortest
    ) throws -> Double {
        guard let value else { throw expected(what) }
        guard range.contains(value) else {
            let bounds: String
            if range.upperBound == .greatestFiniteMagnitude {
                bounds = "at least \(describe(range.lowerBound))"
            } else {
                bounds = "between \(describe(range.lowerBound)) and \(describe(range.upperBound))"
            }
            throw expected("\(what) \(bounds)")
        }
        return value
    }

    // MARK: Collections

    func list() throws -> [ScenarioValue] {
        guard case .sequence(let sequence) = node else { throw expected("a list") }
        return sequence.enumerated().map { index, element in child(element, path: "\(path)[\(index)]") }
    }

    /// The value as a mapping whose keys must all be among `allowed`.
    func mapping(allowed: [String]) throws -> ScenarioMapping {
        guard case .mapping(let mapping) = node else { throw expected("a mapping") }
        var entries: [(key: String, value: ScenarioValue)] = []
        for (keyNode, valueNode) in mapping {
            let keyValue = child(keyNode, path: path)
            guard let key = keyValue.scalarText else { throw keyValue.expected("a key") }
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            let value = child(valueNode, path: childPath)
            if !allowed.isEmpty && !allowed.contains(key) {
                let message = "unknown key '\(key)'" + Suggestions.didYouMean(key, among: allowed)
                    + " (allowed: \(allowed.joined(separator: ", ")))"
                throw ScenarioError(
                    file: value.fromOverride ? "--set" : file, line: value.fromOverride ? nil : keyNode.mark?.line,
                    keyPath: childPath, message: message)
            }
            entries.append((key, value))
        }
        return ScenarioMapping(value: self, entries: entries)
    }
}

/// A mapping read from a scenario, in file order.
struct ScenarioMapping {
    let value: ScenarioValue
    let entries: [(key: String, value: ScenarioValue)]

    var keys: [String] { entries.map(\.key) }

    /// The value at `key`, nil when absent or null.
    subscript(key: String) -> ScenarioValue? {
        entries.first { $0.key == key && !$0.value.isNull }?.value
    }

    func required(_ key: String, _ what: String) throws -> ScenarioValue {
        guard let found = self[key] else {
            throw value.error("missing '\(key)' (\(what))")
        }
        return found
    }

    /// The keys must be exactly one of `forms` (alternative parameter sets, such as {median, sigma} or
    /// {mean, sd}); returns the index of the form. A partial form names what is missing; mixed forms are an error.
    func form(_ forms: [[String]], _ what: String) throws -> Int {
        let present = Set(keys)
        if let exact = forms.firstIndex(where: { Set($0) == present }) { return exact }
        let described = forms.map { "{\($0.joined(separator: ", "))}" }.joined(separator: " or ")
        throw value.error("expected \(what) as \(described), found {\(keys.joined(separator: ", "))}")
    }

    /// Exactly one of `keys` must be present; returns which, with its value.
    func oneOf(_ choices: [String], _ what: String) throws -> (key: String, value: ScenarioValue) {
        let present = entries.filter { choices.contains($0.key) }
        guard present.count == 1 else {
            throw value.error("expected exactly one of \(choices.joined(separator: ", ")) (\(what)), found "
                + (present.isEmpty ? "none" : present.map(\.key).joined(separator: " and ")))
        }
        return present[0]
    }
}

/// "Did you mean …?" for mistyped keys and names.
enum Suggestions {
    /// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
    static func nearest(to word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, word.count / 3) ? best.0 : nil
    }

    /// `"; did you mean 'x'?"` when a candidate is close to `word`, else nothing: the tail of an "unknown …" message.
    static func didYouMean(_ word: String, among candidates: [String]) -> String {
        nearest(to: word, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
