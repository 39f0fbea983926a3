import FleetSim
import Foundation

/// Reads a spot capacity trace: lines `time_ms,add|remove,node` (SpotServe's format), an optional header, times in
/// milliseconds and never decreasing. A node must be added before it is removed.
enum CapacityTraceReader {
    static func read(path: String, keyPath: String) throws -> CapacityTrace {
        func fail(_ line: Int?, _ message: String) -> ScenarioError {
            ScenarioError(file: path, line: line, keyPath: keyPath, message: message)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw fail(nil, FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        var changes: [CapacityTrace.Change] = []
        var present = Set<String>()
        var previous = 0.0
        for (offset, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            let number = offset + 1
            if line.isEmpty || (changes.isEmpty && line.hasPrefix("time")) { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 3 else { throw fail(number, "expected 3 fields (time_ms,add|remove,node), found \(fields.count)") }
            guard let milliseconds = Double(fields[0]), milliseconds.isFinite, milliseconds >= 0 else {
                throw fail(number, "time_ms: expected a non-negative number of milliseconds, found \"\(fields[0])\"")
            }
            let time = milliseconds / 1000
            guard time >= previous else { throw fail(number, "time goes backwards; capacity traces must be sorted by time") }
            previous = time
            let node = fields[2]
            guard !node.isEmpty else { throw fail(number, "node: expected a node name, found nothing") }
            switch fields[1] {
            case "add":
                guard present.insert(node).inserted else { throw fail(number, "node \(node) is added twice without a removal") }
                changes.append(.init(timeSeconds: time, isAdd: true, node: node))
            case "remove":
                guard present.remove(node) != nil else { throw fail(number, "node \(node) is removed but was never added") }
                changes.append(.init(timeSeconds: time, isAdd: false, node: node))
            default:
                throw fail(number, "expected add or remove, found \"\(fields[1])\"")
            }
        }
        guard !changes.isEmpty else { throw fail(nil, "the file holds no capacity changes") }
        return CapacityTrace(path: path, changes: changes)
    }
}
