import FleetSimKernel

/// One run of a scenario: traffic arrives, deployments serve it, statistics stream out by window.
///
/// ```swift
/// let result = Simulation(scenario: scenario, replication: 0, observer: writer).run()
/// ```
///
/// The simulation owns the agenda of pending events, the request source and the deployments; it hands each arrival
/// to its class's deployment and each timer to the deployment that set it, and closes the timeline windows. Each
/// random source draws from its own stream, named after the source and seeded from (scenario seed, source,
/// replication): changing a deployment never changes the traffic (common random numbers), and two runs of the same
/// scenario, seed and replication are identical.
public final class Simulation: DiscreteEventModel {
    public let agenda = Agenda<Event>()

    let scenario: Scenario
    let replication: Int
    /// Held strongly: an observer made inline for one run must live as long as the run.
    let observer: (any SimulationObserver)?
    private var source: RequestSource
    /// The request whose arrival is pending.
    private var nextRequest: Request?
    /// The deployment serving each request class.
    private let classDeployment: [Int]
    let deployments: [any Deployment]
    /// Held for the deployments, which refer to it `unowned`.
    private let path: RequestPath
    /// The first deployment again: a call through a stored property borrows it, while one through an array element
    /// retains and releases it, once or twice per event (most scenarios have one deployment, or one that is busy).
    private let first: any Deployment
    private var budget: BudgetWatch?
    /// The analytic engine's traffic and step, and each deployment's share of the offered load; nil for the
    /// discrete-event engine.
    private var analytic: (traffic: AnalyticTraffic, stepSeconds: Double, shares: [Double])?

    private var lastAdvance = 0.0
    private var windowStart = 0.0
    private var windowEnd: Double
    private var maxTotalReady = 0
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
        self.replication = replication
        self.observer = observer
        maxInFlightPerDeployment = limits.maxRequestsInFlight / max(scenario.deployments.count, 1)
        func stream(_ source: String) -> RandomStream {
            RandomStream(seed: scenario.seed, source: source, replication: replication)
        }
        let traffic = scenario.traffic
        source = RequestSource(
            traffic: traffic, horizon: scenario.durationSeconds, trace: trace, drawsDifficulty: scenario.readsDifficulty,
            stream: stream)
        let names = scenario.deployments.map(\.name)
        classDeployment = traffic.classes.map { requestClass in
            guard let index = names.firstIndex(of: requestClass.deployment) else {
                preconditionFailure("class \(requestClass.name) names unknown deployment \(requestClass.deployment)")
            }
            return index
        }
        let totalWeight = traffic.classes.reduce(0) { $0 + $1.weight }
        let curve = source.curve
        if case .analytic(let step) = scenario.engine {
            guard let curve, AnalyticScope.gap(in: scenario) == nil else {
                preconditionFailure("the analytic engine cannot compute this scenario (AnalyticScope.gap names why)")
            }
            var shares = [Double](repeating: 0, count: scenario.deployments.count)
            for (index, requestClass) in traffic.classes.enumerated() {
                shares[classDeployment[index]] += requestClass.weight / totalWeight
            }
            analytic = (AnalyticTraffic(curve: curve, process: traffic.arrivals, stream: stream), step, shares)
        }
        let arrivalSCV = analytic?.traffic.arrivalSCV
        let agenda = agenda
        let path = RequestPath(names: names)
        let reaching = scenario.classesReaching
        let handedTo = Set(scenario.deployments.flatMap(\.handsOnTo))
        deployments = scenario.deployments.enumerated().map { index, spec in
            let share = traffic.classes.filter { $0.deployment == spec.name }.reduce(0) { $0 + $1.weight } / totalWeight
            // A deployment that hand-offs reach is offered more than its classes' share: no forecast from the curve.
            let expectedRate: ((Double) -> Double)? = handedTo.contains(spec.name)
                ? nil : curve.map { curve in { curve.rate(at: $0) * share } }
            let context = DeploymentContext(
                index: index, slo: scenario.slo, warmupSeconds: scenario.warmupSeconds, classes: traffic.classes,
                stream: stream, expectedRate: expectedRate, agenda: agenda, observer: observer, path: path,
                reachingClasses: reaching[index], analyticArrivalSCV: arrivalSCV)
            return makeDeployment(spec, context: context)
        }
        path.deployments = deployments
        self.path = path
        first = deployments[0]
        budget = scenario.budget.map { BudgetWatch($0, runSeconds: scenario.durationSeconds) }
        windowEnd = min(scenario.windowSeconds, scenario.durationSeconds)
    }

    /// Runs to the horizon (or to a stop at the memory bound) and returns the summary. `progress` receives the
    /// simulated time now and then.
    public func run(progress: ((Double) -> Void)? = nil) -> SimulationResult {
        for deployment in deployments {
            deployment.start()
        }
        if analytic != nil {
            agenda.queue.schedule(.arrival, at: 0)
        } else {
            scheduleNextArrival()
        }
        run(until: scenario.durationSeconds, progress: progress)
        closeWindow(at: agenda.now)
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

    public func handle(_ event: Event) {
        guard event.deployment >= 0 else {
            if analytic != nil { offerStep() } else { arrive() }
            return
        }
        if event.deployment == 0 {
            first.handle(event)
        } else {
            deployments[Int(event.deployment)].handle(event)
        }
    }

    // MARK: Internals

    private func arrive() {
        guard let request = nextRequest else { preconditionFailure("an arrival event without a request") }
        let index = classDeployment[Int(request.classIndex)]
        let inFlight: Int
        if index == 0 {
            first.arrive(request)
            inFlight = first.inFlight
        } else {
            deployments[index].arrive(request)
            inFlight = deployments[index].inFlight
        }
        if inFlight > maxInFlightPerDeployment {
            stop = RunStop(timeSeconds: agenda.now, deployment: deployments[index].spec.name, requestsInFlight: inFlight)
            return
        }
        scheduleNextArrival()
    }

    /// The analytic engine's step: each deployment is offered its share of the requests expected until the next.
    private func offerStep() {
        let start = agenda.now
        let end = min(start + analytic!.stepSeconds, scenario.durationSeconds)
        guard end > start else { return }
        let offered = analytic!.traffic.arrivals(from: start, to: end)
        for index in deployments.indices where analytic!.shares[index] > 0 {
            let share = analytic!.shares[index]
            deployments[index].offer(expected: offered.expected * share, drawn: offered.drawn * share, over: end - start)
        }
        if end < scenario.durationSeconds {
            agenda.queue.schedule(.arrival, at: end)
        }
    }

    /// Draws (or reads) the next request and schedules its arrival; nothing once the traffic is over.
    private func scheduleNextArrival() {
        nextRequest = source.next()
        if let request = nextRequest {
            agenda.queue.schedule(.arrival, at: request.arrival)
        }
    }

    private func integrate(until time: Double) {
        let seconds = time - lastAdvance
        guard seconds > 0 else { return }
        var totalReady = 0
        var costRate = 0.0
        for index in deployments.indices {
            let levels = index == 0 ? first.integrate(over: seconds) : deployments[index].integrate(over: seconds)
            totalReady += levels.ready
            costRate += levels.costPerSecond
        }
        maxTotalReady = max(maxTotalReady, totalReady)
        if budget != nil {
            // Per-call costs (API tokens, cache lookups, classifiers) were spent at the last event, `lastAdvance`.
            var calls = 0.0
            for deployment in deployments {
                calls += deployment.recorder.spentSinceBudgetLook
                deployment.recorder.spentSinceBudgetLook = 0
            }
            for alert in budget!.spend(from: lastAdvance, over: seconds, rate: costRate, atStart: calls) {
                observer?.fleetEvent(alert)
            }
        }
        lastAdvance = time
    }

    private func closeWindow(at end: Double) {
        for deployment in deployments {
            deployment.recorder.total.addIntegrals(of: deployment.recorder.window)
        }
        let rows = deployments.map { deployment in
            TimelineRow(
                window: deployment.recorder.window, deployment: deployment.spec.name, start: windowStart, end: end,
                costCumulative: deployment.recorder.total.cost.total, hasSLO: scenario.slo != nil)
        }
        observer?.windowClosed(rows)
        for deployment in deployments {
            deployment.recorder.window.reset()
        }
        windowStart = end
        windowEnd = min(end + scenario.windowSeconds, scenario.durationSeconds)
    }

    /// Totals over several deployments: a request handed on arrived at each of them, so it counts once, where it
    /// entered (arrivals less hand-offs).
    private static func merged(_ totals: [Accumulator]) -> Accumulator {
        var merged = Accumulator(.run)
        for accumulator in totals {
            merged.merge(accumulator)
        }
        merged.requests.arrivals -= merged.requests.forwarded
        return merged
    }

    private func makeResult() -> SimulationResult {
        let duration = agenda.now
        let perDeployment = deployments.map { deployment in
            DeploymentResult(
                name: deployment.spec.name, accumulator: deployment.recorder.total, inFlightAtEnd: deployment.inFlight,
                durationSeconds: duration, slo: scenario.slo, maxReady: deployment.recorder.total.integrals.maxReady)
        }
        let merged = Self.merged(deployments.map(\.recorder.total))
        let total = DeploymentResult(
            name: "total", accumulator: merged, inFlightAtEnd: deployments.reduce(0) { $0 + $1.inFlight },
            durationSeconds: duration, slo: scenario.slo, maxReady: maxTotalReady)
        let perClass = scenario.traffic.classes.indices.map { classIndex in
            let totals = Self.merged(deployments.compactMap { $0.recorder.totals(forClass: classIndex) })
            let ended = totals.requests.completed + totals.requests.rejected + totals.requests.timedOut + totals.requests.failed
            return DeploymentResult(
                name: scenario.traffic.classes[classIndex].name, accumulator: totals,
                inFlightAtEnd: totals.requests.arrivals - ended, durationSeconds: duration, slo: scenario.slo, maxReady: 0)
        }
        var diagnostics: AnalyticDiagnostics?
        for deployment in deployments {
            if let seen = deployment.analyticDiagnostics {
                diagnostics = diagnostics ?? AnalyticDiagnostics()
                diagnostics!.merge(seen)
            }
        }
        return SimulationResult(
            scenario: scenario.name, seed: scenario.seed, replication: replication, durationSeconds: duration,
            total: total, deployments: perDeployment, classes: perClass, events: agenda.queue.processed, stop: stop,
            analytic: diagnostics)
    }
}
