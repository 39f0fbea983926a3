import FleetSimKernel

/// One run of a scenario: traffic arrives, deployments serve it, statistics stream out by window.
///
/// ```swift
/// let result = Simulation(scenario: scenario, replication: 0, observer: writer).run()
/// ```
///
/// Each random source draws from its own stream, named after the source and seeded from (scenario seed, source,
/// replication): changing a deployment never changes the traffic (common random numbers), and two runs of the same
/// scenario, seed and replication are identical.
public final class Simulation: DiscreteEventModel {
    public var events = EventQueue<SimulationEvent>()

    let scenario: Scenario
    let replication: Int
    /// Held strongly: an observer made inline for one run must live as long as the run.
    let observer: (any SimulationObserver)?

    /// Exactly one of the two is set. Two optionals rather than an enum, so each is mutated in place.
    private var synthetic: ArrivalGenerator?
    private var replay: TraceReplayGenerator?
    /// The request whose `.arrival` event is pending.
    private var nextRequest: Request?
    private let classStream: RandomStream
    private let tokenLengths: [(prompt: TokenLength?, output: TokenLength?)]
    private let hasTokenLengths: Bool
    private let classIndexByName: [String: Int32]
    private let classCumulativeWeights: [Double]
    private let classDeployment: [Int]
    let deployments: [ServingDeployment]

    private var lastAdvance = 0.0
    private var windowStart = 0.0
    private var windowEnd: Double
    private var maxTotalReady = 0
    private var spentSoFar = 0.0
    private var nextBudgetAlert = 0
    /// Requests in flight one deployment may hold (`SimulationLimits`), and the stop when one passed it.
    private let maxInFlightPerDeployment: Int
    public private(set) var stop: RunStop?
    public var isStopped: Bool { stop != nil }

    /// `trace` is where a scenario that replays a trace reads its records; the caller opens it (FleetSimIO does, from
    /// `scenario.traffic.trace`), so the model never touches a file.
    public init(
        scenario: Scenario, replication: Int = 0, observer: (any SimulationObserver)? = nil,
        trace: (any TraceSource)? = nil, limits: SimulationLimits = .none
    ) {
        self.scenario = scenario
        maxInFlightPerDeployment = limits.maxRequestsInFlight / max(scenario.deployments.count, 1)
        self.replication = replication
        self.observer = observer
        func stream(_ source: String) -> RandomStream {
            RandomStream(seed: scenario.seed, source: source, replication: replication)
        }
        let traffic = scenario.traffic
        let horizon = scenario.durationSeconds
        var curve: RateCurve?
        if let replaySpec = traffic.trace {
            guard let trace else { preconditionFailure("scenario \(scenario.name) replays a trace; pass its source") }
            self.replay = TraceReplayGenerator(
                replay: replaySpec, source: trace, horizon: horizon, stream: stream("traffic.trace"))
        } else {
            let random = traffic.randomSpikes?.realise(horizon: horizon, stream: stream("traffic.spikes")) ?? []
            let rateCurve = RateCurve(traffic: traffic, horizon: horizon, spikes: traffic.spikes + random)
            curve = rateCurve
            var burstStream: RandomStream?
            if case .mmpp = traffic.arrivals { burstStream = stream("traffic.bursts") }
            synthetic = ArrivalGenerator(
                curve: rateCurve, process: traffic.arrivals, stream: stream("traffic.arrivals"), burstStream: burstStream)
        }
        classStream = stream("traffic.classes")
        tokenLengths = traffic.classes.map { requestClass in
            (requestClass.promptTokens.map { TokenLength($0, stream("traffic.prompt.\(requestClass.name)")) },
             requestClass.outputTokens.map { TokenLength($0, stream("traffic.output.\(requestClass.name)")) })
        }
        hasTokenLengths = tokenLengths.contains { $0.prompt != nil || $0.output != nil }
        classIndexByName = Dictionary(uniqueKeysWithValues: traffic.classes.enumerated().map { ($1.name, Int32($0)) })
        let weights = scenario.traffic.classes.map(\.weight)
        let totalWeight = weights.reduce(0, +)
        var running = 0.0
        classCumulativeWeights = weights.map { running += $0 / totalWeight; return running }
        let names = scenario.deployments.map(\.name)
        classDeployment = scenario.traffic.classes.map { requestClass in
            guard let index = names.firstIndex(of: requestClass.deployment) else {
                preconditionFailure("class \(requestClass.name) names unknown deployment \(requestClass.deployment)")
            }
            return index
        }
        deployments = scenario.deployments.enumerated().map { index, spec in
            // The rate this deployment is offered, for forecasts that know the traffic model.
            let share = traffic.classes.filter { $0.deployment == spec.name }.reduce(0) { $0 + $1.weight } / totalWeight
            return ServingDeployment(
                index: index, spec: spec, slo: scenario.slo, warmupSeconds: scenario.warmupSeconds,
                classes: scenario.traffic.classes, stream: stream,
                expectedRate: curve.map { curve in { curve.rate(at: $0) * share } })
        }
        windowEnd = min(scenario.windowSeconds, scenario.durationSeconds)
    }

    /// Runs to the horizon and returns the summary. `progress` receives the simulated time now and then.
    public func run(progress: ((Double) -> Void)? = nil) -> SimulationResult {
        for deployment in deployments {
            for pool in deployment.spec.pools where pool.count > 0 {
                observer?.fleetEvent(FleetEvent(
                    timeSeconds: 0, deployment: deployment.spec.name, kind: .ready, pool: pool.purchase,
                    replicasBefore: 0, replicasAfter: pool.count, detail: "fixed fleet"))
            }
        }
        for deployment in deployments {
            deployment.observer = { [observer] in observer?.fleetEvent($0) }
            deployment.start(events: &events)
        }
        scheduleNextArrival()
        run(until: scenario.durationSeconds, progress: progress)
        closeWindow(at: events.now)
        return makeResult()
    }

    // MARK: DiscreteEventModel

    public func advance(to time: Double) {
        while time >= windowEnd && windowEnd < scenario.durationSeconds {
            integrate(until: windowEnd)
            closeWindow(at: windowEnd)
        }
        integrate(until: time)
    }

    public func handle(_ event: SimulationEvent) {
        switch event {
        case .arrival:
            guard let request = nextRequest else { preconditionFailure("an arrival event without a request") }
            let deployment = deployments[classDeployment[Int(request.classIndex)]]
            deployment.arrive(request, events: &events)
            if deployment.inFlight > maxInFlightPerDeployment {
                stop = RunStop(
                    timeSeconds: events.now, deployment: deployment.spec.name,
                    requestsInFlight: deployment.inFlight)
                return
            }
            scheduleNextArrival()
        case .batchWindowDue(let deployment):
            deployments[Int(deployment)].batchWindowDue(events: &events)
        case .batchCompleted(let deployment, let replica):
            deployments[Int(deployment)].batchCompleted(replica: Int(replica), events: &events)
        case .queueTimeoutDue(let deployment):
            deployments[Int(deployment)].queueTimeoutDue(events: &events)
        case .replicaQueueTimeoutDue(let deployment, let replica):
            deployments[Int(deployment)].replicaQueueTimeoutDue(Int(replica), events: &events)
        case .replicaDue(let deployment, let replica, let epoch):
            deployments[Int(deployment)].replicaDue(Int(replica), epoch: epoch, events: &events)
        case .reclaimNotice(let deployment, let replica):
            deployments[Int(deployment)].reclaimNotice(Int(replica), events: &events)
        case .replicaGone(let deployment, let replica):
            deployments[Int(deployment)].replicaGone(Int(replica), events: &events)
        case .replicaLoading(let deployment, let replica):
            deployments[Int(deployment)].replicaLoading(Int(replica), events: &events)
        case .replicaReady(let deployment, let replica):
            deployments[Int(deployment)].replicaReady(Int(replica), events: &events)
        case .warmInstanceReady(let deployment, let pool):
            deployments[Int(deployment)].warmInstanceReady(inPool: Int(pool))
        case .metricsScrape(let deployment):
            deployments[Int(deployment)].scrapeMetrics(events: &events)
        case .autoscalerSync(let deployment):
            deployments[Int(deployment)].autoscalerSync(events: &events)
        case .priceChange(let deployment, let pool, let step):
            deployments[Int(deployment)].priceChange(pool: Int(pool), step: Int(step), events: &events)
        case .fleetRetry(let deployment):
            deployments[Int(deployment)].fleetRetry(events: &events)
        case .reclaimStorm(let deployment, let pool):
            deployments[Int(deployment)].reclaimStorm(inPool: Int(pool), events: &events)
        case .capacityChange(let deployment, let change):
            deployments[Int(deployment)].capacityChange(Int(change), events: &events)
        }
    }

    // MARK: Internals

    /// Draws (or reads) the next request and schedules its arrival; nothing once the traffic is over.
    private func scheduleNextArrival() {
        if synthetic != nil {
            guard let time = synthetic!.next() else { nextRequest = nil; return }
            let requestClass = pickClass()
            var request = Request(arrival: time, classIndex: Int32(requestClass))
            if hasTokenLengths {
                request.promptTokens = tokenLengths[requestClass].prompt?.draw() ?? 0
                request.outputTokens = tokenLengths[requestClass].output?.draw() ?? 0
            }
            nextRequest = request
        } else {
            guard let arrival = replay!.next() else { nextRequest = nil; return }
            let record = arrival.record
            // The trace names the class when it can; otherwise the weights decide, as for synthetic traffic.
            let requestClass = record.className.flatMap { classIndexByName[$0] } ?? Int32(pickClass())
            nextRequest = Request(
                arrival: arrival.time, classIndex: requestClass,
                promptTokens: Int32(clamping: record.promptTokens), outputTokens: Int32(clamping: record.outputTokens))
        }
        events.schedule(.arrival, at: nextRequest!.arrival)
    }

    private func pickClass() -> Int {
        guard classCumulativeWeights.count > 1 else { return 0 }
        let u = classStream.uniform()
        return classCumulativeWeights.firstIndex { u < $0 } ?? classCumulativeWeights.count - 1
    }

    private func integrate(until time: Double) {
        let seconds = time - lastAdvance
        guard seconds > 0 else { return }
        var totalReady = 0
        var costRate = 0.0
        for deployment in deployments {
            let levels = deployment.levels
            deployment.window.integrate(levels, over: seconds)
            totalReady += levels.ready
            costRate += levels.costPerSecond.total
        }
        maxTotalReady = max(maxTotalReady, totalReady)
        if let budget = scenario.budget {
            checkBudget(budget, from: lastAdvance, over: seconds, rate: costRate)
        }
        lastAdvance = time
    }

    /// Cost accrues linearly between events, so the instant it reaches an alert's amount is found exactly.
    private func checkBudget(_ budget: BudgetSpec, from start: Double, over seconds: Double, rate: Double) {
        let runBudget = budget.forRun(seconds: scenario.durationSeconds)
        let end = spentSoFar + rate * seconds
        while nextBudgetAlert < budget.alerts.count, end >= budget.alerts[nextBudgetAlert] * runBudget {
            let fraction = budget.alerts[nextBudgetAlert]
            let at = rate > 0 ? start + max(fraction * runBudget - spentSoFar, 0) / rate : start
            observer?.fleetEvent(FleetEvent(
                timeSeconds: at, deployment: "all", kind: .budgetAlert, pool: nil, replicasBefore: 0, replicasAfter: 0,
                detail: String(format: "%.0f%% of the %.2f USD budget for the run (%.2f USD/month pro-rated) spent",
                               fraction * 100, runBudget, budget.monthlyUSD)))
            nextBudgetAlert += 1
        }
        spentSoFar = end
    }

    private func closeWindow(at end: Double) {
        for deployment in deployments {
            deployment.total.addIntegrals(of: deployment.window)
        }
        let rows = deployments.map { deployment in
            TimelineRow(
                window: deployment.window, deployment: deployment.spec.name, start: windowStart, end: end,
                costCumulative: deployment.total.cost.total, hasSLO: scenario.slo != nil)
        }
        observer?.windowClosed(rows)
        for deployment in deployments {
            deployment.window.reset()
        }
        windowStart = end
        windowEnd = min(end + scenario.windowSeconds, scenario.durationSeconds)
    }

    private func makeResult() -> SimulationResult {
        let duration = events.now
        let perDeployment = deployments.map { deployment in
            DeploymentResult(
                name: deployment.spec.name, accumulator: deployment.total, inFlightAtEnd: deployment.inFlight,
                durationSeconds: duration, slo: scenario.slo,
                maxReady: deployment.total.maxReady)
        }
        var merged = Accumulator(.run)
        for deployment in deployments {
            merged.merge(deployment.total)
        }
        let total = DeploymentResult(
            name: "total", accumulator: merged, inFlightAtEnd: deployments.reduce(0) { $0 + $1.inFlight },
            durationSeconds: duration, slo: scenario.slo, maxReady: maxTotalReady)
        let perClass = scenario.traffic.classes.enumerated().map { classIndex, requestClass in
            let deployment = deployments[classDeployment[classIndex]]
            let totals = deployment.classTotals.isEmpty
                ? deployment.total : deployment.classTotals[deployment.classSlot[classIndex]]
            let ended = totals.completed + totals.rejected + totals.timedOut + totals.failed
            return DeploymentResult(
                name: requestClass.name, accumulator: totals, inFlightAtEnd: totals.arrivals - ended,
                durationSeconds: duration, slo: scenario.slo, maxReady: 0)
        }
        return SimulationResult(
            scenario: scenario.name, seed: scenario.seed, replication: replication, durationSeconds: duration,
            total: total, deployments: perDeployment, classes: perClass, events: events.processed, stop: stop)
    }
}

/// A token-length distribution with its own stream. Draws are rounded to whole tokens, at least one.
struct TokenLength {
    let distribution: Distribution
    let stream: RandomStream

    init(_ distribution: Distribution, _ stream: RandomStream) {
        self.distribution = distribution
        self.stream = stream
    }

    func draw() -> Int32 {
        let value = distribution.sample(stream).rounded()
        return value >= 1 ? Int32(clamping: Int(min(value, 1e9))) : 1
    }
}
