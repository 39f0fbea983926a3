import Foundation

/// A spending limit for the whole fleet: a monthly amount, pro-rated to the simulated horizon (a month is 730 hours),
/// with alerts at fractions of it. Each alert is an `events.csv` row at the instant cumulative cost reaches it.
public struct BudgetSpec: Sendable, Equatable {
    public static let hoursPerMonth = 730.0

    public var monthlyUSD: Double
    /// Fractions of the pro-rated budget, ascending (e.g. 0.5, 0.75, 0.9, 1).
    public var alerts: [Double]

    public init(monthlyUSD: Double, alerts: [Double] = [0.5, 0.75, 0.9, 1]) {
        self.monthlyUSD = monthlyUSD
        self.alerts = alerts
    }

    /// The budget for a run of `seconds`.
    public func forRun(seconds: Double) -> Double {
        monthlyUSD * seconds / (Self.hoursPerMonth * 3600)
    }
}

/// Watches the fleet's spending against a budget. Cost accrues linearly between events, so the instant it reaches an
/// alert's amount is found exactly.
struct BudgetWatch {
    let budget: BudgetSpec
    /// The budget for the whole run.
    let runBudget: Double
    private var spentSoFar = 0.0
    private var nextAlert = 0

    init(_ budget: BudgetSpec, runSeconds: Double) {
        self.budget = budget
        runBudget = budget.forRun(seconds: runSeconds)
    }

    /// Spending of `atStart` USD at `start` (per-call costs), then at `rate` USD/s for `seconds`; the alerts it
    /// crosses, in order.
    mutating func spend(from start: Double, over seconds: Double, rate: Double, atStart: Double = 0) -> [FleetEvent] {
        let afterStart = spentSoFar + atStart
        let end = afterStart + rate * seconds
        var alerts: [FleetEvent] = []
        while nextAlert < budget.alerts.count, end >= budget.alerts[nextAlert] * runBudget {
            let fraction = budget.alerts[nextAlert]
            let at = rate > 0 ? start + max(fraction * runBudget - afterStart, 0) / rate : start
            alerts.append(FleetEvent(
                timeSeconds: at, deployment: "all", kind: .budgetAlert, pool: nil, replicasBefore: 0, replicasAfter: 0,
                detail: String(format: "%.0f%% of the %.2f USD budget for the run (%.2f USD/month pro-rated) spent",
                               fraction * 100, runBudget, budget.monthlyUSD)))
            nextAlert += 1
        }
        spentSoFar = end
        return alerts
    }
}
