/// KEDA: a polling loop that activates the target (0 → N) and deactivates it after a cooldown, and between
/// `max(minReplicas, 1)` and `maxReplicas` the HPA KEDA creates, on the trigger as an External `AverageValue` metric
/// (kedacore/keda `pkg/scaling/executor/scale_scaledobjects.go` `RequestScale`, `controllers/keda/hpa.go`).
struct QueueAutoscaler: Autoscaler {
    let spec: QueueScalerSpec
    var controller: HPA.Controller
    var nextPoll = 0.0
    var active = false
    /// When a poll last saw the trigger active; nil before any did.
    var lastActive: Double?

    init(spec: QueueScalerSpec) {
        self.spec = spec
        controller = HPA.Controller(
            minReplicas: max(spec.minReplicas, 1), maxReplicas: spec.maxReplicas, behavior: spec.behavior)
    }

    /// KEDA polls on its own clock (at 0, then at the first sync `pollingInterval` after the previous poll). A poll
    /// before the pipeline has any sample decides nothing: a running cluster's Prometheus would already hold the
    /// metric, and reading its absence as 0 would scale a busy deployment to zero at the first poll.
    mutating func decide(now: Double, view: FleetView) -> ScalingDecision {
        let total = view.total(spec.metric)
        var basis = "\(spec.metric.rawValue) \(total.map(format) ?? "no data") (target \(format(spec.targetPerReplica)) per "
            + "replica, activation above \(format(spec.activationThreshold)))"
        if now + 1e-9 >= nextPoll, total == nil {
            nextPoll = now + spec.pollingSeconds
        }
        guard let total else { return ScalingDecision(replicas: view.current, basis: basis + ": no metrics yet") }
        if now + 1e-9 >= nextPoll {
            nextPoll = now + spec.pollingSeconds
            active = total > spec.activationThreshold
            basis += active ? ": active" : ": inactive"
            if let replicas = poll(now: now, current: view.current) {
                return ScalingDecision(replicas: replicas.count, basis: basis + replicas.why)
            }
        }
        let desired = HPA.desiredReplicas(
            statusReplicas: view.statusReplicas, externalTotal: total, targetPerReplica: spec.targetPerReplica,
            tolerance: spec.tolerance)
        let outcome = controller.reconcile(now: now, current: view.current, proposal: desired)
        if case .disabled = outcome { return ScalingDecision(replicas: view.current, basis: basis + "; the HPA is idle at 0") }
        return ScalingDecision(
            replicas: outcome.replicas ?? view.current,
            basis: basis + "; HPA: " + (HPAAutoscaler.describe(outcome, current: view.current).nonEmpty ?? "recommends \(desired)"))
    }

    /// KEDA's own change at a poll, if it makes one: activation from zero (or idle) to `max(minReplicas, 1)`, and
    /// after `cooldownSeconds` without activity (strictly more), back to `idleReplicas` or `minReplicas`.
    private mutating func poll(now: Double, current: Int) -> (count: Int, why: String)? {
        if active {
            lastActive = now
            if current == 0 || (spec.idleReplicas != nil && current < spec.minReplicas) {
                return (max(spec.minReplicas, 1), " → activates")
            }
            return nil
        }
        if let idle = spec.idleReplicas, current > idle || (current > 0 && spec.minReplicas == 0) {
            return cooledDown(now) ? (idle, " for the cooldown → idle") : nil
        }
        if spec.idleReplicas == nil, current > 0, spec.minReplicas == 0 {
            return cooledDown(now) ? (0, " for the cooldown → scales to zero") : nil
        }
        if spec.idleReplicas == nil, current < spec.minReplicas { return (spec.minReplicas, " → minReplicas") }
        return nil
    }

    private func cooledDown(_ now: Double) -> Bool {
        if let lastActive { return lastActive + spec.cooldownSeconds < now - 1e-9 }
        return spec.initialCooldownSeconds < now - 1e-9
    }
}

extension String {
    /// nil for an empty string.
    var nonEmpty: String? { isEmpty ? nil : self }
}
