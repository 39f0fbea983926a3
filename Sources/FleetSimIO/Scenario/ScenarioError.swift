/// A problem with a scenario (or one of its `--set` overrides), located as precisely as the input allows.
///
/// Printed as `file:line: key.path: message`, e.g.
/// `chat.yaml:12: deployments.small.pools[1].count: expected a non-negative integer, found "-1"`.
public struct ScenarioError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The scenario file, or `--set` for an override given on the command line.
    public var file: String
    public var line: Int?
    /// Where in the scenario, in the same dotted form `--set` takes; empty for the document itself.
    public var keyPath: String
    public var message: String

    public init(file: String, line: Int?, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return keyPath.isEmpty ? "\(location): \(message)" : "\(location): \(keyPath): \(message)"
    }
}

extension ScenarioError {
    /// A problem inside a trace the scenario names, blamed on the trace's file and line and on the scenario key.
    init(_ trace: TraceError, keyPath: String) {
        self.init(file: trace.file, line: trace.line, keyPath: keyPath, message: trace.message)
    }
}
