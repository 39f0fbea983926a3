import Foundation

/// Paths written in a scenario are relative to the scenario file's folder, so a scenario and its data move together.
enum FilePaths {
    /// `path` made absolute against `directory` (unless it already is), without `.` and `..` components. The
    /// resolved scenario records these absolute paths, so it runs from any working directory.
    static func resolve(_ path: String, from directory: String) -> String {
        let base = URL(fileURLWithPath: directory, isDirectory: true, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
        return URL(fileURLWithPath: path, relativeTo: base).standardizedFileURL.path
    }

    /// The folder of a scenario file, the base for its relative paths.
    static func directory(of file: String) -> String {
        URL(fileURLWithPath: file).deletingLastPathComponent().path
    }
}
