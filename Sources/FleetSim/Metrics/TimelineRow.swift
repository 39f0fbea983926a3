/// One row of `timeline.csv`: what happened to one deployment during one window.
///
/// Counts are events inside the window; latencies are of requests that ended inside it; `…Mean` levels
/// (queue depth, replicas) are time averages over the window; costs are what the window accrued.
public struct TimelineRow: Sendable, Equatable {
    public var windowStartSeconds: Double
    public var windowEndSeconds: Double
    public var deployment: String
    public var arrivals = 0
    public var completed = 0
    public var rejected = 0
    public var timedOut = 0
    public var e2e: LatencySummary
    public var ttft: LatencySummary
    public var tpot: LatencySummary
    public var queueWait: LatencySummary
    public var queueDepthMean = 0.0
    public var inSystemMean = 0.0
    public var replicasReady = 0.0
    public var replicasStarting = 0.0
    /// Replicas finishing their work before they go (scale-in drains, reclaim notices), time-averaged.
    public var replicasDraining = 0.0
    /// Instances billed per purchase option (starting, ready or draining), time-averaged; in `CostBreakdown`'s
    /// shape, counting instances rather than dollars.
    public var instances = CostBreakdown()
    public var utilization = 0.0
    /// Fraction of requests ending in the window that met the SLO; nil without an SLO or without endings.
    public var sloAttainment: Double?
    public var cost: CostBreakdown
    public var costCumulative = 0.0
}

/// Money by purchase option, in USD.
public struct CostBreakdown: Sendable, Equatable {
    public var reserved = 0.0
    public var onDemand = 0.0
    public var spot = 0.0
    public var api = 0.0

    public init() {}

    public var total: Double { reserved + onDemand + spot + api }

    public subscript(option: PurchaseOption) -> Double {
        get {
            switch option {
            case .reserved: reserved
            case .onDemand: onDemand
            case .spot: spot
            }
        }
        set {
            switch option {
            case .reserved: reserved = newValue
            case .onDemand: onDemand = newValue
            case .spot: spot = newValue
            }
        }
    }

    func scaled(by factor: Double) -> CostBreakdown {
        var scaled = CostBreakdown()
        scaled.reserved = reserved * factor
        scaled.onDemand = onDemand * factor
        scaled.spot = spot * factor
        scaled.api = api * factor
        return scaled
    }

    public static func + (lhs: CostBreakdown, rhs: CostBreakdown) -> CostBreakdown {
        var sum = CostBreakdown()
        sum.reserved = lhs.reserved + rhs.reserved
        sum.onDemand = lhs.onDemand + rhs.onDemand
        sum.spot = lhs.spot + rhs.spot
        sum.api = lhs.api + rhs.api
        return sum
    }
}

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
