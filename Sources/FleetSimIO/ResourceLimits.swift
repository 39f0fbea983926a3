import FleetSim
import Foundation

/// The memory a command may use, and what follows from it for each run: a scenario whose estimate does not fit is
/// refused before it starts, naming the key that drives it; one that fits runs with the rest of the budget as its
/// bound on requests in flight (`SimulationLimits`).
///
/// The default, 4 GiB, is well under the memory of the machines FleetSim is built on (24 GiB) and far above what
/// the examples use (under 100 MiB); `--memory-limit` changes it.
public struct ResourceLimits: Sendable, Equatable {
    public static let defaultMemoryBytes = 4 << 30

    /// Scenario, variant, sweep and manifest files are read whole and parsed into a tree that takes about 400 times
    /// the file's size; larger data (token lengths, traces) belongs in the CSV and trace files a scenario names.
    public static let maxDocumentBytes = 1 << 20

    public var memoryBytes: Int

    public init(memoryBytes: Int = defaultMemoryBytes) {
        self.memoryBytes = memoryBytes
    }

    /// `--memory-limit` text: `8GiB`, `512MiB`, `16GB`.
    public init(parsing text: String) throws {
        guard let bytes = Quantities.bytes(text), bytes >= Double(64 << 20), bytes <= 1e15 else {
            throw ScenarioError(file: "--memory-limit", line: nil, keyPath: "",
                                message: "expected a size of at least 64MiB such as 8GiB or 16GB, found \"\(text)\"")
        }
        memoryBytes = Int(bytes)
    }

    /// The bounds one run of `scenario` keeps to when `concurrentRuns` run at once; throws when the scenario's own
    /// structures would not fit in its share. `file` names the scenario in the message.
    public func simulationLimits(for scenario: Scenario, file: String, concurrentRuns: Int = 1) throws -> SimulationLimits {
        let share = memoryBytes / max(concurrentRuns, 1)
        let estimate = MemoryEstimate(scenario)
        guard estimate.bytes <= share else {
            let largest = estimate.parts.max { $0.bytes < $1.bytes }!
            let runs = concurrentRuns > 1 ? " (\(concurrentRuns) runs at once share it: use fewer --jobs)" : ""
            throw ScenarioError(
                file: file, line: nil, keyPath: largest.keyPath,
                message: "a run needs about \(MemoryEstimate.describe(estimate.bytes)) of memory, mostly for "
                    + "\(largest.what) (\(MemoryEstimate.describe(largest.bytes))); the memory limit is "
                    + "\(MemoryEstimate.describe(memoryBytes))\(runs). Reduce it, or raise --memory-limit")
        }
        return SimulationLimits(maxRequestsInFlight: (share - estimate.bytes) / MemoryEstimate.bytesPerRequestInFlight)
    }
}

/// A run that reached its memory bound (`SimulationLimits`) before its horizon: in an experiment, whose metrics would
/// describe only part of the horizon, this ends the experiment. Exit status 2.
public struct RunStoppedError: Error, CustomStringConvertible, Sendable {
    public var stop: RunStop
    /// Which run: `variant hpa60, replication 3`, `point 17, replication 0`.
    public var run: String
    public var memoryBytes: Int

    public var description: String {
        "\(run) stopped: " + RunStoppedError.explain(stop, memoryBytes: memoryBytes)
    }

    /// What stopped a run and what to do about it.
    static func explain(_ stop: RunStop, memoryBytes: Int) -> String {
        "deployments.\(stop.deployment).queue: at \(Quantities.readable(seconds: stop.timeSeconds)), "
            + "\(SummaryTable.grouped(stop.requestsInFlight)) requests were queued or in service, more than a run may hold "
            + "(memory limit \(MemoryEstimate.describe(memoryBytes))): the offered load is more than the fleet serves "
            + "and the queue has no bound. Give it a capacity or a timeout (queue: {capacity: 10000, timeout: 60s}), "
            + "add replicas, or raise --memory-limit"
    }
}
