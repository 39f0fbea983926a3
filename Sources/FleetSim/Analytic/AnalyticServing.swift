import FleetSimKernel
import Foundation

/// The analytic engine's serving: instead of queueing requests, each step of traffic is served by formulas
/// (decisions.md #89).
///
/// At every step the deployment is offered the step's arrivals: a count drawn around the rate curve's expectation
/// (`AnalyticTraffic`). While the fleet keeps up, the step is served in steady state at the expected rate (a
/// pointwise-stationary approximation): every arrival is served, and waits follow Erlang C with the Allen–Cunneen
/// correction over the fleet's serving slots (`ServiceModel`). When the
/// offered load exceeds what the ready replicas can serve, or a backlog remains from earlier steps, the queue is a
/// fluid: it grows by the excess, drains at the fleet's capacity, and the requests served wait the backlog ahead of
/// them. Latencies are recorded as weighted points of their distribution (`QuantileGrid`) into the same histograms
/// the discrete-event engine fills, so windows, percentiles, SLO attainment and every output work unchanged.
///
/// The fleet around it — replicas starting, reclaimed, drained; the autoscaler; billing — runs as events exactly as
/// in the discrete-event engine, reading this engine's queue, occupancy and utilization.
final class AnalyticServing: ServingEngine {
    enum Timer: UInt8, TimerKind {
        /// A draining replica has finished what it held.
        case drained
        static let part = Part.serving
    }

    /// A count kept exactly as a real number and reported as whole requests: each step adds the whole requests its
    /// share completes, so the counts add up to the floor of the exact total and never overtake each other.
    struct Tally {
        private(set) var exact = 0.0

        mutating func add(_ amount: Double) -> Int {
            let before = exact.rounded(.down)
            exact += max(amount, 0)
            return Int(exact.rounded(.down) - before)
        }
    }

    let model: ServiceModel
    let arrivalSCV: Double
    let queueSpec: QueueSpec
    let maxConcurrency: Int
    let kvTokenBudget: Int?
    let fleet: ReplicaFleet
    let recorder: Recorder
    let timers: Timers<Timer>
    /// The points of the generic service time, or of the prompt and output lengths.
    let workGrid: QuantileGrid
    let promptGrid: QuantileGrid
    /// The prefill seconds of the prompts of 1, 2, 3 and 4 requests together (continuous batching).
    let promptSums: [QuantileGrid]
    /// The step's arrival rate, which sets how many requests are admitted together.
    var stepRate = 0.0
    /// A prompt's prefill with those admitted with it, by their mean number in steps of 1/200: the grid is the
    /// step's costliest sum, and the mean moves slowly.
    var promptWithOthers: [Int: QuantileGrid] = [:]
    /// The share of requests with more than one output token (those with a time per output token).
    let decodingShare: Double

    private(set) var backlog = 0.0
    /// Requests waiting in steady state (Little's law on the step's waits), beside the fluid backlog.
    private var steadyQueue = 0.0
    /// The step in progress and the arrivals counted at its start, which its scrapes see accrue evenly.
    private var stepStart = 0.0
    private var stepSeconds = 1.0
    private var stepArrivals = 0
    /// The noise of a replica's utilization as a scrape reads it (see `scrapeLoad`).
    private let metricStream: RandomStream
    /// Requests in service, by Little's law from the last step.
    private var inServiceLevel = 0.0
    var point: ServiceModel.OperatingPoint
    /// Requests lost with a reclaimed instance and queued again: work to serve before new arrivals.
    private var requeued = 0.0
    private var utilization = LoadMeter()
    /// The variance of one replica's instantaneous utilization metric around `utilization.level`.
    private var levelVariance = 0.0
    private var scrapedArea: [Double]
    private var scrapedAt: [Double]
    private var drainShare: [Double]
    private var drainStart: [Double]
    private var drainEnd: [Double]
    private(set) var busyReplicas = 0
    private var arrived = Tally(), lost = Tally()
    /// The counts a step records (AnalyticServing+Recording.swift).
    var completed = Tally(), reworked = Tally(), timedOut = Tally(), rejected = Tally()
    var waited = Tally(), metBoth = Tally(), metE2E = Tally(), metTTFT = Tally()
    var promptTokens = Tally(), outputTokens = Tally()
    private(set) var diagnostics = AnalyticDiagnostics()
    /// Buffers reused from step to step.
    var e2eCells: [(value: Double, weight: Double)] = []
    var ttftCells: [(value: Double, weight: Double)] = []

    init(spec: DeploymentSpec, model: ServiceModel, arrivalSCV: Double, fleet: ReplicaFleet, recorder: Recorder,
         timers: Timers<Timer>, metricStream: RandomStream) {
        self.model = model
        self.metricStream = metricStream
        self.arrivalSCV = arrivalSCV
        queueSpec = spec.queue
        maxConcurrency = spec.profile?.maxConcurrency ?? 1
        kvTokenBudget = spec.profile?.kvTokenBudget
        self.fleet = fleet
        self.recorder = recorder
        self.timers = timers
        switch model.mode {
        case .generic(let service):
            workGrid = QuantileGrid(sorted: service)
            promptGrid = QuantileGrid(constant: 0)
            promptSums = []
            decodingShare = 0
        case .continuous(let profile, let prompt, let output):
            workGrid = QuantileGrid(sorted: output)
            promptGrid = QuantileGrid(sorted: prompt.map { $0 / profile.prefillTokensPerSecond })
            var sums = [promptGrid]
            for _ in 1..<4 { sums.append(sums[sums.count - 1].adding(promptGrid)) }
            promptSums = sums
            decodingShare = Double(output.count - (output.lastIndex(of: 1).map { $0 + 1 } ?? 0)) / Double(output.count)
        }
        point = model.operatingPoint(rate: 0)
        let replicas = spec.replicaCount
        scrapedArea = Array(repeating: 0, count: replicas)
        scrapedAt = Array(repeating: 0, count: replicas)
        drainShare = Array(repeating: 0, count: replicas)
        drainStart = Array(repeating: 0, count: replicas)
        drainEnd = Array(repeating: 0, count: replicas)
        diagnostics.heavyTailed = model.workSCV > AnalyticDiagnostics.heavyTailSCV
    }

    // MARK: ServingEngine

    var centralQueueLength: Int { Int((backlog + steadyQueue).rounded()) }
    var queuedAtReplicas: Int { 0 }
    var inService: Int { Int(inServiceLevel.rounded()) }
    /// Requests counted as arrived and not yet ended. A request served in steady state ends in the step it arrives,
    /// so this is the backlog and the work lost and queued again, not the requests in service.
    var requestsInFlight: Int {
        let counts = recorder.total.requests
        return counts.arrivals - counts.completed - counts.rejected - counts.timedOut - counts.failed
    }
    var oldestWaitingArrival: Double? {
        backlog > 0 ? timers.now - backlog / max(capacity, 1e-12) : nil
    }

    /// Requests per second the replicas taking work serve at most.
    private var capacity: Double { Double(fleet.active.count) * model.saturationRate }

    func addReplica() {
        scrapedArea.append(0)
        scrapedAt.append(0)
        drainShare.append(0)
        drainStart.append(0)
        drainEnd.append(0)
    }

    func arrive(_ request: Request) {
        preconditionFailure("the analytic engine is offered steps of traffic, not requests")
    }

    func replicaReady(_ replica: Int) {
        utilization.update(level: utilization.level, now: timers.now)
        scrapedArea[replica] = utilization.area
        scrapedAt[replica] = timers.now
    }

    func stopTaking(_ replica: Int) {
        let now = timers.now
        // The fleet has already moved it out of the replicas taking work.
        drainShare[replica] = inServiceLevel / Double(fleet.active.count + 1)
        drainStart[replica] = now
        let hold = point.holdSeconds.isFinite ? point.holdSeconds : 0
        // The last of s requests with exponential residual holds ends after about hold × (1 + ln s).
        drainEnd[replica] = drainShare[replica] > 0 ? now + hold * (1 + log(max(drainShare[replica], 1))) : now
        if drainEnd[replica] > now { timers.set(.drained, slot: replica, at: drainEnd[replica]) }
    }

    func reroute(from replica: Int) {}

    /// The requests still on the replica when its instance goes: its share when it stopped taking work, less what
    /// finished since (exponential residual holds). They end here as whole requests, uncounted as completed.
    func evict(_ replica: Int) -> [Request] {
        let now = timers.now
        guard now < drainEnd[replica], point.holdSeconds.isFinite, point.holdSeconds > 0 else { return [] }
        let remaining = drainShare[replica] * exp(-(now - drainStart[replica]) / point.holdSeconds)
        let count = lost.add(remaining)
        drainEnd[replica] = now
        guard count > 0 else { return [] }
        // Counted as completed when they arrived; they end again when served anew (requeue) or failed.
        recorder.analytic(afterWarmup: false) { totals, _ in totals.requests.completed -= count }
        return Array(repeating: Request(arrival: drainStart[replica], classIndex: 0), count: count)
    }

    func requeue(_ requests: [Request]) {
        requeued += Double(requests.count)
    }

    func handle(kind: UInt8, slot: Int, epoch: UInt32) -> Int? {
        switch Timer(rawValue: kind)! {
        case .drained:
            let record = fleet[slot]
            return record.state == .draining && record.drainingForScaleIn && timers.now >= drainEnd[slot] ? slot : nil
        }
    }

    func isBusy(_ replica: Int) -> Bool {
        fleet[replica].state == .draining ? timers.now < drainEnd[replica] : inServiceLevel > 0
    }

    func held(_ replica: Int) -> Int {
        guard fleet[replica].state == .ready, !fleet.active.isEmpty else { return 0 }
        return Int(((backlog + inServiceLevel) / Double(fleet.active.count)).rounded())
    }

    func ownQueueLength(_ replica: Int) -> Int { 0 }

    /// A scrape reads counts, which fluctuate around the model's means: requests in service are about Poisson
    /// (an M/G/∞ count), and so, as a stand-in with the right mean, is the steady-state queue; the fluid backlog is
    /// read as it is. Reading the means would show the autoscaler a calm no fleet has.
    func totalsRead() -> (centralQueue: Double, queued: Double, inFlight: Double) {
        let queue = backlog + Double(metricStream.poisson(mean: steadyQueue))
        let inService = Double(metricStream.poisson(mean: inServiceLevel))
        return (queue, queue, queue + inService)
    }

    func heldRead(_ replica: Int) -> Double {
        guard fleet[replica].state == .ready, !fleet.active.isEmpty else { return 0 }
        return Double(metricStream.poisson(mean: (backlog + steadyQueue + inServiceLevel) / Double(fleet.active.count)))
    }

    func arrivalsSoFar(counted: Int, now: Double) -> Double {
        Double(counted) - Double(stepArrivals) * max(0, 1 - (now - stepStart) / stepSeconds)
    }

    /// A replica's utilization integrated since its last scrape: the model's mean level, read with the noise a
    /// replica's own load shows over that interval. A replica's sequences (or its server's busy state) fluctuate
    /// around the mean with a correlation time of one hold; averaged over an interval of x holds, the variance
    /// left is the level's own (Poisson sequences, or a Bernoulli busy state) times g(x) = 2/x·(1 − (1 − e^−x)/x),
    /// the variance of a time average of a process with exponential autocorrelation. Without it the HPA reads a
    /// smooth mean no cluster shows it, and its tolerance and stabilization, which act on noise, hold fewer replicas.
    func scrapeLoad(_ replica: Int, now: Double) -> Double {
        utilization.update(level: utilization.level, now: now)
        let seconds = now - scrapedAt[replica]
        defer {
            scrapedArea[replica] = utilization.area
            scrapedAt[replica] = now
        }
        guard fleet[replica].state == .ready else { return 0 }
        let interval = utilization.area - scrapedArea[replica]
        let level = utilization.level
        guard seconds > 0, level > 0, level < 1, point.holdSeconds > 0, point.holdSeconds.isFinite else {
            return interval
        }
        let holds = seconds / point.holdSeconds
        let spread = 2 / holds * (1 - (1 - exp(-holds)) / holds)
        let variance: Double
        switch model.mode {
        case .generic: variance = level * (1 - level) * spread
        case .continuous: variance = levelVariance * spread
        }
        guard variance > 0 else { return interval }
        let mean = interval / seconds
        let draw = metricStream.gamma(shape: mean * mean / variance, scale: variance / mean)
        return min(draw, 1) * seconds
    }

    // MARK: A step

    /// Serves the next `seconds` of traffic at the replicas ready now: `drawn` requests arrive (what is counted
    /// and served), `expected` on average (what the formulas read: the rate whose randomness Erlang C describes).
    func step(expected: Double, drawn offered: Double, over seconds: Double) {
        let now = timers.now
        let replicas = fleet.active.count
        let capacity = self.capacity
        let arrivedCount = arrived.add(offered)
        stepStart = now
        stepSeconds = seconds
        stepArrivals = arrivedCount
        steadyQueue = 0
        let work = offered + requeued
        let rate = (expected + requeued) / seconds
        stepRate = rate
        let startBacklog = backlog
        var served: Double
        var wait: QuantileGrid
        var dropped = (timedOut: 0.0, rejected: 0.0)
        diagnostics.steps += 1
        if replicas > 0 && replicas * model.slots < AnalyticDiagnostics.fewServers && rate > 0 {
            diagnostics.fewServerSteps += 1
        }
        if backlog > 0 || rate >= capacity {
            // The fleet cannot keep up: a fluid queue, filled by the excess and drained at capacity.
            served = min(backlog + work, capacity * seconds)
            backlog += work - served
            point = replicas > 0 ? model.saturated : model.operatingPoint(rate: 0)
            if let timeout = queueSpec.timeoutSeconds {
                // Requests that would wait longer than the timeout leave: the backlog holds at most that long a wait.
                let limit = (capacity > 0 ? capacity : rate) * timeout
                if backlog > limit { dropped.timedOut = backlog - limit; backlog = limit }
            }
            if let room = queueSpec.capacity.map(Double.init), backlog > room {
                dropped.rejected = backlog - room
                backlog = room
            }
            let meanBacklog = (startBacklog + backlog) / 2
            wait = QuantileGrid(constant: capacity > 0 ? meanBacklog / capacity : 0)
            if backlog > 0 { diagnostics.overloadedSteps += 1 }
        } else {
            // Steady state at this step's rate.
            served = work
            point = model.operatingPoint(rate: rate / Double(replicas))
            let servers = replicas * model.slots
            let load = rate * point.holdSeconds
            let probability = QueueingApproximation.probabilityOfWait(servers: servers, load: load)
            let meanWait = QueueingApproximation.meanConditionalWait(
                servers: servers, load: load, holdSeconds: point.holdSeconds, arrivalSCV: arrivalSCV,
                serviceSCV: holdSCV)
            wait = QuantileGrid.wait(probabilityOfWait: probability, meanWait: meanWait, offset: 0)
            steadyQueue = rate * wait.mean
        }
        // Lost work queued again is served first; its latencies were recorded when it first arrived.
        let rework = min(requeued, served)
        requeued -= rework
        if let timeout = queueSpec.timeoutSeconds {
            // In steady state, the share whose wait would pass the timeout gives up.
            var share = 0.0
            for index in wait.values.indices where wait.values[index] > timeout {
                share += wait.weights[index]
                wait.weights[index] = 0
            }
            if share > 0 && share < 1 {
                for index in wait.weights.indices { wait.weights[index] /= 1 - share }
            }
            dropped.timedOut += served * min(share, 1)
            served *= 1 - min(share, 1)
        }
        // Levels follow the mean rate in steady state (a scrape adds the noise a replica's load shows), the fluid's
        // throughput in overload.
        let levelRate = backlog > 0 || startBacklog > 0 ? served / seconds : min(rate, capacity)
        inServiceLevel = levelRate * (point.holdSeconds.isFinite ? point.holdSeconds : 0)
        updateLevels(replicas: replicas, rate: levelRate, now: now)
        record(completions: served, rework: rework, arrivals: arrivedCount, dropped: dropped, wait: wait, now: now)
    }

    /// The squared coefficient of variation of a slot's hold: the service time's, or, in continuous batching, the
    /// output length's scaled by the share of the hold spent decoding.
    private var holdSCV: Double {
        switch model.mode {
        case .generic: return model.workSCV
        case .continuous:
            guard point.holdSeconds > 0, point.holdSeconds.isFinite else { return 0 }
            let decoding = model.meanWork * point.tokenSeconds / point.holdSeconds
            return model.workSCV * decoding * decoding
        }
    }

    private func updateLevels(replicas: Int, rate: Double, now: Double) {
        var level: Double
        levelVariance = 0
        switch model.mode {
        case .generic:
            level = replicas > 0 ? min(rate * model.meanWork / Double(replicas), 1) : 0
            busyReplicas = min(replicas, Int((rate * model.meanWork).rounded(.up)))
        case .continuous:
            let sequences = replicas > 0 ? point.sequences : 0
            (level, levelVariance) = continuousLevel(sequences: sequences)
            // Sequences on one replica are about Poisson: the share of replicas holding none is e^(−n).
            busyReplicas = Int((Double(replicas) * (1 - exp(-sequences))).rounded())
            recorder.window.peakSequencesPerReplica = max(recorder.window.peakSequencesPerReplica,
                                                         Int(sequences.rounded(.up)))
            recorder.window.peakKVTokensPerReplica = max(recorder.window.peakKVTokensPerReplica,
                                                        Int(sequences * model.meanReservation))
        }
        utilization.update(level: min(level, 1), now: now)
    }

    /// A replica's utilization metric under continuous batching — the larger of its sequences over the maximum
    /// concurrency and its reserved KV tokens over the budget, as the discrete-event engine measures it — as a mean
    /// and a variance. The sequences are about Poisson(n) and the tokens a compound Poisson sum of in-flight
    /// reservations; the larger of two correlated normals has Clark's (1961) moments. Where the two levels are
    /// close, as in profiles whose concurrency matches their KV budget, the mean of the larger sits measurably
    /// above the larger mean, and the HPA reads it.
    private func continuousLevel(sequences n: Double) -> (mean: Double, variance: Double) {
        let slots = Double(max(maxConcurrency, 1))
        let sequenceMean = n / slots
        let sequenceVariance = n / (slots * slots)
        guard let budget = kvTokenBudget.map(Double.init), n > 0 else { return (sequenceMean, sequenceVariance) }
        let tokenMean = n * model.meanReservation / budget
        let tokenVariance = n * model.meanSquareReservation / (budget * budget)
        let covariance = n * model.meanReservation / (slots * budget)
        let spread = (sequenceVariance + tokenVariance - 2 * covariance).squareRoot()
        guard spread > 1e-12 else { return (max(sequenceMean, tokenMean), max(sequenceVariance, tokenVariance)) }
        let alpha = (sequenceMean - tokenMean) / spread
        let above = 0.5 * erfc(-alpha / 2.0.squareRoot())
        let density = exp(-alpha * alpha / 2) / (2 * Double.pi).squareRoot()
        let mean = sequenceMean * above + tokenMean * (1 - above) + spread * density
        let square = (sequenceMean * sequenceMean + sequenceVariance) * above
            + (tokenMean * tokenMean + tokenVariance) * (1 - above) + (sequenceMean + tokenMean) * spread * density
        return (mean, max(square - mean * mean, 0))
    }
}
