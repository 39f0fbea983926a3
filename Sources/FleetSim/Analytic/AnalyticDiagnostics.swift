/// What the analytic engine saw of the regimes where its approximations weaken, for the run's warnings.
public struct AnalyticDiagnostics: Sendable, Equatable {
    /// Below this many serving slots, Erlang C's smooth waits are far from a handful of servers' bursts.
    static let fewServers = 4
    /// A service (or output length) with a squared coefficient of variation above this is heavy-tailed for
    /// Allen–Cunneen, which keeps only the first two moments.
    static let heavyTailSCV = 4.0

    public var steps = 0
    /// Steps that ended with a backlog: the fleet was in overload, where the fluid queue replaces the formulas.
    public var overloadedSteps = 0
    public var fewServerSteps = 0
    public var heavyTailed = false

    public mutating func merge(_ other: AnalyticDiagnostics) {
        steps += other.steps
        overloadedSteps += other.overloadedSteps
        fewServerSteps += other.fewServerSteps
        heavyTailed = heavyTailed || other.heavyTailed
    }
}
