/// A complete, validated description of one simulation: traffic, deployments, horizon and statistics settings.
///
/// Values of this type are what the scenario decoder produces; the model never sees a file.
public struct Scenario: Sendable, Equatable {
    public var name: String
    public var seed: UInt64
    public var durationSeconds: Double
    /// Width of a timeline window.
    public var windowSeconds: Double
    /// Requests that arrive before this instant are simulated but left out of the summary's latency statistics.
    public var warmupSeconds: Double
    public var traffic: TrafficSpec
    public var deployments: [DeploymentSpec]
    public var slo: SLOSpec?
    public var budget: BudgetSpec?
    /// How the run is computed: request by request (the default), or step by step from formulas.
    public var engine: SimulationEngine

    public init(
        name: String, seed: UInt64 = 1, durationSeconds: Double, windowSeconds: Double = 60,
        warmupSeconds: Double = 0, traffic: TrafficSpec, deployments: [DeploymentSpec], slo: SLOSpec? = nil,
        budget: BudgetSpec? = nil, engine: SimulationEngine = .discreteEvent
    ) {
        self.budget = budget
        self.engine = engine
        self.name = name
        self.seed = seed
        self.durationSeconds = durationSeconds
        self.windowSeconds = windowSeconds
        self.warmupSeconds = warmupSeconds
        self.traffic = traffic
        self.deployments = deployments
        self.slo = slo
    }
}

/// A latency objective per request: end-to-end and/or time-to-first-token thresholds, each with the percentile of
/// requests that should meet it.
public struct SLOSpec: Sendable, Equatable {
    public struct Objective: Sendable, Equatable {
        /// The fraction of requests that should meet the threshold, e.g. 0.99 for `p99`.
        public var percentile: Double
        public var thresholdSeconds: Double

        public init(percentile: Double, thresholdSeconds: Double) {
            self.percentile = percentile
            self.thresholdSeconds = thresholdSeconds
        }
    }

    public var e2e: Objective?
    public var ttft: Objective?

    public init(e2e: Objective? = nil, ttft: Objective? = nil) {
        self.e2e = e2e
        self.ttft = ttft
    }

    /// Which thresholds one completed request meets (true where there is no such objective).
    @inlinable
    public func check(e2eSeconds: Double, ttftSeconds: Double) -> (e2e: Bool, ttft: Bool) {
        (e2e.map { e2eSeconds <= $0.thresholdSeconds } ?? true, ttft.map { ttftSeconds <= $0.thresholdSeconds } ?? true)
    }
}
