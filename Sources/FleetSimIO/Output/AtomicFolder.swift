import Foundation

/// A result folder that appears whole or not at all: files are written into a hidden staging folder beside the
/// destination (`.NAME.partial-PID`) and the folder is renamed into place by `commit`. A previous folder at the
/// destination is replaced only once the new one is complete.
public struct AtomicFolder {
    public let destination: URL
    let staging: URL

    public init(destination path: String) throws {
        destination = URL(fileURLWithPath: path).standardizedFileURL
        let parent = destination.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        staging = parent.appendingPathComponent(".\(destination.lastPathComponent).partial-\(getpid())")
        try? FileManager.default.removeItem(at: staging)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
    }

    /// Where a file of the folder is written before the commit.
    public func stagedURL(_ name: String) -> URL { staging.appendingPathComponent(name) }

    public func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: stagedURL(name))
    }

    public func commit() throws {
        let fileManager = FileManager.default
        var previous: URL?
        if fileManager.fileExists(atPath: destination.path) {
            let aside = destination.deletingLastPathComponent()
                .appendingPathComponent(".\(destination.lastPathComponent).old-\(getpid())")
            try? fileManager.removeItem(at: aside)
            try fileManager.moveItem(at: destination, to: aside)
            previous = aside
        }
        try fileManager.moveItem(at: staging, to: destination)
        if let previous { try? fileManager.removeItem(at: previous) }
    }

    public func abandon() {
        try? FileManager.default.removeItem(at: staging)
    }

    /// Writes one file so that it exists whole or not at all (a temporary name, then a rename).
    public static func writeFile(_ text: String, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
        try Data(text.utf8).write(to: temporary)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        try FileManager.default.moveItem(at: temporary, to: url)
    }
}
