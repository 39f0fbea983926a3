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
}

/// The headline numbers of one deployment (or of all of them, for `SimulationResult.total`).
public struct DeploymentResult: Sendable {
    public struct Requests: Sendable, Equatable {
        public var arrived, completed, rejected, timedOut, inFlightAtEnd: Int
        /// Requests whose work was lost with a reclaimed instance, under `lostWork: fail`.
        public var failed = 0
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
    /// Continuous batching: the most sequences, and KV tokens, any one replica held at once.
    public var peakSequencesPerReplica, peakKVTokensPerReplica: Int
    public var coldStarts = 0, spotReclaims = 0, scaleUps = 0, scaleDowns = 0
    /// Requests whose work was lost with a reclaimed instance and queued again (each loss counts).
    public var lostToReclaim = 0
    /// Requests still running when a scale-in drain timed out, queued again.
    public var lostToScaleIn = 0

    init(
        name: String, accumulator a: Accumulator, inFlightAtEnd: Int, durationSeconds: Double, slo: SLOSpec?,
        maxReady: Int
    ) {
        self.name = name
        requests = Requests(
            arrived: a.arrivals, completed: a.completed, rejected: a.rejected, timedOut: a.timedOut,
            inFlightAtEnd: inFlightAtEnd, failed: a.failed)
        e2e = a.e2e.summary
        ttft = a.ttftIsE2E ? e2e : a.ttft.summary
        tpot = a.tpot.summary
        queueWait = a.queueWait.summary
        fractionWaited = a.queueWait.count > 0 ? Double(a.waited) / Double(a.queueWait.count) : nil
        if let slo {
            func share(_ count: Int) -> Double? { a.sloCounted > 0 ? Double(count) / Double(a.sloCounted) : nil }
            let e2eAttainment = slo.e2e != nil ? share(a.sloMetE2E) : nil
            let ttftAttainment = slo.ttft != nil ? share(a.sloMetTTFT) : nil
            var met: Bool?
            if a.sloCounted > 0 {
                met = (slo.e2e.map { e2eAttainment! >= $0.percentile } ?? true)
                    && (slo.ttft.map { ttftAttainment! >= $0.percentile } ?? true)
            }
            self.slo = SLOResult(
                attainment: share(a.sloMet), e2eAttainment: e2eAttainment, ttftAttainment: ttftAttainment,
                e2eObserved: slo.e2e.flatMap { a.e2e.percentile($0.percentile * 100) },
                ttftObserved: slo.ttft.flatMap { a.ttftLatencies.percentile($0.percentile * 100) }, met: met)
        }
        cost = a.cost
        let tokens = a.promptTokens + a.outputTokens
        costPerMillionTokens = tokens > 0 ? a.cost.total / Double(tokens) * 1e6 : nil
        costPerThousandRequests = a.completed > 0 ? a.cost.total / Double(a.completed) * 1e3 : nil
        gpuHoursTotal = a.gpuSeconds / 3600
        gpuHoursBusy = a.busyGpuSeconds / 3600
        replicasMean = durationSeconds > 0 ? a.readyArea / durationSeconds : 0
        replicasMax = maxReady
        utilization = a.readyArea > 0 ? a.busyArea / a.readyArea : 0
        queueDepthMean = durationSeconds > 0 ? a.queueDepthArea / durationSeconds : 0
        inSystemMean = durationSeconds > 0 ? a.inSystemArea / durationSeconds : 0
        promptTokens = a.promptTokens
        coldStarts = a.coldStarts
        spotReclaims = a.spotReclaims
        lostToReclaim = a.lostToReclaim
        lostToScaleIn = a.lostToScaleIn
        scaleUps = a.scaleUps
        scaleDowns = a.scaleDowns
        peakSequencesPerReplica = a.peakSequencesPerReplica
        peakKVTokensPerReplica = a.peakKVTokensPerReplica
        outputTokens = a.outputTokens
    }
}

extension TimelineRow {
    init(window a: Accumulator, deployment: String, start: Double, end: Double, costCumulative: Double, hasSLO: Bool) {
        let seconds = end - start
        let e2e = a.e2e.summary
        self.init(
            windowStartSeconds: start, windowEndSeconds: end, deployment: deployment,
            arrivals: a.arrivals, completed: a.completed, rejected: a.rejected, timedOut: a.timedOut,
            e2e: e2e, ttft: a.ttftIsE2E ? e2e : a.ttft.summary, tpot: a.tpot.summary, queueWait: a.queueWait.summary,
            queueDepthMean: seconds > 0 ? a.queueDepthArea / seconds : 0,
            inSystemMean: seconds > 0 ? a.inSystemArea / seconds : 0,
            replicasReady: seconds > 0 ? a.readyArea / seconds : 0,
            replicasStarting: seconds > 0 ? a.startingArea / seconds : 0,
            replicasDraining: seconds > 0 ? a.drainingArea / seconds : 0,
            instances: seconds > 0 ? a.instanceArea.scaled(by: 1 / seconds) : CostBreakdown(),
            utilization: a.readyArea > 0 ? a.busyArea / a.readyArea : 0,
            sloAttainment: hasSLO && a.sloCounted > 0 ? Double(a.sloMet) / Double(a.sloCounted) : nil,
            cost: a.cost, costCumulative: costCumulative)
    }
}

extension Accumulator {
    /// Adds another deployment's totals (for the all-deployments summary).
    mutating func merge(_ other: Accumulator) {
        arrivals += other.arrivals
        completed += other.completed
        rejected += other.rejected
        timedOut += other.timedOut
        failed += other.failed
        waited += other.waited
        sloCounted += other.sloCounted
        sloMet += other.sloMet
        sloMetE2E += other.sloMetE2E
        sloMetTTFT += other.sloMetTTFT
        promptTokens += other.promptTokens
        spotReclaims += other.spotReclaims
        coldStarts += other.coldStarts
        lostToReclaim += other.lostToReclaim
        lostToScaleIn += other.lostToScaleIn
        scaleUps += other.scaleUps
        scaleDowns += other.scaleDowns
        outputTokens += other.outputTokens
        e2e.merge(other.e2e)
        ttft.merge(other.ttftLatencies)
        tpot.merge(other.tpot)
        queueWait.merge(other.queueWait)
        addIntegrals(of: other)
    }
}
