/// What a run of a scenario will hold in memory, by the part of the scenario that drives it, estimated before it
/// runs, so that a scenario that cannot fit is refused with the key to change instead of ending in an allocation
/// failure.
///
/// Requests queued or in service are not in the estimate: how many there will be is what the run finds out. They are
/// bounded at run time instead (`SimulationLimits`), with what the budget leaves after this estimate.
public struct MemoryEstimate: Sendable {
    public struct Part: Sendable {
        /// The scenario key whose value drives this part.
        public var keyPath: String
        /// What the memory holds, in words, e.g. "10,000 classes × 750 KiB of latency histograms".
        public var what: String
        public var bytes: Int
    }

    public var parts: [Part]
    public var bytes: Int { parts.reduce(0) { $0 + $1.bytes } }

    /// The process itself: Swift runtime, Foundation, output buffers.
    static let baseBytes = 48 << 20

    /// One request held in a queue: a `Request` in a `Deque`, which doubles its storage as it grows (so up to twice
    /// the live requests while it copies).
    public static let bytesPerRequestInFlight = 3 * MemoryLayout<Request>.stride

    public init(_ scenario: Scenario) {
        let runStatistics = Accumulator(.run).footprintBytes
        let windowStatistics = Accumulator(.window).footprintBytes
        parts = [Part(keyPath: "", what: "the program", bytes: Self.baseBytes)]
        let reaching = scenario.classesReaching
        for (index, deployment) in scenario.deployments.enumerated() {
            // Classes sent here directly or handed on by a router, a cascade or an overflow.
            let served = reaching[index].count
            let key = "deployments.\(deployment.name)"
            parts.append(Part(keyPath: key, what: "latency histograms of the deployment",
                              bytes: runStatistics + windowStatistics))
            if served > 1 {
                // A deployment reached by several classes keeps run totals for each (Recorder.classTotals).
                parts.append(Part(
                    keyPath: "traffic.classes",
                    what: "\(served) classes served by \(deployment.name) × \(Self.describe(runStatistics)) of latency histograms each",
                    bytes: served * runStatistics))
            }
            let replicas = Self.peakReplicas(deployment)
            let perReplica = Self.bytesPerReplica(deployment)
            parts.append(Part(
                keyPath: deployment.autoscaler != nil ? "\(key).autoscaler" : "\(key).pools",
                what: "up to \(replicas) replicas × \(Self.describe(perReplica)) each",
                bytes: Self.saturating(replicas.multipliedReportingOverflow(by: perReplica))))
        }
    }

    /// The most replicas alive at once: every pool's count, or its maximum when an autoscaler may grow it (the
    /// autoscaler's own maximum bounds the sum).
    static func peakReplicas(_ deployment: DeploymentSpec) -> Int {
        let fixed = deployment.pools.reduce(0) { $0 + $1.count }
        guard let autoscaler = deployment.autoscaler else { return fixed }
        let poolBound = deployment.pools.reduce(0) { sum, pool in
            saturating(sum.addingReportingOverflow(pool.isManaged ? pool.max : pool.count))
        }
        return max(fixed, min(poolBound, autoscaler.replicaBounds.upperBound))
    }

    private static func saturating(_ result: (partialValue: Int, overflow: Bool)) -> Int {
        result.overflow ? .max : result.partialValue
    }

    /// A replica's record, and for continuous batching the sequences it can run at once.
    static func bytesPerReplica(_ deployment: DeploymentSpec) -> Int {
        let record = 512
        guard let profile = deployment.profile else { return record }
        return record + profile.maxConcurrency * 2 * MemoryLayout<Request>.stride * 2
    }

    /// `750 KiB`, `7.2 GiB`.
    public static func describe(_ bytes: Int) -> String {
        let units: [(String, Double)] = [("GiB", 1_073_741_824), ("MiB", 1_048_576), ("KiB", 1_024)]
        for (name, size) in units where Double(bytes) >= size {
            let value = Double(bytes) / size
            return value >= 100 ? "\(Int(value.rounded())) \(name)" : "\((value * 10).rounded() / 10) \(name)"
        }
        return "\(bytes) B"
    }
}
