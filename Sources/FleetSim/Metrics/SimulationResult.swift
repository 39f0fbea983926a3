/// What one run produced: totals over all deployments and the same blocks per deployment.
public struct SimulationResult: Sendable {
    public var scenario: String
    public var seed: UInt64
    public var replication: Int
    public var durationSeconds: Double
    public var total: DeploymentResult
    public var deployments: [DeploymentResult]
    /// Requests, latencies and tokens per request class (their cost and fleet fields are those of no fleet: 0).
    public var classes: [DeploymentResult]
    /// Events the kernel processed.
    public var events: UInt64
    /// Set when the run ended before its horizon (`SimulationLimits`); `durationSeconds` is then the time reached.
    public var stop: RunStop?
    /// Set when the analytic engine computed the run: what it saw of the regimes where it is weak.
    public var analytic: AnalyticDiagnostics?
}

/// The headline numbers of one deployment (or of all of them, for `SimulationResult.total`).
public struct DeploymentResult: Sendable {
    public struct Requests: Sendable, Equatable {
        public var arrived, completed, rejected, timedOut, inFlightAtEnd: Int
        /// Requests whose work was lost with a reclaimed instance (under `lostWork: fail`), or refused by a
        /// rate-limited API after their last retry.
        public var failed = 0
        /// Handed on to another deployment (routed, escalated or overflowed); they arrive there too. In the run's
        /// total, hand-offs between deployments; `arrived` counts each request once.
        public var forwarded = 0
        public var escalated = 0
        public var overflowed = 0
    }

    /// A response cache's lookups and hits; a per-token API's 429 responses and the retries after them.
    public struct Paths: Sendable, Equatable {
        public var cacheLookups = 0
        public var cacheHits = 0
        public var throttled = 0
        public var retries = 0
        public var cacheHitRate: Double? { cacheLookups > 0 ? Double(cacheHits) / Double(cacheLookups) : nil }
    }

    public struct SLOResult: Sendable, Equatable {
        /// Fraction of ended requests (after warm-up) that met every threshold; rejected and timed-out count as misses.
        public var attainment: Double?
        /// The same fraction for each objective on its own.
        public var e2eAttainment, ttftAttainment: Double?
        /// Each objective's percentile over completed requests (for reading against its threshold).
        public var e2eObserved, ttftObserved: Double?
        /// Whether every objective holds: at least its percentile of ended requests met its threshold.
        public var met: Bool?
    }

    public var name: String
    public var requests: Requests
    public var e2e, ttft, queueWait: LatencySummary
    /// Time per output token after the first (LLM deployments; empty for generic ones).
    public var tpot: LatencySummary
    /// Fraction of served requests (after warm-up) that waited in the queue at all: P(wait > 0).
    public var fractionWaited: Double?
    public var slo: SLOResult?
    public var cost: CostBreakdown
    public var costPerMillionTokens: Double?
    public var costPerThousandRequests: Double?
    public var gpuHoursTotal, gpuHoursBusy: Double
    public var replicasMean: Double
    public var replicasMax: Int
    /// Busy replica-time over ready replica-time.
    public var utilization: Double
    public var queueDepthMean: Double
    public var inSystemMean: Double
    public var promptTokens, outputTokens: Int
    /// The part of `promptTokens` served from a prefix cache (not prefilled, or billed as cached input).
    public var cachedPromptTokens: Int
    /// Continuous batching: the most sequences, and KV tokens, any one replica held at once.
    public var peakSequencesPerReplica, peakKVTokensPerReplica: Int
    /// Cold starts, spot reclaims, scale-ups and -downs, and requests lost with reclaimed instances or cut off by
    /// scale-in (each loss counts).
    public var fleet: FleetCounts
    public var paths: Paths
    /// The request-weighted mean quality of the answers, over completed requests answered by a tier with a quality.
    public var quality: Double?
    /// Completed requests that count in `quality`.
    public var qualityCount: Int

    init(
        name: String, accumulator a: Accumulator, inFlightAtEnd: Int, durationSeconds: Double, slo: SLOSpec?,
        maxReady: Int
    ) {
        self.name = name
        requests = Requests(
            arrived: a.requests.arrivals, completed: a.requests.completed, rejected: a.requests.rejected, timedOut: a.requests.timedOut,
            inFlightAtEnd: inFlightAtEnd, failed: a.requests.failed, forwarded: a.requests.forwarded,
            escalated: a.requests.escalated, overflowed: a.requests.overflowed)
        paths = Paths(
            cacheLookups: a.requests.cacheLookups, cacheHits: a.requests.cacheHits, throttled: a.requests.throttled,
            retries: a.requests.retries)
        qualityCount = a.requests.qualityCount
        quality = a.requests.qualityCount > 0 ? a.requests.qualitySum / Double(a.requests.qualityCount) : nil
        e2e = a.e2e.summary
        ttft = a.ttftIsE2E ? e2e : a.ttft.summary
        tpot = a.tpot.summary
        queueWait = a.queueWait.summary
        fractionWaited = a.queueWait.count > 0 ? Double(a.requests.waited) / Double(a.queueWait.count) : nil
        if let slo {
            func share(_ count: Int) -> Double? { a.slo.counted > 0 ? Double(count) / Double(a.slo.counted) : nil }
            let e2eAttainment = slo.e2e != nil ? share(a.slo.metE2E) : nil
            let ttftAttainment = slo.ttft != nil ? share(a.slo.metTTFT) : nil
            var met: Bool?
            if a.slo.counted > 0 {
                met = (slo.e2e.map { e2eAttainment! >= $0.percentile } ?? true)
                    && (slo.ttft.map { ttftAttainment! >= $0.percentile } ?? true)
            }
            self.slo = SLOResult(
                attainment: share(a.slo.met), e2eAttainment: e2eAttainment, ttftAttainment: ttftAttainment,
                e2eObserved: slo.e2e.flatMap { a.e2e.percentile($0.percentile * 100) },
                ttftObserved: slo.ttft.flatMap { a.ttftLatencies.percentile($0.percentile * 100) }, met: met)
        }
        cost = a.cost
        let tokens = a.requests.promptTokens + a.requests.outputTokens
        costPerMillionTokens = tokens > 0 ? a.cost.total / Double(tokens) * 1e6 : nil
        costPerThousandRequests = a.requests.completed > 0 ? a.cost.total / Double(a.requests.completed) * 1e3 : nil
        gpuHoursTotal = a.integrals.gpuSeconds / 3600
        gpuHoursBusy = a.integrals.busyGpuSeconds / 3600
        replicasMean = durationSeconds > 0 ? a.integrals.ready / durationSeconds : 0
        replicasMax = maxReady
        utilization = a.integrals.ready > 0 ? a.integrals.busy / a.integrals.ready : 0
        queueDepthMean = durationSeconds > 0 ? a.integrals.queueDepth / durationSeconds : 0
        inSystemMean = durationSeconds > 0 ? a.integrals.inSystem / durationSeconds : 0
        promptTokens = a.requests.promptTokens
        cachedPromptTokens = a.requests.cachedPromptTokens
        fleet = a.fleet
        peakSequencesPerReplica = a.peakSequencesPerReplica
        peakKVTokensPerReplica = a.peakKVTokensPerReplica
        outputTokens = a.requests.outputTokens
    }
}

extension TimelineRow {
    init(window a: Accumulator, deployment: String, start: Double, end: Double, costCumulative: Double, hasSLO: Bool) {
        let seconds = end - start
        let e2e = a.e2e.summary
        self.init(
            windowStartSeconds: start, windowEndSeconds: end, deployment: deployment,
            arrivals: a.requests.arrivals, completed: a.requests.completed, rejected: a.requests.rejected, timedOut: a.requests.timedOut,
            e2e: e2e, ttft: a.ttftIsE2E ? e2e : a.ttft.summary, tpot: a.tpot.summary, queueWait: a.queueWait.summary,
            queueDepthMean: seconds > 0 ? a.integrals.queueDepth / seconds : 0,
            inSystemMean: seconds > 0 ? a.integrals.inSystem / seconds : 0,
            replicasReady: seconds > 0 ? a.integrals.ready / seconds : 0,
            replicasStarting: seconds > 0 ? a.integrals.starting / seconds : 0,
            replicasDraining: seconds > 0 ? a.integrals.draining / seconds : 0,
            instances: seconds > 0 ? a.integrals.instances.scaled(by: 1 / seconds) : CostBreakdown(),
            utilization: a.integrals.ready > 0 ? a.integrals.busy / a.integrals.ready : 0,
            sloAttainment: hasSLO && a.slo.counted > 0 ? Double(a.slo.met) / Double(a.slo.counted) : nil,
            cost: a.cost, costCumulative: costCumulative, failed: a.requests.failed, forwarded: a.requests.forwarded,
            cacheLookups: a.requests.cacheLookups, cacheHits: a.requests.cacheHits, throttled: a.requests.throttled,
            qualityMean: a.requests.qualityCount > 0 ? a.requests.qualitySum / Double(a.requests.qualityCount) : nil)
    }
}

extension Accumulator {
    /// Adds another deployment's totals (for the all-deployments summary).
    mutating func merge(_ other: Accumulator) {
        requests.add(other.requests)
        slo.counted += other.slo.counted
        slo.met += other.slo.met
        slo.metE2E += other.slo.metE2E
        slo.metTTFT += other.slo.metTTFT
        fleet.add(other.fleet)
        e2e.merge(other.e2e)
        ttft.merge(other.ttftLatencies)
        tpot.merge(other.tpot)
        queueWait.merge(other.queueWait)
        addIntegrals(of: other)
    }
}
