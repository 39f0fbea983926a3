import FleetSim
import Foundation
import Yams

/// Reads scenario files: YAML text → overrides applied → validated `Scenario`.
public enum ScenarioLoader {
    /// Loads and validates the scenario at `path`, applying `overrides` in order and then `seed` if given.
    public static func load(path: String, overrides: [Override] = [], seed: UInt64? = nil) throws -> Scenario {
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try decode(document: compose(path: path), file: path, defaultName: name, overrides: overrides, seed: seed)
    }

    /// Loads the scenario at `path` with the partial scenario at `overlay` laid over it: mappings merge key by key,
    /// anything else in the overlay replaces what the base has. A mistake in a value the overlay supplied names the
    /// overlay file and its line.
    public static func load(path: String, overlay: String, overrides: [Override] = [], seed: UInt64? = nil) throws -> Scenario {
        let base = try compose(path: path)
        let top = try compose(path: overlay)
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        do {
            return try decode(document: merge(top, into: base), file: path, defaultName: name, overrides: overrides, seed: seed)
        } catch var error as ScenarioError where error.file == path && contains(top, keyPath: error.keyPath) {
            error.file = overlay
            throw error
        }
    }

    /// Reads and parses one YAML document (a scenario, variant, sweep file or manifest), refusing a file too large
    /// to parse within the memory a document may take (`ResourceLimits.maxDocumentBytes`).
    static func compose(path: String) throws -> Node {
        let text = try readDocument(path: path)
        do {
            guard let root = try Yams.compose(yaml: text) else {
                throw ScenarioError(file: path, line: nil, keyPath: "", message: "the file is empty; expected a scenario mapping")
            }
            return root
        } catch let error as YamlError {
            throw syntaxError(error, file: path)
        }
    }

    /// Every YAML document in the file (`---`-separated, as `kubectl apply -f` reads them).
    static func composeAll(path: String) throws -> [Node] {
        let text = try readDocument(path: path)
        do {
            let documents = Array(try Yams.compose_all(yaml: text))
            guard !documents.isEmpty else { throw ScenarioError(file: path, line: nil, keyPath: "", message: "the file is empty") }
            return documents
        } catch let error as YamlError {
            throw syntaxError(error, file: path)
        }
    }

    private static func readDocument(path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ScenarioError(file: path, line: nil, keyPath: "", message: "no such file")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= ResourceLimits.maxDocumentBytes else {
            throw ScenarioError(
                file: path, line: nil, keyPath: "",
                message: "is \(MemoryEstimate.describe(size)); a scenario file may be at most "
                    + "\(MemoryEstimate.describe(ResourceLimits.maxDocumentBytes)) (parsing takes about 400 times its size). "
                    + "Put long lists of values in a CSV file: {empirical: {file: lengths.csv, column: tokens}}")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(file: path, line: nil, keyPath: "", message: "cannot be read as UTF-8 text")
        }
        return text
    }

    /// `top` laid over `base`.
    static func merge(_ top: Node, into base: Node) -> Node {
        guard case .mapping(var merged) = base, case .mapping(let overlay) = top else { return top }
        for (key, value) in overlay {
            merged[key] = merged[key].map { merge(value, into: $0) } ?? value
        }
        return .mapping(merged)
    }

    /// Whether `document` holds a value at `keyPath` (or at a prefix of it): the overlay supplied it.
    static func contains(_ document: Node, keyPath: String) -> Bool {
        guard !keyPath.isEmpty, let segments = try? Override.parse(path: keyPath) else { return false }
        var node = document
        for segment in segments {
            switch (segment, node) {
            case (.key(let key), .mapping(let mapping)):
                guard let child = mapping[Node(key)] else { return false }
                node = child
            case (.index(let index), .sequence(let sequence)):
                guard index < sequence.count else { return false }
                node = sequence[index]
            default:
                return true
            }
        }
        return true
    }

    /// Decodes scenario text; `file` names it in error messages, and relative paths inside it are resolved from its
    /// folder.
    public static func decode(
        yaml: String, file: String, defaultName: String = "scenario", overrides: [Override] = [], seed: UInt64? = nil
    ) throws -> Scenario {
        var document: Node
        do {
            guard let root = try Yams.compose(yaml: yaml) else {
                throw ScenarioError(file: file, line: nil, keyPath: "", message: "the file is empty; expected a scenario mapping")
            }
            document = root
        } catch let error as YamlError {
            throw syntaxError(error, file: file)
        }
        return try decode(document: document, file: file, defaultName: defaultName, overrides: overrides, seed: seed)
    }

    static func decode(
        document original: Node, file: String, defaultName: String, overrides: [Override], seed: UInt64?
    ) throws -> Scenario {
        var document = try ManifestExpansion.expand(original, file: file)
        for override in overrides {
            document = try override.apply(to: document)
        }
        let root = ScenarioValue(node: document, file: file, overridden: Set(overrides.map(\.keyPath)))
        var scenario = try ScenarioDecoder(defaultName: defaultName, baseDirectory: FilePaths.directory(of: file)).decode(root)
        if let seed { scenario.seed = seed }
        return scenario
    }

    private static func syntaxError(_ error: YamlError, file: String) -> ScenarioError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let contextText = context.map { "\($0.text) " } ?? ""
            return ScenarioError(file: file, line: mark.line, keyPath: "", message: "YAML syntax error: \(contextText)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, _):
            return ScenarioError(file: file, line: nil, keyPath: "",
                                 message: "duplicate keys: \(duplicates.joined(separator: ", "))")
        default:
            return ScenarioError(file: file, line: nil, keyPath: "", message: "YAML error: \(error)")
        }
    }
}
