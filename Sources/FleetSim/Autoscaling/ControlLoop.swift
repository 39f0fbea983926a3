/// The control loop of one deployment: the metric pipeline scrapes its replicas every `scrape`, the policy decides a
/// replica count every sync period, and the policy's bounds and the schedule's floor and ceiling hold it; the
/// deployment then reconciles the fleet to the count (ReplicaDeployment+Control.swift).
///
/// The count covers every replica, as a Kubernetes HPA's covers every pod; reserved instances and the nodes of a
/// replayed capacity trace are not the autoscaler's to add or remove, so the managed pools hold the rest
/// (decisions.md #36).
final class ControlLoop {
    enum Timer: UInt8, TimerKind {
        case scrape, sync
        static let part = Part.control
    }

    let spec: AutoscalerSpec
    private var autoscaler: any Autoscaler
    private(set) var pipeline: MetricPipeline
    /// The replica count the policy set last (Kubernetes' `spec.replicas`).
    private(set) var scaleTarget: Int
    /// When the previous scrape was, and the deployment's arrivals by then.
    private(set) var lastScrape = 0.0
    private(set) var arrivalsAtScrape = 0.0
    let timers: Timers<Timer>

    init(spec: AutoscalerSpec, initialReplicas: Int, startupSeconds: Double,
         expectedRate: ((Double) -> Double)?, timers: Timers<Timer>) {
        self.spec = spec
        autoscaler = makeAutoscaler(spec, expectedRate: expectedRate, startupSeconds: startupSeconds)
        pipeline = MetricPipeline(spec.metrics)
        scaleTarget = initialReplicas
        self.timers = timers
    }

    /// The first scrape (one interval in) and the first decision (at 0).
    func start() {
        if spec.metrics.scrapeSeconds > 0 {
            timers.set(.scrape, at: spec.metrics.scrapeSeconds)
        }
        timers.set(.sync, at: 0)
    }

    /// Adds a scrape's sample to the pipeline and sets the next scrape; `arrivals` is the deployment's count so far.
    func published(_ sample: MetricSample, arrivals: Double) {
        pipeline.publish(sample)
        lastScrape = sample.time
        arrivalsAtScrape = arrivals
        timers.set(.scrape, at: sample.time + pipeline.spec.scrapeSeconds)
    }

    /// The policy's decision at a sync, held within its bounds (Kubernetes rescales a target outside [min, max] at
    /// once) and the schedule's; becomes the new scale target. `logged` is false for a fixed count that stays the
    /// same: it has nothing to explain (decisions.md #34).
    func decide(now: Double, pods: [FleetView.Pod]) -> (decision: ScalingDecision, before: Int, kind: FleetEvent.Kind, logged: Bool) {
        let view = FleetView(
            now: now, current: scaleTarget, pods: pods, samples: pipeline.visible(at: now), windowSeconds: spec.metrics.windowSeconds)
        var decision = autoscaler.decide(now: now, view: view)
        let bounds = spec.replicaBounds
        if !(bounds ~= decision.replicas) && !(decision.replicas == 0 && scaleTarget == 0) {
            decision.replicas = min(max(decision.replicas, bounds.lowerBound), bounds.upperBound)
            decision.basis += "; held within \(bounds.lowerBound)–\(bounds.upperBound)"
        }
        if let rule = spec.schedule.first(where: { $0.applies(at: now) }) {
            let bounded = min(max(decision.replicas, rule.minReplicas ?? 0), rule.maxReplicas ?? Int.max)
            if bounded != decision.replicas {
                decision.replicas = bounded
                decision.basis += "; schedule sets \(bounded)"
            }
        }
        let before = scaleTarget
        scaleTarget = decision.replicas
        let kind: FleetEvent.Kind = decision.replicas > before ? .scaleUp : decision.replicas < before ? .scaleDown : .hold
        return (decision, before, kind, kind != .hold || !isFixed)
    }

    /// Sets the next sync: a sync period on, or, for a fixed count, exactly where a schedule rule starts or ends
    /// (decisions.md #35).
    func scheduleNextSync(after now: Double) {
        let next = isFixed ? nextScheduleBoundary(after: now) : now + spec.policy.syncPeriodSeconds
        if let next { timers.set(.sync, at: next) }
    }

    private var isFixed: Bool {
        if case .fixed = spec.policy { return true }
        return false
    }

    /// The first instant after `time` at which a schedule rule may start or stop applying.
    private func nextScheduleBoundary(after time: Double) -> Double? {
        let today = (time / 86_400).rounded(.down) * 86_400
        let boundaries = spec.schedule.flatMap { rule in
            (0...8).flatMap { day in [rule.fromSeconds, rule.toSeconds].map { today + Double(day) * 86_400 + $0 } }
        }
        return boundaries.filter { $0 > time + 1e-9 }.min()
    }
}
