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
    public var failed = 0
    /// Handed on to another deployment in the window (routed, escalated, overflowed).
    public var forwarded = 0
    public var cacheLookups = 0
    public var cacheHits = 0
    /// 429 responses of a rate-limited API.
    public var throttled = 0
    /// Mean quality of the answers completed in the window, where the tier has one.
    public var qualityMean: Double?

    /// Hits over lookups; nil without lookups.
    public var cacheHitRate: Double? { cacheLookups > 0 ? Double(cacheHits) / Double(cacheLookups) : nil }
}
