import FleetSim
import Foundation

/// Writes a run's result folder: `timeline.csv` and `events.csv` stream in while the simulation runs, then
/// `summary.json` and `scenario.resolved.yaml` are added and the folder appears at its destination in one rename.
///
/// Everything is written into a hidden staging folder beside the destination (`.NAME.partial-PID`); an interrupted
/// run leaves only that, never a destination folder that looks complete. A previous result at the destination is
/// replaced only once the new one is whole.
public final class ResultWriter: SimulationObserver {
    public static let timelineHeader = [
        "window_start_s", "window_end_s", "deployment", "arrivals", "completed", "rejected", "timed_out",
        "e2e_mean_s", "e2e_p50_s", "e2e_p90_s", "e2e_p99_s", "ttft_p50_s", "ttft_p99_s", "tpot_p50_s", "tpot_p99_s", "queue_wait_mean_s",
        "queue_wait_p99_s", "queue_depth_mean", "in_system_mean", "replicas_ready", "replicas_starting",
        "replicas_draining", "instances_reserved", "instances_on_demand", "instances_spot",
        "utilization", "slo_attainment", "cost_reserved", "cost_on_demand", "cost_spot", "cost_api", "cost_total",
        "cost_cumulative", "failed", "forwarded", "cache_lookups", "cache_hits", "cache_hit_rate", "throttled",
        "quality_mean",
    ].joined(separator: ",")

    public static let eventsHeader = "time_s,deployment,kind,pool,replicas_before,replicas_after,detail"

    public var destination: URL { folder.destination }
    private let folder: AtomicFolder
    private var timeline: BufferedFile
    private var events: BufferedFile

    public init(destination path: String) throws {
        folder = try AtomicFolder(destination: path, kind: .run)
        timeline = try BufferedFile(folder.stagedURL("timeline.csv"))
        events = try BufferedFile(folder.stagedURL("events.csv"))
        timeline.write(Self.timelineHeader + "\n")
        events.write(Self.eventsHeader + "\n")
    }

    public func windowClosed(_ rows: [TimelineRow]) {
        for row in rows {
            timeline.write(Self.line(row))
        }
    }

    public func fleetEvent(_ event: FleetEvent) {
        let cells = [
            CSVFormat.cell(event.timeSeconds), CSVFormat.text(event.deployment), event.kind.rawValue,
            event.pool?.rawValue ?? "", String(event.replicasBefore), String(event.replicasAfter),
            CSVFormat.text(event.detail),
        ]
        events.write(cells.joined(separator: ",") + "\n")
    }

    /// Adds the remaining files (and any `extraFiles`, name and text) and moves the folder into place.
    public func finish(summary: JSONValue, resolvedScenario: String, extraFiles: [(String, String)] = []) throws {
        try timeline.close()
        try events.close()
        try folder.write("summary.json", summary.text())
        try folder.write("scenario.resolved.yaml", resolvedScenario)
        for (name, text) in extraFiles { try folder.write(name, text) }
        try folder.write("report.html", try RunReport.html(folder: folder.staging))
        try folder.commit()
    }

    /// Removes the staging folder after a failure.
    public func abandon() {
        try? timeline.close()
        try? events.close()
        folder.abandon()
    }

    static func line(_ r: TimelineRow) -> String {
        let cells: [String] = [
            CSVFormat.cell(r.windowStartSeconds), CSVFormat.cell(r.windowEndSeconds), CSVFormat.text(r.deployment),
            String(r.arrivals), String(r.completed), String(r.rejected), String(r.timedOut),
            CSVFormat.cell(r.e2e.mean), CSVFormat.cell(r.e2e.p50), CSVFormat.cell(r.e2e.p90), CSVFormat.cell(r.e2e.p99),
            CSVFormat.cell(r.ttft.p50), CSVFormat.cell(r.ttft.p99), CSVFormat.cell(r.tpot.p50), CSVFormat.cell(r.tpot.p99),
            CSVFormat.cell(r.queueWait.mean), CSVFormat.cell(r.queueWait.p99),
            CSVFormat.cell(r.queueDepthMean, decimals: 4), CSVFormat.cell(r.inSystemMean, decimals: 4),
            CSVFormat.cell(r.replicasReady, decimals: 4), CSVFormat.cell(r.replicasStarting, decimals: 4),
            CSVFormat.cell(r.replicasDraining, decimals: 4), CSVFormat.cell(r.instances.reserved, decimals: 4),
            CSVFormat.cell(r.instances.onDemand, decimals: 4), CSVFormat.cell(r.instances.spot, decimals: 4),
            CSVFormat.cell(r.utilization, decimals: 4), CSVFormat.cell(r.sloAttainment, decimals: 6),
            CSVFormat.cell(r.cost.reserved), CSVFormat.cell(r.cost.onDemand), CSVFormat.cell(r.cost.spot),
            CSVFormat.cell(r.cost.api), CSVFormat.cell(r.cost.total), CSVFormat.cell(r.costCumulative),
            String(r.failed), String(r.forwarded), String(r.cacheLookups), String(r.cacheHits),
            CSVFormat.cell(r.cacheHitRate, decimals: 6), String(r.throttled), CSVFormat.cell(r.qualityMean, decimals: 6),
        ]
        return cells.joined(separator: ",") + "\n"
    }
}

/// An output file written through a 64 KiB buffer.
struct BufferedFile {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var closed = false
    /// The first write error, reported by `close` (a full disk must not pass silently).
    private var failure: (any Error)?

    init(_ url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        handle = try FileHandle(forWritingTo: url)
        buffer.reserveCapacity(1 << 16)
    }

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    private mutating func flush() {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            failure = failure ?? error
        }
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func close() throws {
        guard !closed else { return }
        flush()
        try handle.close()
        closed = true
        if let failure { throw failure }
    }
}
