/// A constant count: the baseline of every comparison (and, with a schedule, a scheduled fleet).
struct FixedAutoscaler: Autoscaler {
    let count: Int

    func decide(now: Double, view: FleetView) -> ScalingDecision {
        ScalingDecision(replicas: count, basis: "fixed at \(count)")
    }
}
