import FleetSim
import Foundation
import Yams

/// Reads scenario files: YAML text → overrides applied → validated `Scenario`.
public enum ScenarioLoader {
    /// Loads and validates the scenario at `path`, applying `overrides` in order and then `seed` if given.
    public static func load(path: String, overrides: [Override] = [], seed: UInt64? = nil) throws -> Scenario {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ScenarioError(file: path, line: nil, keyPath: "", message: "no such file")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(file: path, line: nil, keyPath: "", message: "cannot be read as UTF-8 text")
        }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try decode(yaml: text, file: path, defaultName: name, overrides: overrides, seed: seed)
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
