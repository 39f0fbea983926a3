/// A change to a fleet, written to `events.csv`.
public struct FleetEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case provision, loading, ready, acquisitionFailed, scaleUp, scaleDown, hold, drain, terminate, reclaimNotice,
             reclaim, budgetAlert
    }

    public var timeSeconds: Double
    public var deployment: String
    public var kind: Kind
    public var pool: PurchaseOption?
    public var replicasBefore: Int
    public var replicasAfter: Int
    public var detail: String
}

/// Receives results while a simulation runs, so that timelines stream to disk instead of piling up in memory.
public protocol SimulationObserver: AnyObject {
    func windowClosed(_ rows: [TimelineRow])
    func fleetEvent(_ event: FleetEvent)
}
