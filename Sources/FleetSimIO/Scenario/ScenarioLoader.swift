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
        // Each file's manifests are read relative to that file, before the two are laid together.
        let (base, baseManifests) = try ManifestExpansion.expand(try compose(path: path), file: path)
        let (top, topManifests) = try ManifestExpansion.expand(try compose(path: overlay), file: overlay)
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        do {
            return try decode(
                document: ManifestExpansion.overlay(top, sources: topManifests, on: base), file: path, defaultName: name,
                overrides: overrides, seed: seed, manifests: baseManifests.merging(topManifests) { _, variant in variant })
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
            throw syntaxError(error, file: path, text: text)
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
            throw syntaxError(error, file: path, text: text)
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
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError(file: path, line: nil, keyPath: "", message: "cannot be read")
        }
        return try text(of: data, file: path)
    }

    /// The file's text; bytes that are not UTF-8 (or a NUL, which YAML forbids) are an error at their line.
    static func text(of data: Data, file: String) throws -> String {
        if let text = String(data: data, encoding: .utf8), !text.contains("\u{0}") { return text }
        let bytes = [UInt8](data)
        // The standard library's UTF-8 parser finds the first ill-formed sequence (overlong forms and surrogates
        // included); a NUL is well-formed UTF-8 but YAML forbids it.
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        var invalid = bytes.count
        parsing: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar) where !(scalar.count == 1 && scalar.first == 0): offset += scalar.count
            case .valid, .error: invalid = offset; break parsing
            case .emptyInput: break parsing
            }
        }
        let line = bytes[..<invalid].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
        let what = invalid < bytes.count && bytes[invalid] == 0 ? "a NUL byte" : "bytes that are not UTF-8 text"
        throw ScenarioError(file: file, line: line, keyPath: "", message:
            "\(what) at byte offset \(invalid) (0x\(String(format: "%02x", invalid < bytes.count ? bytes[invalid] : 0))); "
            + "scenario and manifest files are UTF-8")
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
            throw syntaxError(error, file: file, text: yaml)
        }
        return try decode(document: document, file: file, defaultName: defaultName, overrides: overrides, seed: seed)
    }

    /// `manifests`: policy trees already expanded from manifests (by key path), for error messages.
    static func decode(
        document original: Node, file: String, defaultName: String, overrides: [Override], seed: UInt64?,
        manifests expanded: [String: String] = [:]
    ) throws -> Scenario {
        var (document, manifests) = try ManifestExpansion.expand(original, file: file)
        manifests.merge(expanded) { own, _ in own }
        for override in overrides {
            document = try override.apply(to: document)
        }
        // A manifest named by `--set` replaces the policy the file had.
        let (overridden, named) = try ManifestExpansion.expand(document, file: file, replacing: true)
        document = overridden
        manifests.merge(named) { _, new in new }
        let root = ScenarioValue(node: document, file: file, overridden: Set(overrides.map(\.keyPath)))
        var scenario: Scenario
        do {
            scenario = try ScenarioDecoder(defaultName: defaultName, baseDirectory: FilePaths.directory(of: file)).decode(root)
        } catch var error as ScenarioError where error.file == "--set" {
            // A value a manifest set, not an override: blame the manifest.
            let overridden = overrides.contains { error.keyPath == $0.keyPath || error.keyPath.hasPrefix($0.keyPath + ".") }
            if !overridden, let (_, manifest) = manifests.first(where: { error.keyPath == $0.key || error.keyPath.hasPrefix($0.key + ".") || error.keyPath.hasPrefix($0.key + "[") }) {
                error.file = manifest
                error.message += " (a value the manifest sets)"
            }
            throw error
        }
        if let seed { scenario.seed = seed }
        return scenario
    }

    /// A YAML reader's error as one located line: `file:line: message`.
    static func syntaxError(_ error: YamlError, file: String, text: String) -> ScenarioError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let contextText = context.map { "\($0.text) " } ?? ""
            return ScenarioError(file: file, line: mark.line, keyPath: "", message: "YAML syntax error: \(contextText)\(problem)")
        case .reader(let problem, let offset, _, _):
            // libyaml's offsets count characters of the text it was given.
            let line = offset.map { text.prefix($0).reduce(1) { $0 + ($1 == "\n" ? 1 : 0) } }
            return ScenarioError(file: file, line: line, keyPath: "", message: "YAML syntax error: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let lines = duplicates.sorted().map { key in (key, keyLines(key, in: text, from: context.mark.line)) }
            let described = lines.map { key, found in
                "'\(key)'" + (found.count >= 2 ? " (lines \(found.map(String.init).joined(separator: " and ")))" : "")
            }
            return ScenarioError(file: file, line: lines.first?.1.last ?? context.mark.line, keyPath: "",
                                 message: "duplicate key\(duplicates.count == 1 ? "" : "s") \(described.joined(separator: ", ")) "
                                    + "in one mapping; each key may appear once")
        default:
            return ScenarioError(file: file, line: nil, keyPath: "", message: "YAML error: \(String(describing: error).split(separator: "\n").first ?? "")")
        }
    }

    /// The lines, from `start` on, where `key` is written as a mapping key at the indentation of its first
    /// occurrence (a block mapping), or on the first line it occurs twice in (a flow mapping).
    private static func keyLines(_ key: String, in text: String, from start: Int) -> [Int] {
        let escaped = NSRegularExpression.escapedPattern(for: key)
        guard let pattern = try? NSRegularExpression(pattern: "(^|[\\s{,])[\"']?\(escaped)[\"']?\\s*:(\\s|$)") else { return [] }
        var found: [(line: Int, indent: Int)] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where offset + 1 >= start {
            let string = String(line)
            let matches = pattern.numberOfMatches(in: string, range: NSRange(string.startIndex..., in: string))
            let indent = string.prefix { $0 == " " }.count
            if matches >= 2 { return [offset + 1, offset + 1] }
            if matches == 1, found.first.map({ $0.indent == indent }) ?? true { found.append((offset + 1, indent)) }
            if found.count == 2 { break }
        }
        return found.map(\.line)
    }
}
