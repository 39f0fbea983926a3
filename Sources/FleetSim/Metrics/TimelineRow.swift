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
