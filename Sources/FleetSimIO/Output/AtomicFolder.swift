import Foundation

/// A result folder that appears whole or not at all: files are written into a hidden staging folder beside the
/// destination (`.NAME.partial-PID`) and the folder is renamed into place by `commit`. A previous result at the
/// destination is replaced only once the new one is complete, and only if FleetSim wrote it (`ResultFolder`).
///
/// Staging folders left by processes that died (killed, or the machine stopped) are removed by the next run to the
/// same destination; an interrupted process removes its own (`Interruptions`).
public struct AtomicFolder {
    public let destination: URL
    let staging: URL
    let kind: ResultFolder.Kind
    let option: String

    public init(destination path: String, kind: ResultFolder.Kind, option: String = "--out") throws {
        destination = try ResultFolder.checkDestination(path, kind: kind, option: option)
        self.kind = kind
        self.option = option
        let parent = destination.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        Self.removeStaleStaging(beside: destination, kind: kind)
        staging = parent.appendingPathComponent(".\(destination.lastPathComponent).partial-\(getpid())")
        try? FileManager.default.removeItem(at: staging)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
        Interruptions.shared.register(staging)
        try write(ResultFolder.markerName, ResultFolder.marker(kind))
    }

    /// Where a file of the folder is written before the commit.
    public func stagedURL(_ name: String) -> URL { staging.appendingPathComponent(name) }

    public func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: stagedURL(name))
    }

    /// Moves the staged folder into place. The destination is checked again: something may have been put there
    /// while the run was going.
    public func commit() throws {
        let fileManager = FileManager.default
        try ResultFolder.checkDestination(destination.path, kind: kind, option: option)
        var previous: URL?
        if fileManager.fileExists(atPath: destination.path) {
            let aside = destination.deletingLastPathComponent()
                .appendingPathComponent(".\(destination.lastPathComponent).old-\(getpid())")
            try? fileManager.removeItem(at: aside)
            try fileManager.moveItem(at: destination, to: aside)
            previous = aside
        }
        try fileManager.moveItem(at: staging, to: destination)
        Interruptions.shared.unregister(staging)
        if let previous { try? fileManager.removeItem(at: previous) }
    }

    public func abandon() {
        try? FileManager.default.removeItem(at: staging)
        Interruptions.shared.unregister(staging)
    }

    /// Removes `.NAME.partial-PID` and `.NAME.old-PID` folders beside `destination` whose process is gone and which
    /// hold only FleetSim's files; anything else with such a name is left alone.
    static func removeStaleStaging(beside destination: URL, kind: ResultFolder.Kind) {
        let parent = destination.deletingLastPathComponent()
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent.path) else { return }
        let prefix = ".\(destination.lastPathComponent)."
        for entry in entries where entry.hasPrefix(prefix) {
            let tail = entry.dropFirst(prefix.count)
            guard let dash = tail.lastIndex(of: "-"), ["partial", "old"].contains(tail[..<dash]),
                  let pid = pid_t(tail[tail.index(after: dash)...]), pid != getpid(), !isAlive(pid)
            else { continue }
            let url = parent.appendingPathComponent(entry)
            guard !ResultFolder.isSymbolicLink(url),
                  (try? ResultFolder.foreignEntries(of: url, allowing: kind)) == .some(nil)
            else { continue }
            try? FileManager.default.removeItem(at: url)
        }
    }

    private static func isAlive(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    /// Writes one file so that it exists whole or not at all (a temporary name, then a rename).
    public static func writeFile(_ text: String, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
        try Data(text.utf8).write(to: temporary)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        try FileManager.default.moveItem(at: temporary, to: url)
    }
}

/// Staging folders of the running process, removed when it is interrupted (SIGINT, SIGTERM) so that an interrupted
/// run leaves nothing behind. SIGKILL cannot be caught; the next run to the same destination cleans up after it.
public final class Interruptions: @unchecked Sendable {
    public static let shared = Interruptions()

    private let lock = NSLock()
    private var folders: Set<URL> = []
    private var sources: [any DispatchSourceSignal] = []

    func register(_ folder: URL) {
        lock.lock()
        folders.insert(folder)
        lock.unlock()
    }

    func unregister(_ folder: URL) {
        lock.lock()
        folders.remove(folder)
        lock.unlock()
    }

    /// Installs the handlers; on a signal, staging folders are removed and the process exits with 128 + signal.
    public func install() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [self] in
                lock.lock()
                for folder in folders { try? FileManager.default.removeItem(at: folder) }
                lock.unlock()
                FileHandle.standardError.write(Data("\ninterrupted; unfinished results removed\n".utf8))
                exit(128 + signalNumber)
            }
            source.resume()
            sources.append(source)
        }
    }
}
