import FleetSimKernel

/// A router in front of tiers: each request goes to the first rule that matches it (by class, prompt length or
/// difficulty) and, among that rule's targets, to one drawn by share or to the one with the most free capacity. It
/// holds nothing: a request passes it at once, carrying the classifier's latency on when a rule reads the difficulty.
///
/// The classifier's latency is added to the request's latency rather than delaying its arrival at the tier; for a
/// constant latency that is exact, since delaying every arrival by the same time leaves the tier's queueing as it was.
final class RouterDeployment: Deployment {
    /// A rule with its targets as deployment indices and cumulative shares.
    private struct CompiledRule {
        var condition: RouteCondition
        var classes: Set<Int32>?
        var targets: [Int]
        var cumulativeShares: [Double]
        var balance: RouteRule.Balance
    }

    let spec: DeploymentSpec
    let recorder: Recorder
    private let rules: [CompiledRule]
    private let classifier: Classifier?
    private let cache: ResponseCache?
    private let shareStream: RandomStream
    private let agenda: Agenda<Event>
    private unowned let path: RequestPath

    init(spec: DeploymentSpec, router: RouterSpec, context: DeploymentContext) {
        self.spec = spec
        recorder = context.recorder(spec, measuresTokens: true)
        cache = context.cache(spec)
        path = context.path
        classifier = router.readsDifficulty ? router.classifier : nil
        let classIndex = Dictionary(uniqueKeysWithValues: context.classes.enumerated().map { ($1.name, Int32($0)) })
        rules = router.rules.map { rule in
            let total = rule.targets.reduce(0) { $0 + $1.share }
            var running = 0.0
            return CompiledRule(
                condition: rule.condition, classes: rule.condition.classes.map { Set($0.compactMap { classIndex[$0] }) },
                targets: rule.targets.map { context.path.index(of: $0.name) },
                cumulativeShares: rule.targets.map { running += $0.share / total; return running },
                balance: rule.balance)
        }
        shareStream = context.stream("route.\(spec.name)")
        agenda = context.agenda
    }

    var inFlight: Int { 0 }

    var servingSlots: Int { 0 }

    func start() {}

    func arrive(_ request: Request) {
        recorder.arrived(request)
        let now = agenda.now
        var request = request
        if let cache, cache.answers(&request, now: now, recorder: recorder) { return }
        var extra = 0.0
        if let classifier {
            extra = classifier.latencySeconds
            if classifier.costPerRequest != 0 { recorder.addAPICost(classifier.costPerRequest) }
        }
        recorder.forwarded(request, .routed)
        path.send(request.handedOn(at: now, adding: extra), to: target(of: request))
    }

    func handle(_ event: Event) {
        preconditionFailure("a router sets no timers")
    }

    func integrate(over seconds: Double) -> (ready: Int, costPerSecond: Double) { (0, 0) }

    /// The first matching rule's target; the decoder requires the last rule to match everything.
    private func target(of request: Request) -> Int {
        for rule in rules where matches(rule, request) {
            guard rule.targets.count > 1 else { return rule.targets[0] }
            if rule.balance == .freeCapacity { return leastHeldPerSlot(rule.targets) }
            let u = shareStream.uniform()
            return rule.targets[rule.cumulativeShares.firstIndex { u < $0 } ?? rule.targets.count - 1]
        }
        preconditionFailure("no route matched in \(spec.name); the decoder requires a final rule without conditions")
    }

    /// The target with the fewest requests held per serving slot once this one is added (ties: the first listed);
    /// when no target has a replica taking work, the one holding the fewest, where the request waits for a replica.
    /// A scan of the rule's targets, a handful of tiers.
    private func leastHeldPerSlot(_ targets: [Int]) -> Int {
        var best = targets[0]
        var bestLoad = Double.infinity
        var fewestHeld = (target: targets[0], held: Int.max)
        for target in targets {
            let tier = path.deployments[target]
            let held = tier.inFlight
            if held < fewestHeld.held { fewestHeld = (target, held) }
            let slots = tier.servingSlots
            guard slots > 0 else { continue }
            let load = Double(held + 1) / Double(slots)
            if load < bestLoad { (best, bestLoad) = (target, load) }
        }
        return bestLoad.isFinite ? best : fewestHeld.target
    }

    private func matches(_ rule: CompiledRule, _ request: Request) -> Bool {
        if let classes = rule.classes, !classes.contains(request.classIndex) { return false }
        if let prompt = rule.condition.promptTokens, !prompt.matches(Double(request.promptTokens)) { return false }
        if let difficulty = rule.condition.difficulty, !difficulty.matches(Double(request.difficulty)) { return false }
        return true
    }
}
