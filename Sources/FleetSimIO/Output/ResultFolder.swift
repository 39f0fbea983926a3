import Foundation

/// The one rule for result folders: FleetSim replaces only what it wrote.
///
/// A destination may be written (and a previous result there replaced) when it does not exist, when it is an empty
/// folder, or when it is a FleetSim result folder — it holds `fleetsim-result.json`, which names the command that
/// wrote it — containing nothing but that command's files. Anything else is refused and left exactly as it is: the
/// empty path, the current folder or one of its parents, a regular file, a symbolic link, a fifo or other special
/// file, a folder with a file FleetSim did not write. No flag overrides this.
public enum ResultFolder {
    /// The marker every result folder holds: `{"fleetsim": version, "command": kind}`.
    public static let markerName = "fleetsim-result.json"

    /// What wrote a folder, and so which files it may hold.
    public enum Kind: String, Sendable, CaseIterable {
        case run, compare, sweep, size

        /// The files (and the one sub-folder, `points/` of a sweep) the command writes.
        var ownNames: Set<String> {
            let names: [String]
            switch self {
            case .run:
                names = ["summary.json", "timeline.csv", "events.csv", "scenario.resolved.yaml", "report.html",
                         "replications.csv"]
            case .compare:
                names = ["runs.csv", "compare.csv", "compare.md", "report.html"]
            case .sweep:
                names = ["sweep.txt", "runs.csv", "points.csv", "pareto.csv", "pareto_slo.csv", "report.html", "points"]
            case .size:
                names = ["size.json", "size.md", "alternatives.csv", "recommended.yaml", "runs.csv", "report.html", "points"]
            }
            return Set(names + [ResultFolder.markerName])
        }

        /// Whether a new result replaces the folder (run, compare, size), rather than being added to it (a sweep
        /// resumes and merges into its folder).
        var replacesFolder: Bool { self != .sweep }
    }

    /// The marker's text for a folder `kind` writes.
    public static func marker(_ kind: Kind) -> String {
        JSONValue.object([("fleetsim", .string(FleetSimVersion.current)), ("command", .string(kind.rawValue))]).text()
    }

    /// Which command wrote `folder`, from its marker; nil when it has none or cannot be read.
    public static func kind(of folder: URL) -> Kind? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(markerName)),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let command = object["command"] as? String
        else { return nil }
        return Kind(rawValue: command)
    }

    /// Checks that `path` (as the user gave it, for messages; `option` names where it came from, e.g. `--out`) may
    /// receive a result of `kind`, and returns it as a standardised URL. Throws, touching nothing, when it may not.
    /// A relative path is taken from `currentDirectory`.
    @discardableResult
    public static func checkDestination(
        _ path: String, kind: Kind, option: String = "--out",
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) throws -> URL {
        func refuse(_ why: String) -> ScenarioError {
            ScenarioError(file: option, line: nil, keyPath: "",
                          message: "'\(path)' \(why); FleetSim replaces only folders it wrote. Nothing was changed; "
                            + "give a new folder (it is created) or a result folder of an earlier `fleetsim \(kind.rawValue)`")
        }
        guard !path.trimmingCharacters(in: .whitespaces).isEmpty else { throw refuse("is empty") }
        let here = URL(fileURLWithPath: currentDirectory, isDirectory: true)
        let url = URL(fileURLWithPath: path, relativeTo: here).absoluteURL.standardizedFileURL
        var status = stat()
        guard lstat(url.path, &status) == 0 else {
            // Nothing there yet; it is created. A dangling symlink or an unreadable path lands here only when
            // lstat fails for a reason other than absence.
            if errno == ENOENT || errno == ENOTDIR { return url }
            throw refuse("cannot be examined (\(String(cString: strerror(errno))))")
        }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: break
        case S_IFLNK: throw refuse("is a symbolic link")
        case S_IFREG: throw refuse("is a file, not a folder")
        default: throw refuse("is a special file (a fifo, socket or device), not a folder")
        }
        let real = url.resolvingSymlinksInPath().path
        let current = here.resolvingSymlinksInPath().path
        if kind.replacesFolder, current == real || current.hasPrefix(real.hasSuffix("/") ? real : real + "/") {
            throw refuse("is the current folder or one of its parents")
        }
        if let foreign = try foreignEntries(of: url, allowing: kind) {
            let shown = foreign.prefix(3).map { "'\($0)'" }.joined(separator: ", ")
            let more = foreign.count > 3 ? " and \(foreign.count - 3) more" : ""
            throw refuse(foreign.isEmpty
                ? "is a result folder of another FleetSim command"
                : "holds \(shown)\(more), which FleetSim did not write")
        }
        return url
    }

    /// Nil when `folder` is empty or holds only what a FleetSim `kind` wrote; otherwise what does not belong (empty
    /// when everything belongs to a different kind of result).
    static func foreignEntries(of folder: URL, allowing kind: Kind) throws -> [String]? {
        let entries = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        if entries.isEmpty { return nil }
        guard let written = self.kind(of: folder) else { return entries }
        guard written == kind else { return [] }
        var foreign = entries.filter { !isOwn($0, among: kind.ownNames) }
        if entries.contains("points") {
            let points = folder.appendingPathComponent("points")
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: points.path, isDirectory: &isFolder), isFolder.boolValue,
               !isSymbolicLink(points) {
                let inside = try FileManager.default.contentsOfDirectory(atPath: points.path)
                foreign += inside.filter { !isPointFile($0) }.sorted().map { "points/\($0)" }
            } else {
                foreign.append("points")
            }
        }
        return foreign.isEmpty ? nil : foreign
    }

    /// One of `names`, or the temporary file `AtomicFolder.writeFile` leaves when killed mid-write.
    static func isOwn(_ name: String, among names: Set<String>) -> Bool {
        names.contains(name) || partialOf(name).map(names.contains) == true
    }

    /// `p000042.csv`, or a partial write of one.
    static func isPointFile(_ name: String) -> Bool {
        let base = partialOf(name) ?? name
        return base.count == 11 && base.hasPrefix("p") && base.hasSuffix(".csv") && base.dropFirst().prefix(6).allSatisfy(\.isNumber)
    }

    /// For `.NAME.partial-PID`, NAME.
    static func partialOf(_ name: String) -> String? {
        guard name.hasPrefix("."), let range = name.range(of: ".partial-", options: .backwards),
              !name[range.upperBound...].isEmpty, name[range.upperBound...].allSatisfy(\.isNumber)
        else { return nil }
        return String(name[name.index(after: name.startIndex)..<range.lowerBound])
    }

    static func isSymbolicLink(_ url: URL) -> Bool {
        var status = stat()
        return lstat(url.path, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK
    }
}

/// FleetSim's version, written into every result folder's marker and printed by `fleetsim --version`.
public enum FleetSimVersion {
    public static let current = "0.2.0"
}
