/// The Kubernetes HPA: the replica calculator per metric, the largest valid proposal, then the controller's bounds,
/// stabilization and rate limits (`computeReplicasForMetrics`, `reconcileAutoscaler`).
struct HPAAutoscaler: Autoscaler {
    let spec: HPASpec
    var controller: HPA.Controller

    init(spec: HPASpec) {
        self.spec = spec
        controller = HPA.Controller(minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, behavior: spec.behavior)
    }

    mutating func decide(now: Double, view: FleetView) -> ScalingDecision {
        let sync = evaluate(now: now, view: view)
        return ScalingDecision(replicas: sync.outcome.replicas ?? view.current, basis: sync.basis)
    }

    /// One sync: the metrics' recommendation (the replica calculation before stabilization and limits; nil when no
    /// metric allows a change), what the controller made of it, and both in words.
    mutating func evaluate(now: Double, view: FleetView) -> (recommendation: Int?, outcome: HPA.Controller.Outcome, basis: String) {
        guard controller.needsMetrics(current: view.current) else {
            let outcome = controller.reconcile(now: now, current: view.current, proposal: nil)
            return (nil, outcome, Self.describe(outcome, current: view.current))
        }
        let proposals = spec.metrics.map { proposal(for: $0, view: view) }
        let valid = proposals.compactMap(\.replicas)
        let invalid = proposals.count - valid.count
        var basis = proposals.map(\.basis).joined(separator: "; ")
        var recommendation = valid.max()
        // An invalid metric may not let the others scale down (upstream's refusal rule), and none valid means no
        // change at all.
        if let best = recommendation, invalid > 0, best < view.current {
            basis += "; \(invalid) metric\(invalid == 1 ? "" : "s") without data: no scale-down"
            recommendation = nil
        }
        let outcome = controller.reconcile(now: now, current: view.current, proposal: recommendation)
        if let recommendation { basis += " → recommends \(recommendation)" }
        if case .unchanged = outcome, valid.isEmpty { basis = "no metrics yet" + (basis.isEmpty ? "" : ": " + basis) }
        return (recommendation, outcome, basis)
    }

    /// The proposal of one metric (nil when it has no data) and what it rests on, in words.
    private func proposal(for target: MetricTarget, view: FleetView) -> (replicas: Int?, basis: String) {
        let name = target.metric.rawValue
        if target.metric.isExternal {
            guard let total = view.total(target.metric) else { return (nil, "\(name) has no data") }
            let replicas = HPA.desiredReplicas(
                statusReplicas: view.statusReplicas, externalTotal: total, targetPerReplica: target.target,
                tolerance: spec.tolerance)
            return (replicas, "\(name) \(format(total)) (target \(format(target.target)) per replica, \(view.statusReplicas) pods)")
        }
        let samples = view.podSamples(target.metric, cpuInitializationSeconds: spec.cpuInitializationSeconds)
        let hpaTarget: HPA.Target = target.metric == .utilization ? .utilization(target.target) : .averageValue(target.target)
        guard let replicas = HPA.desiredReplicas(current: view.current, samples: samples, target: hpaTarget, tolerance: spec.tolerance),
              let usage = HPA.usage(samples, target: hpaTarget)
        else { return (nil, "\(name) has no ready pod with data") }
        let measured = samples.filter { $0.ready && $0.value != nil }.count
        let unready = samples.filter { !$0.ready }.count
        let missing = samples.count - measured - unready
        let shown = target.metric == .utilization
            ? "\(name) \(Int(usage))% (target \(Int((target.target * 100).rounded()))%)"
            : "\(name) \(format(usage)) (target \(format(target.target)))"
        var counts = "over \(measured) ready pod\(measured == 1 ? "" : "s")"
        if unready > 0 { counts += ", \(unready) unready" }
        if missing > 0 { counts += ", \(missing) without metrics" }
        return (replicas, "\(shown) \(counts)")
    }

    static func describe(_ outcome: HPA.Controller.Outcome, current: Int) -> String {
        switch outcome {
        case .disabled: return "scaling disabled: the target is at 0 replicas"
        case .bounded(let replicas): return replicas > current ? "below minReplicas: set to \(replicas)" : "above maxReplicas: set to \(replicas)"
        case .unchanged, .normalized: return ""
        }
    }
}
