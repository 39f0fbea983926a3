/// Running totals for one deployment over an interval (a timeline window, or the whole run).
///
/// Counts are incremented as requests end; levels (queue depth, replicas, busy replicas, cost rates) are integrated
/// over time by `integrate`, which the simulation calls before every event, so time averages are exact.
struct Accumulator {
    var arrivals = 0
    var completed = 0
    var rejected = 0
    var timedOut = 0
    /// Requests lost with a reclaimed instance and not retried (`lostWork: fail`).
    var failed = 0
    /// Requests that waited in the queue for a positive time before service.
    var waited = 0
    /// Ended requests that count towards SLO attainment (after warm-up in the run's totals); those that met every
    /// objective; and those that met each objective on its own. Rejected and timed-out requests meet none.
    var sloCounted = 0
    var sloMet = 0
    var sloMetE2E = 0
    var sloMetTTFT = 0
    var promptTokens = 0
    var outputTokens = 0
    /// Fleet changes: spot reclaims (counted at the notice), replicas that became ready after a cold start, and
    /// requests whose work was lost with a reclaimed instance and queued again.
    var spotReclaims = 0
    var coldStarts = 0
    var lostToReclaim = 0
    /// Autoscaler decisions that raised or lowered the replica count, and requests still running on a replica
    /// removed by scale-in when its drain timeout ran out (queued again).
    var scaleUps = 0
    var scaleDowns = 0
    var lostToScaleIn = 0
    var e2e: LatencyStats
    /// Unused (empty) when `ttftIsE2E`: read TTFT through `ttftLatencies`.
    var ttft: LatencyStats
    /// Whether TTFT equals the e2e latency (the generic mode answers whole), so it is recorded once, as e2e.
    var ttftIsE2E = false
    /// Time per output token after the first, for requests with two or more output tokens.
    var tpot: LatencyStats
    var queueWait: LatencyStats

    var queueDepthArea = 0.0
    var inSystemArea = 0.0
    var readyArea = 0.0
    var startingArea = 0.0
    var drainingArea = 0.0
    /// Billed instance-seconds per purchase option.
    var instanceArea = CostBreakdown()
    var busyArea = 0.0
    var gpuSeconds = 0.0
    var busyGpuSeconds = 0.0
    var cost = CostBreakdown()
    var maxReady = 0
    /// The most sequences one replica ran at once, and the most KV tokens it held (continuous batching).
    var peakSequencesPerReplica = 0
    var peakKVTokensPerReplica = 0

    /// Bytes the accumulator holds, its four histograms included.
    var footprintBytes: Int {
        MemoryLayout<Self>.size + e2e.footprintBytes + ttft.footprintBytes + tpot.footprintBytes + queueWait.footprintBytes
    }

    /// Counts a completed request; its latencies only when `latencies` (the run's totals skip the warm-up).
    mutating func recordCompletion(_ request: Request, e2e: Double, ttft: Double, tpot: Double?, latencies: Bool) {
        completed += 1
        promptTokens += Int(request.promptTokens)
        outputTokens += Int(request.outputTokens)
        guard latencies else { return }
        self.e2e.record(e2e)
        if !ttftIsE2E { self.ttft.record(ttft) }
        if let tpot { self.tpot.record(tpot) }
    }

    /// Time to first token, whichever way it was recorded.
    var ttftLatencies: LatencyStats { ttftIsE2E ? e2e : ttft }

    mutating func countForSLO(_ met: (e2e: Bool, ttft: Bool)) {
        sloCounted += 1
        if met.e2e && met.ttft { sloMet += 1 }
        if met.e2e { sloMetE2E += 1 }
        if met.ttft { sloMetTTFT += 1 }
    }

    /// Adds the time integrals of a finished window (the run's totals take them window by window, so each event
    /// integrates the levels once).
    mutating func addIntegrals(of window: Accumulator) {
        queueDepthArea += window.queueDepthArea
        inSystemArea += window.inSystemArea
        readyArea += window.readyArea
        startingArea += window.startingArea
        drainingArea += window.drainingArea
        instanceArea = instanceArea + window.instanceArea
        busyArea += window.busyArea
        gpuSeconds += window.gpuSeconds
        busyGpuSeconds += window.busyGpuSeconds
        cost = cost + window.cost
        maxReady = max(maxReady, window.maxReady)
        peakSequencesPerReplica = max(peakSequencesPerReplica, window.peakSequencesPerReplica)
        peakKVTokensPerReplica = max(peakKVTokensPerReplica, window.peakKVTokensPerReplica)
    }

    mutating func integrate(_ levels: Levels, over seconds: Double) {
        guard seconds > 0 else { return }
        queueDepthArea += Double(levels.queued) * seconds
        inSystemArea += Double(levels.queued + levels.inService) * seconds
        readyArea += Double(levels.ready) * seconds
        startingArea += Double(levels.starting) * seconds
        drainingArea += Double(levels.draining) * seconds
        instanceArea.reserved += levels.instances.reserved * seconds
        instanceArea.onDemand += levels.instances.onDemand * seconds
        instanceArea.spot += levels.instances.spot * seconds
        busyArea += Double(levels.busy) * seconds
        gpuSeconds += Double(levels.provisionedGPUs) * seconds
        busyGpuSeconds += Double(levels.busy * levels.gpusPerReplica) * seconds
        cost.reserved += levels.costPerSecond.reserved * seconds
        cost.onDemand += levels.costPerSecond.onDemand * seconds
        cost.spot += levels.costPerSecond.spot * seconds
        cost.api += levels.costPerSecond.api * seconds
        maxReady = max(maxReady, levels.ready)
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
