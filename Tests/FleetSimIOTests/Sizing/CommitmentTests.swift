import FleetSim
@testable import FleetSimIO
import Foundation
import Testing

/// Savings plans, upfront payments, spot and HPA targets in `fleetsim size`: the bill against hand-computed
/// settlements, the spot search against an M/M/c fleet whose answer is known, and the sizing file's new mistakes.
@Suite struct CommitmentTests {
    /// Usage of 10 USD an hour for 3 hours, then 4 for 7, at a 30 % plan discount: one more USD of commitment costs
    /// 1 every hour and saves 1/0.7 in the hours whose usage at plan rates exceeds it. Worth it while more than 70 %
    /// of hours need it: up to 2.8 (all ten hours), not up to 7 (three of ten).
    @Test func theBestCommitmentIsThePriceRatioQuantileOfHourlyUsage() {
        let usage = [10.0, 10, 10] + [Double](repeating: 4, count: 7)
        #expect(abs(SavingsPlanBill.bestCommitment([usage], discount: 0.3) - 2.8) < 1e-12)
        let busier = [Double](repeating: 10, count: 8) + [4, 4]
        #expect(abs(SavingsPlanBill.bestCommitment([busier], discount: 0.3) - 7) < 1e-12)
        // At 2.8: each hour pays 2.8 and covers 4 USD of usage; the first three hours pay 6 more at on demand.
        let bill = SavingsPlanBill(hourly: usage, commitmentPerHour: 2.8, discount: 0.3)
        #expect(abs(bill.committed - 28) < 1e-12 && abs(bill.uncovered - 18) < 1e-12 && abs(bill.waste) < 1e-12)
        // At 7: 70 committed, the seven quiet hours use 2.8 of their 7 each (29.4 wasted), nothing uncovered.
        let over = SavingsPlanBill(hourly: usage, commitmentPerHour: 7, discount: 0.3)
        #expect(abs(over.total - 70) < 1e-12 && abs(over.waste - 29.4) < 1e-12)
        #expect(bill.total < over.total)
        // A half last hour pays half its commitment.
        let partial = SavingsPlanBill(hourly: [10, 5], commitmentPerHour: 7, discount: 0.3, lastHourFraction: 0.5)
        #expect(abs(partial.committed - 10.5) < 1e-12 && abs(partial.uncovered) < 1e-12)
    }

    @Test func windowsAreSpreadOverTheHoursTheyOverlap() {
        let twentyMinutes = (0..<6).map { (start: Double($0) * 1_200, end: Double($0 + 1) * 1_200, amount: 1.0) }
        #expect(SavingsPlanBill.hourly(twentyMinutes, horizonSeconds: 7_200) == [3, 3])
        let ninetyMinutes = [(start: 0.0, end: 5_400.0, amount: 3.0), (start: 5_400.0, end: 10_800.0, amount: 3.0)]
        #expect(SavingsPlanBill.hourly(ninetyMinutes, horizonSeconds: 10_800) == [2, 2, 2])
    }

    /// The bucket's hazard gives the bucket's monthly interruption share back, and labels read as the Advisor writes them.
    @Test func spotAdvisorBucketsGiveTheirMonthlyShare() {
        for bucket in SpotAvailability.allCases {
            let interrupted = 1 - exp(-bucket.reclaimsPerInstanceHour * SpotAvailability.hoursPerMonth)
            #expect(abs(interrupted - bucket.monthlyInterruption) < 1e-12)
        }
        #expect(SpotAvailability(label: "10–15 %") == .from10to15)
        #expect(SpotAvailability(label: ">20%")?.worse == nil)
        #expect(SpotAvailability.under5.worse == .from5to10)
    }

    /// A fixed on-demand M/M/c fleet of 2 USD instances for 2 hours: under a 28 % plan the best commitment is the
    /// fleet's whole usage at plan rates, nothing is wasted, and the bill is 72 % of on demand, to the cent. This
    /// checks the hourly usage the plan is settled on against the meter's own total.
    @Test func aSavingsPlanOnASteadyFleetCosts72PercentOfOnDemand() async throws {
        let scratch = try ScratchFolder()
        let path = try SizingTests.write(
            scratch, scenario: SizingTests.exponentialService(duration: "2h", rate: "3/s", pricePerHour: 2, slo: "e2e: {p99: 8s}"),
            sizing: "scenario: base.yaml\nreserved: []\nsavingsPlans: [{term: 1y, discount: 28%, upfront: all}]\n"
                + "replications: 2\ngrowth: []\n")
        let outcome = try await SizingSearch.run(try SizingLoader.load(path: path), jobs: 2)
        let result = try #require(outcome.recommendation)
        let n = Double(try #require(result.capacity?.replicas))
        let plan = try #require(result.fleets.first { $0.savingsPlan != nil })
        let onDemand = try #require(result.fleets.first { $0.savingsPlan == nil })
        #expect(abs(onDemand.evaluation.cost.mean - n * 2 * 2) < 1e-6)
        #expect(abs(plan.evaluation.cost.mean - n * 2 * 2 * 0.72) < 1e-6)
        #expect(abs(try #require(plan.savingsBills.first).commitmentPerHour - n * 2 * 0.72) < 1e-9)
        #expect(plan.savingsBills.allSatisfy { abs($0.waste) < 1e-6 })
        #expect(result.best?.savingsPlan != nil)
        // All upfront: a year of the commitment.
        #expect(abs(SizingFiles.upfront(plan, result.candidate) - n * 2 * 0.72 * 8_760) < 1e-6)
    }

    /// M/M/8-like load (λ = 8/s, mean service 1 s) whose smallest fleet is 10 (SizingTests): with spot at 0.3 USD
    /// against 1 on demand and at most half the fleet on spot, the cheapest fleet puts 5 of the 10 on spot; the same
    /// fleet without them (5 replicas for a load of 8) cannot meet the objective, and `size` says so.
    @Test func spotTakesTheLargestShareThatHoldsAndSaysWhatRestsOnIt() async throws {
        let scratch = try ScratchFolder()
        let path = try SizingTests.write(scratch, scenario: SizingTests.erlangC(arrivalRate: 8, answer: 10),
                                         sizing: """
            scenario: base.yaml
            reserved: []
            spot: {availability: <5%, pricePerHour: 0.3, maxShare: 50%}
            replications: 5
            maxReplicas: 64
            growth: []
            """)
        let outcome = try await SizingSearch.run(try SizingLoader.load(path: path), jobs: 2)
        let fleet = try #require(outcome.recommendation?.best)
        #expect(fleet.spot == 5 && fleet.spotFloor == 5 && fleet.onDemandMin == 5 && fleet.reserved == 0)
        #expect(fleet.spotAvailability == .under5)
        // 4 h of 5 on-demand and 5 spot instances; a reclaim (1.3 % odds per instance over the 4 h) would add a
        // replacement's minutes at most.
        #expect(abs(fleet.evaluation.cost.mean - 4 * (5 + 5 * 0.3)) < 0.05, "\(fleet.evaluation.cost.mean)")
        let labels = outcome.spotRisk.map(\.label)
        #expect(labels == ["spot at 5-10%", "no spot"])
        let withoutSpot = try #require(outcome.spotRisk.last?.evaluation)
        #expect(!withoutSpot.met)
        let recommended = SizingSearch.scenario(outcome.spec, try #require(outcome.recommendation).candidate, fleet: fleet)
        let spotPool = try #require(recommended.deployments[0].pools.first { $0.purchase == .spot })
        #expect(spotPool.count == 5 && spotPool.reclaim?.perHour == SpotAvailability.under5.reclaimsPerInstanceHour)
        #expect(spotPool.acquisition?.failureProbability == 0.05)
    }

    /// A tuned fleet's scenario carries the target to its HPA's first metric.
    @Test func aTunedTargetReachesTheHPA() throws {
        let scratch = try ScratchFolder()
        let path = try SizingTests.write(scratch, scenario: """
            duration: 1h
            traffic: {rate: 2/s}
            deployments:
              model:
                instance: {gpu: T4, gpus: 1, onDemand: 1}
                service: {time: {exponential: {mean: 1s}}}
                pools: [{purchase: onDemand, count: 2}]
                autoscaler: {hpa: {minReplicas: 1, maxReplicas: 10, metric: {utilization: 50%}}}
            slo:
              e2e: {p99: 5s}
            """, sizing: "scenario: base.yaml\ntune: {target: [40%, 80%]}\n")
        let spec = try SizingLoader.load(path: path)
        #expect(spec.targets == [0.4, 0.8])
        let capacity = SizingSearch.Evaluation(replicas: 2, objectives: [], costs: [], arrivalsPerWindow: [], replicasMax: 2)
        let fleet = SizingSearch.Fleet(term: nil, reserved: 0, onDemandMin: 1, onDemandMax: 10, autoscaled: true,
                                       target: 0.8, evaluation: capacity)
        let scenario = SizingSearch.scenario(spec, spec.candidates[0], fleet: fleet)
        guard case .hpa(let hpa)? = scenario.deployments[0].autoscaler?.policy else { Issue.record("no HPA"); return }
        #expect(hpa.metrics[0].target == 0.8)
    }

    /// The new keys' mistakes are located.
    @Test(arguments: [
        ("spot: {availability: 12%}\n", "spot.availability", "Spot Advisor"),
        ("tune: {target: [50%]}\n", "tune.target", "no HPA"),
        ("reserved: [{term: fortnight, discount: 30%}]\n", "reserved[0].term", "a term in years"),
        ("savingsPlans: [{term: 1y}]\n", "savingsPlans[0]", "discount"),
        ("reserved: [{term: 1y, discount: 30%, upfront: most}]\n", "reserved[0].upfront", "none, partial, all"),
    ])
    func mistakesAreLocated(_ sizing: String, _ keyPath: String, _ words: String) throws {
        let scratch = try ScratchFolder()
        let path = try SizingTests.write(
            scratch, scenario: SizingTests.exponentialService(duration: "1h", rate: "1/s", pricePerHour: 1, slo: "e2e: {p99: 2s}"),
            sizing: "scenario: base.yaml\n" + sizing)
        let error = #expect(throws: ScenarioError.self) { _ = try SizingLoader.load(path: path) }
        #expect(error?.line == 2 && error?.keyPath == keyPath, "\(error?.description ?? "")")
        #expect(error?.message.contains(words) == true, "\(error?.description ?? "")")
    }

    /// Per-window objectives: deterministic arrivals at 2/s with constant 1 s service and a spike to 6/s for the 20
    /// minutes from 01:00. Three replicas serve 2/s without a wait (e2e exactly 1 s) but not 6/s: 3,600 requests are
    /// queued by 01:20 and drain at the spare 1/s for an hour, so the 10-minute windows from 01:00 to about 02:20 miss
    /// an e2e p99 of 1.5 s and the others hold. The share of windows holding is counted from the timeline here, and
    /// `size`'s per-window judgement must agree with it exactly.
    @Test func perWindowObjectivesCountTheWindowsThatHold() async throws {
        let scratch = try ScratchFolder()
        let path = try SizingTests.write(scratch, scenario: """
            duration: 4h
            window: 10m
            traffic:
              rate: 2/s
              arrivals: deterministic
              spikes: [{at: 1h, duration: 20m, multiplier: 3}]
            deployments:
              model:
                instance: {gpu: T4, gpus: 1, onDemand: 1}
                service: {time: {constant: 1s}}
                queue: {capacity: 100000}
                pools: [{purchase: onDemand, count: 3}]
            slo:
              e2e: {p99: 1.5s}
            """, sizing: "scenario: base.yaml\nreserved: []\nperWindow: 80%\nreplications: 1\ngrowth: []\n")
        let spec = try SizingLoader.load(path: path)
        let scenario = SizingSearch.scenario(spec, spec.candidates[0], fixed: 3)
        let evaluation = try await SizingSearch.evaluate(scenario, spec: spec, replicas: 3, jobs: 1,
                                                         resources: ResourceLimits(), counter: .init { _, _ in })
        let observer = SizingSearch.WindowsObserved(deployment: "model")
        _ = try Experiment.simulate(scenario, replication: 0, observer: observer,
                                    limits: try ResourceLimits().simulationLimits(for: scenario, file: path, concurrentRuns: 1),
                                    resources: ResourceLimits(), label: "a test run")
        let missing = observer.rows.filter { ($0.e2e.p99 ?? 0) > 1.5 }.map { Int($0.windowStartSeconds / 600) }
        #expect(!missing.isEmpty && missing.first == 6, "windows missing: \(missing)")
        let objective = try #require(evaluation.objectives.first)
        #expect(objective.windowShare == 0.8)
        #expect(abs(objective.attainment - Double(24 - missing.count) / 24) < 1e-12, "\(objective.attainment), \(missing)")
        #expect(objective.met == (objective.attainment >= 0.8))
    }

    @Test func perWindowNeedsAPercentileTheTimelineKeeps() throws {
        let scratch = try ScratchFolder()
        let path = try SizingTests.write(
            scratch, scenario: SizingTests.exponentialService(duration: "1h", rate: "1/s", pricePerHour: 1, slo: "e2e: {p97: 2s}"),
            sizing: "scenario: base.yaml\nperWindow: 99%\n")
        let error = #expect(throws: ScenarioError.self) { _ = try SizingLoader.load(path: path) }
        #expect(error?.line == 2 && error?.keyPath == "perWindow" && error?.message.contains("p97") == true,
                "\(error?.description ?? "")")
    }
}
