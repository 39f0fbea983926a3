import FleetSim
import FleetSimKernel
import Testing

/// Budget alerts fire at the instant cumulative cost reaches each fraction of the pro-rated budget.
@Suite struct BudgetTests {
    final class AlertLog: SimulationObserver {
        var alerts: [FleetEvent] = []
        func windowClosed(_ rows: [TimelineRow]) {}
        func fleetEvent(_ event: FleetEvent) { if event.kind == .budgetAlert { alerts.append(event) } }
    }

    /// Two on-demand instances at 1 USD/h spend 2 USD/h. A 730 USD monthly budget is 1 USD/h, 10 USD over a 10-hour
    /// run: 50 % (5 USD) is reached after 2.5 h, 100 % after 5 h; 150 % would need 7.5 h; 300 % never comes.
    @Test func alertsFireWhenTheCostReachesThem() {
        let scenario = Scenario(
            name: "budget", durationSeconds: 36_000, windowSeconds: 600,
            traffic: TrafficSpec(ratePerSecond: 0.1, classes: [RequestClass(name: "a", deployment: "model")]),
            deployments: [Fixtures.deployment(servers: 2, service: .constant(1))],
            budget: BudgetSpec(monthlyUSD: 730, alerts: [0.5, 1, 1.5, 3]))
        let log = AlertLog()
        let result = Simulation(scenario: scenario, observer: log).run()
        #expect(abs(result.total.cost.total - 20) < 1e-9)
        #expect(log.alerts.count == 3)
        let expected = [9_000.0, 18_000, 27_000]
        for (alert, time) in zip(log.alerts, expected) {
            #expect(abs(alert.timeSeconds - time) < 1e-6, "\(alert.timeSeconds) vs \(time)")
        }
    }

    /// Per-token spend counts as it is billed, at each completion: one request a second (deterministic) of 1,000
    /// prompt and 200 output tokens at 2.5 and 10 USD per million costs 0.0045 USD, answered 1.5 s after it is sent
    /// (1 s to the first token, 199 more at 398 tokens/s). A 730 USD monthly budget is 1 USD over the hour: 50 %
    /// needs ⌈0.5 / 0.0045⌉ = 112 answers; deterministic arrivals come at 1 s, 2 s, …, so the 112th is sent at 112 s
    /// and answered at 113.5 s.
    @Test func perTokenSpendReachesTheBudgetAtTheCompletionThatCrossesIt() {
        var api = APISpec(prices: TokenPrices(input: 2.5, output: 10, cachedInput: 2.5))
        api.ttft = .constant(1)
        api.outputTokensPerSecond = .constant(398)
        var traffic = APIDeploymentTests.traffic(rate: 1)
        traffic.arrivals = .deterministic
        let scenario = Scenario(
            name: "api-budget", durationSeconds: 3_600, windowSeconds: 600, traffic: traffic,
            deployments: [DeploymentSpec(name: "api", kind: .api(api))],
            budget: BudgetSpec(monthlyUSD: 730, alerts: [0.5]))
        let log = AlertLog()
        _ = Simulation(scenario: scenario, observer: log).run()
        #expect(log.alerts.count == 1)
        #expect(log.alerts.map(\.timeSeconds).allSatisfy { abs($0 - 113.5) < 1e-6 }, "\(log.alerts.map(\.timeSeconds))")
    }
}
