import FleetSim
import Foundation

/// The two files of `fleetsim hpa replay`: the HorizontalPodAutoscaler manifest and the recorded load.
public enum HPAReplayInput {
    /// The HPA in the manifest at `path` (one of several picked by `target`, its `scaleTargetRef.name`).
    public static func spec(manifest path: String, target: String?) throws -> HPASpec {
        switch try HPAManifest.read(path: path, from: nil, deployment: target ?? "") {
        case .hpa(let spec):
            if let (first, second) = HPAReplay.conflictingMetrics(spec.metrics.map(\.metric)) {
                throw ScenarioError(file: path, line: nil, keyPath: "spec.metrics", message:
                    "\(first.rawValue) and \(second.rawValue) are measured from the same quantity; a replay gives each "
                    + "metric its own total, so it takes only one of them")
            }
            return spec
        default:
            throw ScenarioError(file: path, line: nil, keyPath: "", message:
                "hpa replay reads a HorizontalPodAutoscaler; a KEDA ScaledObject runs in a scenario (autoscaler.manifest)")
        }
    }

    /// The load file: a header `time_s,total` (the total feeds every metric of the HPA) or `time_s` and one column
    /// per metric, named as FleetSim names it (`utilization`, `totalQueueLength`, …); then rows with increasing times
    /// from 0 and totals of at least 0.
    public static func load(path: String, metrics: [ScalingMetric]) throws -> [HPAReplay.LoadPoint] {
        let file = try SmallCSVFile(path: path, keyPath: "")
        guard let header = file.lines.first else { throw file.error(nil, "is empty; expected a header time_s,total") }
        let names = metrics.map(\.rawValue)
        guard header.fields.first == "time_s", header.fields.count >= 2 else {
            throw file.error(header.number, "expected the header time_s,total (or time_s,\(names.joined(separator: ","))), "
                + "found \(header.fields.joined(separator: ","))")
        }
        let columns = Array(header.fields.dropFirst())
        var columnOf: [ScalingMetric: Int] = [:]
        if columns == ["total"] {
            for metric in metrics { columnOf[metric] = 1 }
        } else {
            for (offset, name) in columns.enumerated() {
                guard let metric = metrics.first(where: { $0.rawValue == name }) else {
                    throw file.error(header.number, "column \"\(name)\": the HPA's metrics are \(names.joined(separator: ", ")); "
                        + "name one column total, or one column after each")
                }
                columnOf[metric] = offset + 1
            }
            if let absent = metrics.first(where: { columnOf[$0] == nil }) {
                throw file.error(header.number, "no column for the HPA's metric \(absent.rawValue)")
            }
        }
        var points: [HPAReplay.LoadPoint] = []
        for line in file.lines.dropFirst() {
            guard line.fields.count == header.fields.count else {
                throw file.error(line.number, "expected \(header.fields.count) fields, found \(line.fields.count)")
            }
            guard let time = Double(line.fields[0]), time.isFinite else {
                throw file.error(line.number, "time_s: expected seconds, found \"\(line.fields[0])\"")
            }
            if points.isEmpty, time != 0 {
                throw file.error(line.number, "time_s: the load must start at 0, found \(line.fields[0])")
            }
            if let previous = points.last, time <= previous.time {
                throw file.error(line.number, "time_s: expected a time after \(Quantities.shortest(previous.time)), found \(line.fields[0])")
            }
            var totals: [ScalingMetric: Double] = [:]
            for (metric, column) in columnOf {
                guard let value = Double(line.fields[column]), value.isFinite, (0...1e12).contains(value) else {
                    throw file.error(line.number, "\(header.fields[column]): expected a total from 0 to 1e12, found \"\(line.fields[column])\"")
                }
                totals[metric] = value
            }
            points.append(HPAReplay.LoadPoint(time: time, totals: totals))
        }
        guard !points.isEmpty else { throw file.error(nil, "has a header but no rows") }
        return points
    }

    /// `--sync`: a duration as scenarios write it (`15s`, `1m`) above 0.
    public static func seconds(_ text: String) -> Double? {
        Quantities.duration(text).flatMap { $0 > 0 ? $0 : nil }
    }

    /// The replay as CSV: `time_s,replicas_before,recommendation,replicas_after` (an empty recommendation where the
    /// controller computed none).
    /// `explain` adds a column `basis`: the decision in words, as `events.csv` gives it.
    public static func csv(_ rows: [HPAReplay.Row], explain: Bool = false) -> String {
        var text = "time_s,replicas_before,recommendation,replicas_after" + (explain ? ",basis\n" : "\n")
        for row in rows {
            text += "\(Quantities.shortest(row.time)),\(row.replicasBefore),\(row.recommendation.map(String.init) ?? ""),\(row.replicasAfter)"
            text += explain ? ",\(CSVFormat.text(row.basis))\n" : "\n"
        }
        return text
    }
}
