import FleetSim

/// What the reader of an analytic run must know: the regimes where its formulas drift from the discrete-event
/// engine (docs/analytic.md, "Where it breaks"), when the run went through them.
enum AnalyticWarnings {
    /// A share of steps in overload above this is a run dominated by transients.
    static let overloadShare = 0.02

    static func list(_ result: SimulationResult, scenario: Scenario) -> [String] {
        guard let seen = result.analytic, seen.steps > 0 else { return [] }
        var warnings: [String] = []
        let overloaded = Double(seen.overloadedSteps) / Double(seen.steps)
        if overloaded > overloadShare {
            warnings.append("analytic engine: \(Int((overloaded * 100).rounded())) % of steps ended with a backlog "
                + "(overload transients): their waits come from a fluid queue, and their p99 may be off by more "
                + "than the validated 15 %; check with --engine discreteEvent")
        }
        if seen.fewServerSteps > 0 {
            warnings.append("analytic engine: \(seen.fewServerSteps) steps ran on fewer than 4 serving slots, where "
                + "Erlang C's waits are least accurate; check with --engine discreteEvent")
        }
        if seen.heavyTailed {
            warnings.append("analytic engine: the service time (or output length) is heavy-tailed (squared "
                + "coefficient of variation above 4); the Allen–Cunneen waits keep only two moments and understate "
                + "the tail; check with --engine discreteEvent")
        }
        if scenario.deployments.contains(where: { $0.queueing == .perReplica }) {
            warnings.append("analytic engine: per-replica queues are computed as one central queue, which waits "
                + "less than routing to replicas on arrival")
        }
        return warnings
    }
}
