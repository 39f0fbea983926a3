/// The Kubernetes HPA: the replica calculator per metric, the largest recommendation, then behavior.
struct HPAAutoscaler: Autoscaler {
    let spec: HPASpec
    var controller: HPA.Controller

    init(spec: HPASpec) {
        self.spec = spec
        controller = HPA.Controller(minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, behavior: spec.behavior)
    }

    mutating func decide(now: Double, view: FleetView) -> ScalingDecision {
        var recommendation: Int?
        var basis: [String] = []
        for target in spec.metrics {
            let desired: Int
            if target.metric.isExternal {
                guard let total = view.total(target.metric) else { continue }
                desired = HPA.desiredReplicas(
                    current: view.current, externalTotal: total, targetPerReplica: target.target, tolerance: spec.tolerance)
                basis.append("\(target.metric.rawValue) \(format(total)) (target \(format(target.target)) per replica)")
            } else {
                let samples = view.podSamples(target.metric)
                let measured = samples.filter { $0.value != nil && (target.metric != .utilization || $0.ready) }
                guard !measured.isEmpty else { continue }
                desired = HPA.desiredReplicas(
                    current: view.current, samples: samples,
                    target: target.metric == .utilization ? .utilization(target.target) : .averageValue(target.target),
                    tolerance: spec.tolerance)
                let mean = measured.reduce(0) { $0 + $1.value! } / Double(measured.count)
                let unmeasured = samples.count - measured.count
                basis.append("\(target.metric.rawValue) \(format(mean)) (target \(format(target.target))) over \(measured.count) ready pods"
                    + (unmeasured > 0 ? ", \(unmeasured) unready or without metrics" : ""))
            }
            recommendation = max(recommendation ?? desired, desired)
        }
        guard let recommendation else {
            return ScalingDecision(replicas: view.current, basis: "no metrics yet")
        }
        let replicas = controller.decide(now: now, current: view.current, desired: recommendation)
        return ScalingDecision(replicas: replicas, basis: basis.joined(separator: "; ") + " → recommends \(recommendation)")
    }
}
