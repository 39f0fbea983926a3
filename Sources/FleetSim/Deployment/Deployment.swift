import FleetSimKernel

/// A deployment: one served model, with everything it takes to serve it. It receives the requests of its classes,
/// routes the timers its parts set, and keeps its statistics in its recorder.
///
/// `ReplicaDeployment` serves on instances — GPU replicas in pools, with a serving engine, billing and an
/// autoscaler; a deployment of another kind (a per-token API) conforms to the same protocol and plugs in beside it,
/// without touching the serving engines.
protocol Deployment: AnyObject {
    var spec: DeploymentSpec { get }
    var recorder: Recorder { get }
    /// Requests queued or being served.
    var inFlight: Int { get }
    /// Writes the fleet present at time 0 and sets the first timers.
    func start()
    func arrive(_ request: Request)
    func handle(_ event: Event)
    /// Integrates the deployment's levels since the previous event (`seconds`) into its window; returns the replicas
    /// serving and the cost per second, for the run's fleet-wide figures.
    func integrate(over seconds: Double) -> (ready: Int, costPerSecond: Double)
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

    func timers<Kind: TimerKind>(_ kind: Kind.Type = Kind.self) -> Timers<Kind> {
        Timers(agenda: agenda, deployment: Int32(index))
    }
}

/// The deployment a spec describes.
func makeDeployment(_ spec: DeploymentSpec, context: DeploymentContext) -> any Deployment {
    ReplicaDeployment(spec: spec, context: context)
}
