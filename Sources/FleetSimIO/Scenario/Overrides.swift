import Yams

/// A `--set key.path=value` override, applied to the scenario document before it is decoded, so overridden values
/// are validated exactly like values in the file.
public struct Override: Sendable, Equatable {
    enum Segment: Equatable {
        case key(String)
        case index(Int)
    }

    public let keyPath: String
    let segments: [Segment]
    let valueText: String

    /// Parses `path=value`; the value is read as YAML, so `{peakHour: 14}` and `[1, 2]` work too.
    public init(_ text: String) throws {
        guard let equals = text.firstIndex(of: "=") else {
            throw ScenarioError(file: "--set", line: nil, keyPath: "", message: "expected key.path=value, found \"\(text)\"")
        }
        keyPath = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
        valueText = String(text[text.index(after: equals)...])
        segments = try Self.parse(path: keyPath)
    }

    static func parse(path: String) throws -> [Segment] {
        var segments: [Segment] = []
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            let key = rest.prefix { $0 != "[" }
            guard !key.isEmpty else { throw invalid(path) }
            segments.append(.key(String(key)))
            rest = rest.dropFirst(key.count)
            while rest.first == "[" {
                guard let close = rest.firstIndex(of: "]"), let index = Int(rest[rest.index(after: rest.startIndex)..<close]),
                      index >= 0
                else { throw invalid(path) }
                segments.append(.index(index))
                rest = rest[rest.index(after: close)...]
            }
            guard rest.isEmpty else { throw invalid(path) }
        }
        return segments
    }

    private static func invalid(_ path: String) -> ScenarioError {
        ScenarioError(file: "--set", line: nil, keyPath: path,
                      message: "expected a key path such as deployments.chat.pools[0].count")
    }

    /// The document with this override applied.
    func apply(to document: Node) throws -> Node {
        let value: Node
        do {
            // An empty value is YAML's null, which removes an optional key.
            value = try Yams.compose(yaml: valueText) ?? Node("null")
        } catch {
            throw ScenarioError(file: "--set", line: nil, keyPath: keyPath, message: "value is not valid YAML: \(valueText)")
        }
        return try set(value, at: segments[...], in: document, walked: "")
    }

    private func set(_ value: Node, at path: ArraySlice<Segment>, in node: Node, walked: String) throws -> Node {
        guard let segment = path.first else { return value }
        let rest = path.dropFirst()
        switch (segment, node) {
        case (.key(let key), .mapping(var mapping)):
            let here = walked.isEmpty ? key : "\(walked).\(key)"
            let existing = mapping[Node(key)] ?? Node([(Node, Node)]())
            mapping[Node(key)] = try set(value, at: rest, in: existing, walked: here)
            return .mapping(mapping)
        case (.index(let index), .sequence(var sequence)):
            let here = "\(walked)[\(index)]"
            guard index < sequence.count else {
                throw ScenarioError(file: "--set", line: nil, keyPath: here,
                                    message: "index \(index) is past the end of a list of \(sequence.count)")
            }
            sequence[index] = try set(value, at: rest, in: sequence[index], walked: here)
            return .sequence(sequence)
        default:
            let what = if case .key = segment { "a mapping" } else { "a list" }
            throw ScenarioError(file: "--set", line: nil, keyPath: walked.isEmpty ? keyPath : walked,
                                message: "cannot set \(keyPath): \(walked.isEmpty ? "the document" : walked) is not \(what)")
        }
    }
}
