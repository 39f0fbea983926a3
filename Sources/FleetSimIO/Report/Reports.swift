import FleetSim
import Foundation

/// Writes `report.html` into a result folder of any kind, from the folder's files.
public enum Reports {
    @discardableResult
    public static func write(folder path: String) throws -> URL {
        let folder = URL(fileURLWithPath: path).standardizedFileURL
        let html: String
        switch ResultFolder.kind(of: folder) {
        case .run?:
            html = try RunReport.html(folder: folder)
        case .compare?:
            html = try ExperimentReport.compare(folder: folder)
        case .sweep? where FileManager.default.fileExists(atPath: folder.appendingPathComponent("points.csv").path):
            html = try ExperimentReport.sweep(folder: folder)
        case .sweep?:
            throw ScenarioError(file: folder.path, line: nil, keyPath: "",
                                message: "the sweep has not been aggregated yet (no points.csv); run `fleetsim merge` on its shard folders")
        case .size?:
            html = try SizeReport.html(folder: folder)
        case nil:
            throw ScenarioError(file: folder.path, line: nil, keyPath: "",
                                message: "not a result folder of fleetsim run, compare, sweep or size (no \(ResultFolder.markerName) naming one)")
        }
        let target = folder.appendingPathComponent("report.html")
        try AtomicFolder.writeFile(html, to: target)
        return target
    }
}
