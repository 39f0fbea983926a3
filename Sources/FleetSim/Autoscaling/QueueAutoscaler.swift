/// KEDA: activation and scale to and from zero by polling the scaler, an HPA on the External metric in between.
struct QueueAutoscaler: Autoscaler {
    let spec: QueueScalerSpec
    var controller: HPA.Controller
    var nextPoll = 0.0
    var active = false
    var lastActive = 0.0

    init(spec: QueueScalerSpec) {
        self.spec = spec
        controller = HPA.Controller(
            minReplicas: max(spec.minReplicas, 1), maxReplicas: spec.maxReplicas, behavior: spec.behavior)
    }

    mutating func decide(now: Double, view: FleetView) -> ScalingDecision {
        guard let total = view.total(spec.metric) else {
            return ScalingDecision(replicas: view.current, basis: "no metrics yet")
        }
        if now + 1e-9 >= nextPoll {
            active = total > spec.activationThreshold
            if active { lastActive = now }
            nextPoll = now + spec.pollingSeconds
        }
        let basis = "\(spec.metric.rawValue) \(format(total)) (target \(format(spec.targetPerReplica)) per replica, "
            + "activation above \(format(spec.activationThreshold))): \(active ? "active" : "inactive")"
        if view.current == 0 {
            return ScalingDecision(replicas: active ? max(spec.minReplicas, 1) : 0, basis: basis + (active ? " → activates" : ""))
        }
        if !active && spec.minReplicas == 0 && now - lastActive >= spec.cooldownSeconds {
            return ScalingDecision(replicas: 0, basis: basis + " for \(Int(now - lastActive)) s → scales to zero")
        }
        let desired = HPA.desiredReplicas(current: view.current, externalTotal: total, targetPerReplica: spec.targetPerReplica)
        let replicas = controller.decide(now: now, current: view.current, desired: desired)
        return ScalingDecision(replicas: replicas, basis: basis + " → recommends \(desired)")
    }
}
