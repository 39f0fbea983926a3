import FleetSimKernel

/// A deployment: a named stage requests are sent to. It receives the requests of its classes and those handed on to
/// it, routes the timers its parts set, and keeps its statistics in its recorder.
///
/// Three kinds conform: `ReplicaDeployment` serves on instances — GPU replicas in pools, with a serving engine,
/// billing and an autoscaler; `APIDeployment` is a per-token API with rate limits; `RouterDeployment` sends each
/// request on to a tier by rules. Any of them may have a response cache in front, and a tier may be a step of a
/// cascade (`Cascade`, in its recorder).
protocol Deployment: AnyObject {
    var spec: DeploymentSpec { get }
    var recorder: Recorder { get }
    /// Requests queued or being served.
    var inFlight: Int { get }
    /// Requests the replicas taking new work can serve at once (their batch or concurrency limit, summed); 0 for
    /// deployments without replicas. What a router balancing by free capacity weighs.
    var servingSlots: Int { get }
    /// Writes the fleet present at time 0 and sets the first timers.
    func start()
    func arrive(_ request: Request)
    func handle(_ event: Event)
    /// Integrates the deployment's levels since the previous event (`seconds`) into its window; returns the replicas
    /// serving and the cost per second, for the run's fleet-wide figures.
    func integrate(over seconds: Double) -> (ready: Int, costPerSecond: Double)
    /// The analytic engine: serves the next `seconds` of traffic, `expected` requests on average of which `drawn`
    /// arrive (replica deployments only; the scenario check refuses the others).
    func offer(expected: Double, drawn: Double, over seconds: Double)
    /// What the analytic engine saw of its weak regimes; nil in the discrete-event engine.
    var analyticDiagnostics: AnalyticDiagnostics? { get }
}

extension Deployment {
    func offer(expected: Double, drawn: Double, over seconds: Double) {
        preconditionFailure("the analytic engine serves replica deployments only")
    }

    var analyticDiagnostics: AnalyticDiagnostics? { nil }
}

/// What a deployment needs from the run: its position, its random streams, where its timers and fleet events go.
struct DeploymentContext {
    let index: Int
    let slo: SLOSpec?
    let warmupSeconds: Double
    let classes: [RequestClass]
    /// The stream for a random source of the run, by name (seeded from the scenario seed and the replication).
    let stream: (String) -> RandomStream
    /// The rate this deployment is offered over time, for forecasts that know the traffic model.
    let expectedRate: ((Double) -> Double)?
    let agenda: Agenda<Event>
    let observer: (any SimulationObserver)?
    /// Where hand-offs go.
    let path: RequestPath
    /// The classes whose requests can reach this deployment.
    let reachingClasses: [Int]
    /// The analytic engine's arrival variability (squared coefficient of variation of the gaps); nil when the run
    /// is discrete-event.
    let analyticArrivalSCV: Double?

    /// The deployment's recorder, with its cascade when it has one.
    func recorder(_ spec: DeploymentSpec, measuresTokens: Bool) -> Recorder {
        let recorder = Recorder(
            reachingClasses: reachingClasses, classCount: classes.count, slo: slo, warmupSeconds: warmupSeconds,
            measuresTokens: measuresTokens, quality: spec.quality, promptCaching: spec.promptCaching)
        recorder.cascade = spec.escalation.map { Cascade($0, path: path, stream: stream("escalation.\(spec.name)")) }
        return recorder
    }

    func cache(_ spec: DeploymentSpec) -> ResponseCache? {
        spec.cache.map { ResponseCache(spec: $0, stream: stream("cache.\(spec.name)")) }
    }

    func timers<Kind: TimerKind>(_ kind: Kind.Type = Kind.self) -> Timers<Kind> {
        Timers(agenda: agenda, deployment: Int32(index))
    }
}

/// The deployment a spec describes.
func makeDeployment(_ spec: DeploymentSpec, context: DeploymentContext) -> any Deployment {
    switch spec.kind {
    case .replicas: ReplicaDeployment(spec: spec, context: context)
    case .api(let api): APIDeployment(spec: spec, api: api, context: context)
    case .router(let router): RouterDeployment(spec: spec, router: router, context: context)
    }
}

extension ResponseCache {
    /// Looks `request` up and counts it; true when the cache answered it. A miss carries the lookup's latency on.
    func answers(_ request: inout Request, now: Double, recorder: Recorder) -> Bool {
        let hit = lookup(now: now)
        recorder.lookedUp(request, hit: hit, cache: spec)
        if !hit && spec.lookupSeconds > 0 { request.upstreamSeconds += Float(spec.lookupSeconds) }
        return hit
    }
}
