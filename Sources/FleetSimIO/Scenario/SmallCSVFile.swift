import FleetSim
import Foundation

/// A small comma-separated file a scenario names (token lengths, a capacity trace), read whole: its non-blank lines
/// split into trimmed fields, each with its 1-based line number for error messages. Problems are scenario errors
/// naming the file, the line and the scenario key that named the file.
struct SmallCSVFile {
    struct Line {
        var number: Int
        var fields: [String]
    }

    let path: String
    let keyPath: String
    let lines: [Line]

    /// Larger files are refused: read whole, a file takes about 30 times its size in memory. The data files these
    /// readers are for are under 1 MB (../shared/data); recorded request traces are streamed by `TraceReader`.
    static let maxBytes = 32 << 20

    init(path: String, keyPath: String) throws {
        self.path = path
        self.keyPath = keyPath
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= Self.maxBytes else {
            throw ScenarioError(file: path, line: nil, keyPath: keyPath,
                                message: "is \(MemoryEstimate.describe(size)); a token-length or capacity file may be at most "
                                    + "\(MemoryEstimate.describe(Self.maxBytes)) (it is read whole)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError(file: path, line: nil, keyPath: keyPath,
                                message: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated()
            .compactMap { offset, raw in
                let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !text.isEmpty else { return nil }
                let fields = text.split(separator: ",", omittingEmptySubsequences: false)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                return Line(number: offset + 1, fields: fields)
            }
    }

    func error(_ line: Int?, _ message: String) -> ScenarioError {
        ScenarioError(file: path, line: line, keyPath: keyPath, message: message)
    }
}
