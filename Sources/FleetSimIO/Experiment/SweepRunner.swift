import FleetSim
import FleetSimKernel
import Foundation

/// Runs a sweep into a folder, point by point, and aggregates it.
///
/// Each point's replications go to `points/pNNNNNN.csv`, written whole or not at all, so an interrupted sweep
/// resumes where it stopped and shards of one sweep can share a folder (or be merged from several). `sweep.txt`
/// records which sweep the folder belongs to. The aggregate files (`runs.csv`, `points.csv`, `pareto.csv`) are made
/// from the point files alone, so every way of running the sweep gives the same bytes.
public enum SweepRunner {
    /// A slice of the points: shard `index` (1-based) of `count` takes points index − 1, index − 1 + count, …
    public struct Shard: Sendable, Equatable {
        public var index: Int
        public var count: Int

        public static let whole = Shard(index: 1, count: 1)

        /// `K/N`, or `auto/N` with K from `JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job, 0-based) or
        /// `SLURM_ARRAY_TASK_ID` (a Slurm job array submitted with `--array=1-N`).
        public init(parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let count = Int(parts[1]), count >= 1 else {
                throw ScenarioError(file: "--shard", line: nil, keyPath: "", message: "expected K/N (e.g. 3/16) or auto/N, found \"\(text)\"")
            }
            var index: Int?
            if parts[0] == "auto" {
                if let kubernetes = environment["JOB_COMPLETION_INDEX"].flatMap({ Int($0) }) {
                    index = kubernetes + 1
                } else if let slurm = environment["SLURM_ARRAY_TASK_ID"].flatMap({ Int($0) }) {
                    index = slurm
                } else {
                    throw ScenarioError(file: "--shard", line: nil, keyPath: "",
                                        message: "auto needs JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID (Slurm) in the environment")
                }
            } else {
                index = Int(parts[0])
            }
            guard let index, (1...count).contains(index) else {
                throw ScenarioError(file: "--shard", line: nil, keyPath: "",
                                    message: "shard \(parts[0]) of \(count): the shard number must be 1…\(count)")
            }
            self.init(index: index, count: count)
        }

        public init(index: Int, count: Int) {
            self.index = index
            self.count = count
        }

        func includes(_ point: Int) -> Bool { point % count == index - 1 }
    }

    public struct Outcome: Sendable {
        public var computed: Int
        public var skipped: Int
        public var total: Int
        /// Whether the aggregate files were written (every point present).
        public var aggregated: Bool
        public var directory: URL
    }

    public static func run(
        _ sweep: SweepSpec, into directory: String, shard: Shard = .whole, jobs: Int,
        resources: ResourceLimits = ResourceLimits(), progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) async throws -> Outcome {
        let folder = try ResultFolder.checkDestination(directory, kind: .sweep)
        let pointsFolder = folder.appendingPathComponent("points")
        let points = sweep.points()
        let manifest = Manifest(sweep, points: points.count)
        try claim(folder, for: manifest, sweepFile: sweep.file)
        try FileManager.default.createDirectory(at: pointsFolder, withIntermediateDirectories: true)
        let mine = points.indices.filter { shard.includes($0) }
        let todo = mine.filter { (try? readPoint(pointsFolder, $0, replications: sweep.replications)) == nil }
        // Each point's scenario is decoded before anything runs, so a bad value stops the sweep at once.
        let scenarios = try todo.map { try sweep.scenario(at: points[$0]) }
        let replications = sweep.replications
        let concurrent = min(jobs, max(todo.count * replications, 1))
        let limits = try scenarios.map { try resources.simulationLimits(for: $0, file: sweep.file, concurrentRuns: concurrent) }
        let finished = Counter()
        _ = try await ParallelRuns.map(todo.count * replications, jobs: jobs) { index -> Int in
            let point = index / replications
            let values = try Experiment.headline(
                scenarios[point], replication: index % replications, limits: limits[point], resources: resources,
                label: "point \(todo[point]), replication \(index % replications)")
            try PointFiles.shared.add(values, point: todo[point], replication: index % replications, of: replications,
                                      parameters: points[todo[point]], folder: pointsFolder)
            progress?(finished.increment(), todo.count * replications)
            return 0
        }
        var aggregated = false
        if shard == .whole {
            try aggregate(manifest, from: [folder], into: folder)
            aggregated = true
        }
        return Outcome(computed: todo.count, skipped: mine.count - todo.count, total: points.count,
                       aggregated: aggregated, directory: folder)
    }

    /// Combines the point files of shard folders (one shared folder, or one per shard) into the aggregate files at
    /// `destination` (default: the first folder). Every folder must belong to the same sweep.
    public static func merge(_ folders: [String], into destination: String? = nil) throws -> URL {
        let urls = folders.map { URL(fileURLWithPath: $0).standardizedFileURL }
        let manifests = try urls.map { url -> Manifest in
            guard let text = try? String(contentsOf: url.appendingPathComponent("sweep.txt"), encoding: .utf8),
                  let manifest = Manifest(text: text)
            else { throw ScenarioError(file: url.path, line: nil, keyPath: "", message: "not a sweep folder (no readable sweep.txt)") }
            return manifest
        }
        for (url, manifest) in zip(urls, manifests) where manifest != manifests[0] {
            throw ScenarioError(file: url.path, line: nil, keyPath: "",
                                message: "belongs to sweep \(manifest.name) (\(manifest.identity)), not to \(manifests[0].name) (\(manifests[0].identity)) like \(urls[0].path); shards of different sweeps do not merge")
        }
        let target = try ResultFolder.checkDestination(destination ?? folders[0], kind: .sweep)
        try claim(target, for: manifests[0], sweepFile: "the merged sweep")
        try aggregate(manifests[0], from: urls, into: target)
        return target
    }

    // MARK: Files

    /// What a sweep folder says about its sweep (`sweep.txt`): enough to aggregate it without the sweep file.
    struct Manifest: Equatable {
        var name: String
        var identity: String
        var points: Int
        var replications: Int
        var keys: [String]
        var cost: String
        var latency: String

        init(_ sweep: SweepSpec, points: Int) {
            name = sweep.name
            identity = sweep.identity
            self.points = points
            replications = sweep.replications
            keys = sweep.keys
            cost = Headline.names[sweep.costMetric]
            latency = Headline.names[sweep.latencyMetric]
        }

        init?(text: String) {
            var fields: [String: String] = [:]
            var keys: [String] = []
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { return nil }
                if parts[0] == "key" { keys.append(parts[1]) } else { fields[parts[0]] = parts[1] }
            }
            guard let sweep = fields["sweep"]?.split(separator: " "), sweep.count == 2, let points = fields["points"].flatMap({ Int($0) }),
                  let replications = fields["replications"].flatMap({ Int($0) }),
                  let pareto = fields["pareto"]?.split(separator: " "), pareto.count == 2
            else { return nil }
            (name, identity) = (String(sweep[0]), String(sweep[1]))
            (self.points, self.replications, self.keys) = (points, replications, keys)
            (cost, latency) = (String(pareto[0]), String(pareto[1]))
        }

        var text: String {
            "sweep \(name) \(identity)\npoints \(points)\nreplications \(replications)\npareto \(cost) \(latency)\n"
                + keys.map { "key \($0)\n" }.joined()
        }
    }

    /// Marks `folder` as this sweep's (creating it), or refuses it if it holds another sweep's points. The folder
    /// has passed `ResultFolder.checkDestination`: it is new, empty, or a sweep folder.
    private static func claim(_ folder: URL, for manifest: Manifest, sweepFile: String) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let marker = folder.appendingPathComponent(ResultFolder.markerName)
        if !FileManager.default.fileExists(atPath: marker.path) {
            try AtomicFolder.writeFile(ResultFolder.marker(.sweep), to: marker)
        }
        let file = folder.appendingPathComponent("sweep.txt")
        let expected = manifest.text
        if let existing = try? String(contentsOf: file, encoding: .utf8) {
            guard existing == expected else {
                throw ScenarioError(file: folder.path, line: nil, keyPath: "",
                                    message: "holds results of another sweep (or of another version of \(sweepFile)); use another --out or remove it")
            }
            return
        }
        try AtomicFolder.writeFile(expected, to: file)
    }

    static func pointFile(_ folder: URL, _ point: Int) -> URL {
        folder.appendingPathComponent(String(format: "p%06d.csv", point))
    }

    /// A complete point file's lines, or nil when it is missing or incomplete.
    static func readPoint(_ folder: URL, _ point: Int, replications: Int) throws -> [String]? {
        guard let text = try? String(contentsOf: pointFile(folder, point), encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").map(String.init)
        return lines.count == replications ? lines : nil
    }

    private static func aggregate(_ manifest: Manifest, from folders: [URL], into destination: URL) throws {
        var lines: [[String]] = []
        var missing: [Int] = []
        for point in 0..<manifest.points {
            let found = folders.lazy.compactMap {
                try? readPoint($0.appendingPathComponent("points"), point, replications: manifest.replications)
            }.first
            if let found { lines.append(found) } else { missing.append(point) }
        }
        guard missing.isEmpty else {
            throw ScenarioError(file: destination.path, line: nil, keyPath: "",
                                message: "\(missing.count) of \(manifest.points) points have no results yet (first: point \(missing[0])); run the missing shards")
        }
        let keys = manifest.keys.map(CSVFormat.text).joined(separator: ",")
        var runs = "point,replication,\(keys)," + Headline.names.joined(separator: ",") + "\n"
        var table = "point,\(keys),replications,"
            + Headline.names.flatMap { ["\($0)_mean", "\($0)_ci_low", "\($0)_ci_high"] }.joined(separator: ",") + "\n"
        var means: [(point: Int, cost: Double, latency: Double)] = []
        var metSLO: Set<Int> = []
        let sloMet = Headline.names.firstIndex(of: "slo_met")!
        var parameters: [String] = []
        let cost = Headline.names.firstIndex(of: manifest.cost) ?? 0
        let latency = Headline.names.firstIndex(of: manifest.latency) ?? 0
        for (point, pointLines) in lines.enumerated() {
            runs += pointLines.map { $0 + "\n" }.joined()
            let fields = pointLines.map { CSVFormat.fields($0) }
            let rows = fields.map { $0.suffix(Headline.names.count).map { Double($0) ?? .nan } }
            // The point's parameter values, as its file wrote them (already CSV-quoted where needed).
            let values = fields[0].dropFirst(2).prefix(manifest.keys.count).map(CSVFormat.text).joined(separator: ",")
            parameters.append(values)
            let summaries = MetricSummary.columns(rows)
            let cells = summaries.flatMap { ExperimentFiles.estimateCells($0.estimate, withSD: false) }
            table += "\(point),\(values),\(rows.count)," + cells.joined(separator: ",") + "\n"
            means.append((point, summaries[cost].estimate.mean, summaries[latency].estimate.mean))
            // Every replication met the SLO (a point without one, or with a replication that missed, does not).
            if summaries[sloMet].estimate.count == rows.count, summaries[sloMet].estimate.mean == 1 { metSLO.insert(point) }
        }
        func frontierCSV(_ candidates: [(point: Int, cost: Double, latency: Double)]) -> String {
            var text = "point,\(keys),\(manifest.cost)_mean,\(manifest.latency)_mean\n"
            for entry in frontier(candidates) {
                text += "\(entry.point),\(parameters[entry.point]),\(CSVFormat.cell(entry.cost)),\(CSVFormat.cell(entry.latency))\n"
            }
            return text
        }
        let pareto = frontierCSV(means)
        let paretoSLO = frontierCSV(means.filter { metSLO.contains($0.point) })
        try AtomicFolder.writeFile(runs, to: destination.appendingPathComponent("runs.csv"))
        try AtomicFolder.writeFile(table, to: destination.appendingPathComponent("points.csv"))
        try AtomicFolder.writeFile(pareto, to: destination.appendingPathComponent("pareto.csv"))
        try AtomicFolder.writeFile(paretoSLO, to: destination.appendingPathComponent("pareto_slo.csv"))
        try AtomicFolder.writeFile(try ExperimentReport.sweep(folder: destination), to: destination.appendingPathComponent("report.html"))
    }

    /// The points no other point beats on both cost and latency (lower is better for both), by increasing cost.
    static func frontier(_ points: [(point: Int, cost: Double, latency: Double)]) -> [(point: Int, cost: Double, latency: Double)] {
        let finite = points.filter { $0.cost.isFinite && $0.latency.isFinite }
        let sorted = finite.sorted { ($0.cost, $0.latency, $0.point) < ($1.cost, $1.latency, $1.point) }
        var best = Double.infinity
        var frontier: [(point: Int, cost: Double, latency: Double)] = []
        for entry in sorted where entry.latency < best {
            frontier.append(entry)
            best = entry.latency
        }
        return frontier
    }
}

/// A count shared by the runs of a sweep.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}

/// Collects a point's replications as they finish (in any order) and writes the point's file once all are in.
final class PointFiles: @unchecked Sendable {
    static let shared = PointFiles()
    private let lock = NSLock()
    private var pending: [String: [Int: String]] = [:]

    func add(_ values: [Double], point: Int, replication: Int, of replications: Int, parameters: [String], folder: URL) throws {
        let line = ([String(point), String(replication)] + parameters.map(CSVFormat.text)).joined(separator: ",") + ","
            + ExperimentFiles.cells(values)
        let key = SweepRunner.pointFile(folder, point).path
        lock.lock()
        pending[key, default: [:]][replication] = line
        let complete = pending[key]!.count == replications ? pending.removeValue(forKey: key) : nil
        lock.unlock()
        guard let complete else { return }
        let text = (0..<replications).map { complete[$0]! + "\n" }.joined()
        try AtomicFolder.writeFile(text, to: SweepRunner.pointFile(folder, point))
    }
}
