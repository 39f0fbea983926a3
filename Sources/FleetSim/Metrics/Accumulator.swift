/// Running totals for one deployment over an interval (a timeline window, or the whole run).
///
/// Counts are incremented as requests end; levels (queue depth, replicas, busy replicas, cost rates) are integrated
/// over time by `integrate`, which the simulation calls before every event, so time averages are exact.
struct Accumulator {
    var requests = RequestCounts()
    var slo = SLOCounts()
    var fleet = FleetCounts()
    var e2e: LatencyStats
    /// Unused (empty) when `ttftIsE2E`: read TTFT through `ttftLatencies`.
    var ttft: LatencyStats
    /// Whether TTFT equals the e2e latency (the generic mode answers whole), so it is recorded once, as e2e.
    var ttftIsE2E = false
    /// Time per output token after the first, for requests with two or more output tokens.
    var tpot: LatencyStats
    var queueWait: LatencyStats
    var integrals = LevelIntegrals()
    var cost = CostBreakdown()
    /// The most sequences one replica ran at once, and the most KV tokens it held (continuous batching).
    var peakSequencesPerReplica = 0
    var peakKVTokensPerReplica = 0

    /// Bytes the accumulator holds, its four histograms included.
    var footprintBytes: Int {
        MemoryLayout<Self>.size + e2e.footprintBytes + ttft.footprintBytes + tpot.footprintBytes + queueWait.footprintBytes
    }

    /// Counts a completed request; its latencies only when `latencies` (the run's totals skip the warm-up).
    mutating func recordCompletion(
        _ request: Request, cachedPromptTokens: Int, e2e: Double, ttft: Double, tpot: Double?, latencies: Bool
    ) {
        requests.completed += 1
        requests.promptTokens += Int(request.promptTokens)
        requests.cachedPromptTokens += cachedPromptTokens
        requests.outputTokens += Int(request.outputTokens)
        guard latencies else { return }
        self.e2e.record(e2e)
        if !ttftIsE2E { self.ttft.record(ttft) }
        if let tpot { self.tpot.record(tpot) }
    }

    /// Time to first token, whichever way it was recorded.
    var ttftLatencies: LatencyStats { ttftIsE2E ? e2e : ttft }

    mutating func countForSLO(_ met: (e2e: Bool, ttft: Bool)) {
        slo.counted += 1
        if met.e2e && met.ttft { slo.met += 1 }
        if met.e2e { slo.metE2E += 1 }
        if met.ttft { slo.metTTFT += 1 }
    }

    /// Adds the time integrals of a finished window (the run's totals take them window by window, so each event
    /// integrates the levels once).
    mutating func addIntegrals(of window: Accumulator) {
        integrals.add(window.integrals)
        cost = cost + window.cost
        peakSequencesPerReplica = max(peakSequencesPerReplica, window.peakSequencesPerReplica)
        peakKVTokensPerReplica = max(peakKVTokensPerReplica, window.peakKVTokensPerReplica)
    }

    /// Runs before every event, so it is kept lean: a level at 0 adds exactly nothing, and is skipped.
    mutating func integrate(_ levels: Levels, over seconds: Double) {
        guard seconds > 0 else { return }
        integrals.integrate(levels, over: seconds)
        if levels.costPerSecond.reserved != 0 { cost.reserved += levels.costPerSecond.reserved * seconds }
        if levels.costPerSecond.onDemand != 0 { cost.onDemand += levels.costPerSecond.onDemand * seconds }
        if levels.costPerSecond.spot != 0 { cost.spot += levels.costPerSecond.spot * seconds }
        if levels.costPerSecond.api != 0 { cost.api += levels.costPerSecond.api * seconds }
    }

    /// Clears everything for the next window, keeping the histograms' storage.
    mutating func reset() {
        var cleared = Accumulator(e2e: e2e, ttft: ttft, tpot: tpot, queueWait: queueWait)
        cleared.ttftIsE2E = ttftIsE2E
        cleared.e2e.reset()
        cleared.ttft.reset()
        cleared.tpot.reset()
        cleared.queueWait.reset()
        self = cleared
    }

    private init(e2e: LatencyStats, ttft: LatencyStats, tpot: LatencyStats, queueWait: LatencyStats) {
        self.e2e = e2e
        self.ttft = ttft
        self.tpot = tpot
        self.queueWait = queueWait
    }

    init(_ resolution: LatencyStats.Resolution) {
        self.init(e2e: LatencyStats(resolution), ttft: LatencyStats(resolution), tpot: LatencyStats(resolution),
                  queueWait: LatencyStats(resolution))
    }
}

/// The piecewise-constant state of a deployment between two events.
struct Levels {
    var queued = 0
    var inService = 0
    var ready = 0
    var starting = 0
    var draining = 0
    var instances = CostBreakdown()
    var busy = 0
    var provisionedGPUs = 0
    var gpusPerReplica = 0
    var costPerSecond = CostBreakdown()
}

/// Requests by how they ended, and their tokens. At every deployment `arrivals` = completed + rejected + timed out +
/// failed + forwarded + in flight; over a run, a forwarded request arrives once more downstream.
struct RequestCounts {
    var arrivals = 0
    var completed = 0
    var rejected = 0
    var timedOut = 0
    /// Lost with a reclaimed instance and not retried (`lostWork: fail`).
    var failed = 0
    /// Served after waiting in the queue for a positive time.
    var waited = 0
    var promptTokens = 0
    /// The part of `promptTokens` a prefix cache served.
    var cachedPromptTokens = 0
    var outputTokens = 0
    /// Handed on to another deployment: by a router, a cascade (`escalated`) or an overflow (`overflowed`). The
    /// request then arrives there, and ends there or further on.
    var forwarded = 0
    var escalated = 0
    var overflowed = 0
    var cacheLookups = 0
    /// Answered by the response cache (counted in `completed` too).
    var cacheHits = 0
    /// 429 responses of a rate-limited API, and the retries that followed them.
    var throttled = 0
    var retries = 0
    /// Completed requests answered by a tier with a quality, and the sum of those qualities.
    var qualityCount = 0
    var qualitySum = 0.0

    mutating func add(_ other: RequestCounts) {
        arrivals += other.arrivals
        completed += other.completed
        rejected += other.rejected
        timedOut += other.timedOut
        failed += other.failed
        waited += other.waited
        promptTokens += other.promptTokens
        cachedPromptTokens += other.cachedPromptTokens
        outputTokens += other.outputTokens
        forwarded += other.forwarded
        escalated += other.escalated
        overflowed += other.overflowed
        cacheLookups += other.cacheLookups
        cacheHits += other.cacheHits
        throttled += other.throttled
        retries += other.retries
        qualityCount += other.qualityCount
        qualitySum += other.qualitySum
    }
}

/// Ended requests that count towards SLO attainment (after warm-up in the run's totals); those that met every
/// objective; and those that met each objective on its own. Rejected, timed-out and failed requests meet none.
struct SLOCounts {
    var counted = 0
    var met = 0
    var metE2E = 0
    var metTTFT = 0
}

/// What happened to the fleet: spot reclaims (counted at the notice), replicas that became ready after a cold start,
/// requests whose work was lost with a reclaimed instance (queued again or failed), autoscaler decisions that raised
/// or lowered the count, and requests still running on a replica removed by scale-in when its drain timeout ran out.
public struct FleetCounts: Sendable, Equatable {
    public var spotReclaims = 0
    public var coldStarts = 0
    public var lostToReclaim = 0
    public var scaleUps = 0
    public var scaleDowns = 0
    public var lostToScaleIn = 0

    mutating func add(_ other: FleetCounts) {
        spotReclaims += other.spotReclaims
        coldStarts += other.coldStarts
        lostToReclaim += other.lostToReclaim
        lostToScaleIn += other.lostToScaleIn
        scaleUps += other.scaleUps
        scaleDowns += other.scaleDowns
    }
}

/// Levels integrated over time (level × seconds): queue depth, requests in the system, replicas by state, instances
/// billed by purchase option, busy replicas, GPU-seconds; and the most replicas ready at once.
struct LevelIntegrals {
    var queueDepth = 0.0
    var inSystem = 0.0
    var ready = 0.0
    var starting = 0.0
    var draining = 0.0
    /// Billed instance-seconds per purchase option.
    var instances = CostBreakdown()
    var busy = 0.0
    var gpuSeconds = 0.0
    var busyGpuSeconds = 0.0
    var maxReady = 0

    mutating func integrate(_ levels: Levels, over seconds: Double) {
        if levels.queued != 0 { queueDepth += Double(levels.queued) * seconds }
        let inSystemCount = levels.queued + levels.inService
        if inSystemCount != 0 { inSystem += Double(inSystemCount) * seconds }
        if levels.ready != 0 { ready += Double(levels.ready) * seconds }
        if levels.starting != 0 { starting += Double(levels.starting) * seconds }
        if levels.draining != 0 { draining += Double(levels.draining) * seconds }
        if levels.instances.reserved != 0 { instances.reserved += levels.instances.reserved * seconds }
        if levels.instances.onDemand != 0 { instances.onDemand += levels.instances.onDemand * seconds }
        if levels.instances.spot != 0 { instances.spot += levels.instances.spot * seconds }
        if levels.busy != 0 {
            busy += Double(levels.busy) * seconds
            busyGpuSeconds += Double(levels.busy * levels.gpusPerReplica) * seconds
        }
        if levels.provisionedGPUs != 0 { gpuSeconds += Double(levels.provisionedGPUs) * seconds }
        maxReady = max(maxReady, levels.ready)
    }

    /// Adds a finished window's integrals (the run's totals take them window by window).
    mutating func add(_ window: LevelIntegrals) {
        queueDepth += window.queueDepth
        inSystem += window.inSystem
        ready += window.ready
        starting += window.starting
        draining += window.draining
        instances = instances + window.instances
        busy += window.busy
        gpuSeconds += window.gpuSeconds
        busyGpuSeconds += window.busyGpuSeconds
        maxReady = max(maxReady, window.maxReady)
    }
}
