import FleetSim
import Foundation

/// Writes `report.html` into a result folder of any kind, from the folder's files.
public enum Reports {
    @discardableResult
    public static func write(folder path: String) throws -> URL {
        let folder = URL(fileURLWithPath: path).standardizedFileURL
        let exists = { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
        let html: String
        if exists("timeline.csv") && exists("summary.json") {
            html = try RunReport.html(folder: folder)
        } else if exists("compare.csv") {
            html = try ExperimentReport.compare(folder: folder)
        } else if exists("points.csv") {
            html = try ExperimentReport.sweep(folder: folder)
        } else {
            throw ScenarioError(file: folder.path, line: nil, keyPath: "",
                                message: "not a result folder: expected timeline.csv and summary.json (a run), compare.csv (a comparison) or points.csv (a sweep)")
        }
        let target = folder.appendingPathComponent("report.html")
        try AtomicFolder.writeFile(html, to: target)
        return target
    }
}
