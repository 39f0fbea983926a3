import FleetSim
import Foundation

/// Reads a spot capacity trace: lines `time_ms,add|remove,node` (SpotServe's format), an optional header, times in
/// milliseconds and never decreasing. A node must be added before it is removed.
enum CapacityTraceReader {
    static func read(path: String, keyPath: String) throws -> CapacityTrace {
        let file = try SmallCSVFile(path: path, keyPath: keyPath)
        var changes: [CapacityTrace.Change] = []
        var present = Set<String>()
        var previous = 0.0
        for line in file.lines {
            let fields = line.fields
            if changes.isEmpty && fields[0].hasPrefix("time") { continue }
            func fail(_ message: String) -> ScenarioError { file.error(line.number, message) }
            guard fields.count == 3 else { throw fail("expected 3 fields (time_ms,add|remove,node), found \(fields.count)") }
            guard let milliseconds = Double(fields[0]), milliseconds.isFinite, milliseconds >= 0 else {
                throw fail("time_ms: expected a non-negative number of milliseconds, found \"\(fields[0])\"")
            }
            let time = milliseconds / 1000
            guard time >= previous else { throw fail("time goes backwards; capacity traces must be sorted by time") }
            previous = time
            let node = fields[2]
            guard !node.isEmpty else { throw fail("node: expected a node name, found nothing") }
            switch fields[1] {
            case "add":
                guard present.insert(node).inserted else { throw fail("node \(node) is added twice without a removal") }
                changes.append(.init(timeSeconds: time, isAdd: true, node: node))
            case "remove":
                guard present.remove(node) != nil else { throw fail("node \(node) is removed but was never added") }
                changes.append(.init(timeSeconds: time, isAdd: false, node: node))
            default:
                throw fail("expected add or remove, found \"\(fields[1])\"")
            }
        }
        guard !changes.isEmpty else { throw file.error(nil, "the file holds no capacity changes") }
        return CapacityTrace(path: path, changes: changes)
    }
}
