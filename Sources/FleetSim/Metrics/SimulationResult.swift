/// What one run produced: totals over all deployments and the same blocks per deployment.
public struct SimulationResult: Sendable {
    public var scenario: String
    public var seed: UInt64
    public var replication: Int
    public var durationSeconds: Double
    public var total: DeploymentResult
    public var deployments: [DeploymentResult]
    /// Events the kernel processed.
    public var events: UInt64
}

/// The headline numbers of one deployment (or of all of them, for `SimulationResult.total`).
public struct DeploymentResult: Sendable {
    public struct Requests: Sendable, Equatable {
        public var arrived, completed, rejected, timedOut, inFlightAtEnd: Int
    }

    public struct SLOResult: Sendable, Equatable {
        /// Fraction of ended requests (after warm-up) that met every threshold; rejected and timed-out count as misses.
        public var attainment: Double?
        /// Each objective's observed percentile of completed requests and whether it is within the threshold.
        public var e2eObserved, ttftObserved: Double?
        public var met: Bool?
    }

    public var name: String
    public var requests: Requests
    public var e2e, ttft, queueWait: LatencySummary
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
    public var coldStarts = 0, spotReclaims = 0, scaleUps = 0, scaleDowns = 0

    init(
        name: String, accumulator a: Accumulator, inFlightAtEnd: Int, durationSeconds: Double,
        measuredSeconds: Double, slo: SLOSpec?, maxReady: Int
    ) {
        self.name = name
        requests = Requests(
            arrived: a.arrivals, completed: a.completed, rejected: a.rejected, timedOut: a.timedOut,
            inFlightAtEnd: inFlightAtEnd)
        e2e = a.e2e.summary
        ttft = a.ttft.summary
        queueWait = a.queueWait.summary
        fractionWaited = a.queueWait.count > 0 ? Double(a.waited) / Double(a.queueWait.count) : nil
        if let slo {
            let e2eObserved = slo.e2e.flatMap { a.e2e.percentile($0.percentile * 100) }
            let ttftObserved = slo.ttft.flatMap { a.ttft.percentile($0.percentile * 100) }
            let met = a.sloCounted == 0 ? nil : Self.objectiveMet(slo.e2e, e2eObserved, a)
                && Self.objectiveMet(slo.ttft, ttftObserved, a)
            self.slo = SLOResult(
                attainment: a.sloCounted > 0 ? Double(a.sloMet) / Double(a.sloCounted) : nil,
                e2eObserved: e2eObserved, ttftObserved: ttftObserved, met: met)
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
        outputTokens = a.outputTokens
    }

    /// An objective is met when its percentile is within the threshold and rejected or timed-out requests do not
    /// push the share of misses past what the percentile allows.
    private static func objectiveMet(_ objective: SLOSpec.Objective?, _ observed: Double?, _ a: Accumulator) -> Bool {
        guard let objective else { return true }
        guard let observed else { return false }
        let dropped = Double(a.rejected + a.timedOut) / Double(max(a.sloCounted, 1))
        return observed <= objective.thresholdSeconds && dropped <= 1 - objective.percentile
    }
}

extension TimelineRow {
    init(window a: Accumulator, deployment: String, start: Double, end: Double, costCumulative: Double, hasSLO: Bool) {
        let seconds = end - start
        self.init(
            windowStartSeconds: start, windowEndSeconds: end, deployment: deployment,
            arrivals: a.arrivals, completed: a.completed, rejected: a.rejected, timedOut: a.timedOut,
            e2e: a.e2e.summary, ttft: a.ttft.summary, queueWait: a.queueWait.summary,
            queueDepthMean: seconds > 0 ? a.queueDepthArea / seconds : 0,
            inSystemMean: seconds > 0 ? a.inSystemArea / seconds : 0,
            replicasReady: seconds > 0 ? a.readyArea / seconds : 0,
            replicasStarting: seconds > 0 ? a.startingArea / seconds : 0,
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
        waited += other.waited
        sloCounted += other.sloCounted
        sloMet += other.sloMet
        promptTokens += other.promptTokens
        outputTokens += other.outputTokens
        e2e.merge(other.e2e)
        ttft.merge(other.ttft)
        queueWait.merge(other.queueWait)
        addIntegrals(of: other)
    }
}
