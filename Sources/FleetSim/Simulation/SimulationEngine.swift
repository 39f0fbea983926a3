/// How a run is computed.
public enum SimulationEngine: Sendable, Equatable {
    /// Every request is an event: sampled arrivals, queues and batches (the reference).
    case discreteEvent
    /// Every step of `stepSeconds` is computed from the offered load and queueing formulas, so a run's cost does not
    /// grow with the request rate (Analytic/AnalyticServing.swift). Fleet, autoscaler, cold starts, reclaims and
    /// billing stay events, as in the discrete-event engine.
    case analytic(stepSeconds: Double)

    /// The engine's name in scenario files and outputs.
    public var name: String {
        switch self {
        case .discreteEvent: "discreteEvent"
        case .analytic: "analytic"
        }
    }

    /// The analytic step a window gets when the scenario names none: a twelfth of the window, between 1 s and 5 min
    /// (fine enough to follow a cold start or an autoscaler's sync, coarse enough that a year takes seconds).
    public static func defaultStep(windowSeconds: Double) -> Double {
        min(max(windowSeconds / 12, 1), 300)
    }
}
