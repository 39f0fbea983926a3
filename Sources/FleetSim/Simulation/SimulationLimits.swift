/// What one run may hold at once, so that an overloaded scenario ends with a result instead of exhausting memory.
///
/// A queue without capacity or timeout under a load its fleet can never serve grows without bound. When the requests
/// in flight (queued or in service) in a deployment pass `maxRequestsInFlight` (divided evenly among deployments),
/// the run stops at that arrival: the result covers the time up to there and is marked incomplete.
public struct SimulationLimits: Sendable, Equatable {
    public var maxRequestsInFlight: Int

    public init(maxRequestsInFlight: Int = .max) {
        self.maxRequestsInFlight = maxRequestsInFlight
    }

    public static let none = SimulationLimits()
}

/// Why and when a run ended before its horizon.
public struct RunStop: Sendable, Equatable {
    public var timeSeconds: Double
    public var deployment: String
    /// The deployment's requests queued or in service when it stopped.
    public var requestsInFlight: Int
}
