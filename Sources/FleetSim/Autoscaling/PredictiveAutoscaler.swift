/// Sizes the fleet for the load expected one start-up ahead, never below the load measured now.
struct PredictiveAutoscaler: Autoscaler {
    let spec: PredictiveSpec
    let expectedRate: ((Double) -> Double)?
    let leadSeconds: Double
    var controller: HPA.Controller
    /// Measured rates by sync, for the seasonal forecast (one period's worth).
    var history: [(time: Double, rate: Double)] = []
    var level: Double?

    init(spec: PredictiveSpec, expectedRate: ((Double) -> Double)?, leadSeconds: Double) {
        self.spec = spec
        self.expectedRate = expectedRate
        self.leadSeconds = leadSeconds
        controller = HPA.Controller(minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas)
    }

    mutating func decide(now: Double, view: FleetView) -> ScalingDecision {
        let observed = view.arrivalsPerSecond ?? 0
        let forecast: Double
        let method: String
        switch spec.forecast {
        case .shape:
            forecast = expectedRate?(now + leadSeconds) ?? observed
            method = "rate curve"
        case .seasonal(let period):
            history.append((now, observed))
            history.removeAll { $0.time < now - period - leadSeconds - spec.syncPeriodSeconds }
            let then = now + leadSeconds - period
            let nearest = history.min { abs($0.time - then) < abs($1.time - then) }
            forecast = nearest.map { abs($0.time - then) <= spec.syncPeriodSeconds ? $0.rate : observed } ?? observed
            method = "seasonal naive"
        case .ewma(let alpha):
            level = level.map { alpha * observed + (1 - alpha) * $0 } ?? observed
            forecast = level!
            method = "EWMA"
        }
        let load = max(forecast, observed) * (1 + spec.headroom)
        let desired = min(max(Int((load / spec.requestsPerReplica - 1e-9).rounded(.up)), spec.minReplicas), spec.maxReplicas)
        // The HPA's smoothing leaves a target at zero alone; a forecast has every reason to start one.
        let replicas = view.current == 0 ? desired : controller.decide(now: now, current: view.current, desired: desired)
        return ScalingDecision(
            replicas: replicas,
            basis: "\(method) forecast \(format(forecast))/s in \(Int(leadSeconds)) s, measured \(format(observed))/s → recommends \(desired)")
    }
}
