import FleetSim
import FleetSimKernel
import Foundation

/// `fleetsim size`: the cheapest fleet that meets the scenario's SLO, per candidate instance type, by a search that
/// uses the problem's structure rather than a grid (docs/sizing.md).
///
/// 1. **Capacity.** A fixed fleet of n on-demand replicas meets the objectives or not, and more replicas never hurt:
///    doubling, then bisection, finds the smallest n that meets every objective at the required confidence over
///    the replications (each objective's attainment, its one-sided lower confidence bound against its percentile).
/// 2. **Reserved base.** That fleet's timeline gives the load each window; scaled to the fleet, the replicas needed
///    window by window. One more reserved instance pays its price every hour and saves on demand in the hours it is
///    needed, so the reserved count is raised while the share of time more are needed exceeds the reserved-to-on-
///    demand price ratio: it is that quantile of the needed-capacity curve, per term.
/// 3. **Confirmation.** Each fleet (reserved base plus on demand, scaled by the scenario's own autoscaler when it
///    has one) runs with the same replications (common random numbers). When the autoscaler reacts too late at the
///    quantile's reserved base, the smallest higher always-on floor that holds the objectives is found by
///    bisection; when none does, the fixed fleet of step 1, which met them, all of it reserved (it runs all the
///    time).
///
/// A mix of two instance types is sized as fixed fleets along the boundary between the mixes that hold and those
/// that miss (SizingSearch+Mix.swift).
public enum SizingSearch {
    /// One fleet's replications: whether each objective held, and what it cost.
    public struct Evaluation: Sendable {
        public var replicas: Int
        /// Per objective (`e2e`, `ttft`): the mean attainment and its one-sided lower confidence bound.
        public var objectives: [Objective]
        public var costs: [CostBreakdown]
        /// Mean arrivals per timeline window at the sized deployment (replication mean).
        public var arrivalsPerWindow: [Double]
        /// Each replication's on-demand spend per clock hour, for settling a savings plan.
        public var onDemandHourly: [[Double]] = []
        public var replicasMax: Int
        public var met: Bool { objectives.allSatisfy(\.met) }
        public var cost: MeanEstimate { MeanEstimate(costs.map(\.total)) }
    }

    public struct Objective: Sendable {
        public var name: String
        public var percentile: Double
        public var thresholdSeconds: Double
        public var attainment: Double
        public var lowerBound: Double
        /// The observed percentile (replication mean), for reading against the threshold.
        public var observedSeconds: Double?
        /// When judged per window (`perWindow`): the share of windows that must hold the percentile; `attainment`
        /// and `lowerBound` are then shares of windows.
        public var windowShare: Double?
        public var met: Bool { lowerBound >= (windowShare ?? percentile) }
    }

    /// A fleet to buy: a reserved base under a term (or a savings plan over on demand), on demand above it, and
    /// some of it on spot.
    public struct Fleet: Sendable {
        public var term: SizingSpec.Term?
        public var reserved: Int
        public var onDemandMin: Int
        public var onDemandMax: Int
        public var autoscaled: Bool
        /// Spot instances: a fixed fleet's count, or the most an autoscaled fleet places on spot (before on demand).
        public var spot = 0
        /// Spot instances that replace always-on ones (all of a fixed fleet's; an autoscaled fleet's spot minimum).
        public var spotFloor = 0
        public var spotAvailability: SpotAvailability?
        /// The HPA target tried (`tune`); nil: the scenario's own.
        public var target: Double?
        public var savingsPlan: SizingSpec.SavingsPlan?
        /// Per replication, when the fleet is settled under `savingsPlan`.
        public var savingsBills: [SavingsPlanBill] = []
        public var evaluation: Evaluation

        /// A mix's fleet, one tier per member of the candidate, in its order; empty for one instance type. `reserved`
        /// and `onDemandMin`/`onDemandMax` are then the tiers' sums.
        public var tiers: [Tier] = []

        public struct Tier: Sendable, Equatable {
            public var reserved: Int
            public var onDemand: Int
            public var count: Int { reserved + onDemand }
        }

        /// The commitment's name: a reserved term or a savings plan.
        public var commitment: String? {
            savingsPlan.map { "savings plan \($0.name)" } ?? (reserved > 0 ? term?.name : nil)
        }
    }

    public struct CandidateResult: Sendable {
        public var candidate: SizingSpec.Candidate
        /// The smallest fixed fleet that met the objectives; nil when none up to `maxReplicas` did.
        public var capacity: Evaluation?
        /// Replicas needed per window, from the capacity run's load.
        public var needed: [Int]
        /// Every fleet confirmed, cheapest first; the first is the candidate's best.
        public var fleets: [Fleet]
        /// Fixed-fleet sizes tried and whether they met the objectives, in search order.
        public var probes: [(replicas: Int, met: Bool)]
        /// When no fleet met the objectives: the largest tried, the closest to them.
        public var largestMiss: Evaluation?
        /// A mix's search: each member's smallest fixed fleet alone, the mixes tried (counts in the members' order),
        /// and the boundary found, for each count of one member the fewest of the other that hold.
        public var mix: MixSearch?
        public var best: Fleet? { fleets.first }
    }

    public struct MixSearch: Sendable {
        public var alone: [Int?]
        public var probes: [(counts: [Int], met: Bool)] = []
        public var boundary: [[Int]] = []
        /// Why a mix has no fleet when it is not for want of capacity.
        public var remark: String?
    }

    public struct Outcome: Sendable {
        public var spec: SizingSpec
        /// Cheapest first; infeasible candidates last.
        public var candidates: [CandidateResult]
        /// The recommended fleet at each growth factor: whether it still met the objectives, and its cost.
        public var growth: [(factor: Double, evaluation: Evaluation)]
        /// When the recommendation uses spot: the same fleet at the sensitivity bucket, and without its spot.
        public var spotRisk: [(label: String, evaluation: Evaluation)] = []
        public var runs: Int
        public var recommendation: CandidateResult? { candidates.first { $0.best != nil } }

        /// With no recommendation: the candidate whose largest fleet came closest (its worst objective's lower bound
        /// nearest its percentile).
        public var closest: (candidate: SizingSpec.Candidate, evaluation: Evaluation)? {
            guard recommendation == nil else { return nil }
            let misses = candidates.compactMap { result in result.largestMiss.map { (result.candidate, $0) } }
            func margin(_ evaluation: Evaluation) -> Double {
                evaluation.objectives.map { $0.lowerBound - $0.percentile }.min() ?? -.infinity
            }
            return misses.max { margin($0.1) < margin($1.1) }
        }
    }

    public static func run(
        _ spec: SizingSpec, jobs: Int, resources: ResourceLimits = ResourceLimits(),
        progress: @escaping @Sendable (_ runs: Int, _ doing: String) -> Void = { _, _ in }
    ) async throws -> Outcome {
        let counter = RunCounter(progress)
        // Every fleet is judged by the discrete-event engine, whatever the base scenario says; the analytic one
        // only brackets the capacity search (`prunesAnalytically`).
        var spec = spec
        spec.scenario.engine = .discreteEvent
        if spec.prunesAnalytically {
            for candidate in spec.candidates where !candidate.isMix {
                if let gap = AnalyticScope.gap(in: Self.scenario(spec, candidate, fixed: 1)) {
                    throw ScenarioError(file: spec.file, line: nil, keyPath: "scenario", message:
                        "size --engine analytic: the analytic engine does not model \(gap.message), found at "
                            + "\(gap.keyPath) of the base scenario; size without --engine")
                }
            }
        }
        var results: [CandidateResult] = []
        // One type at a time first: a mix reuses its members' searches.
        for candidate in spec.candidates where !candidate.isMix {
            results.append(try await size(candidate, spec: spec, jobs: jobs, resources: resources, counter: counter))
        }
        for candidate in spec.candidates where candidate.isMix {
            results.append(try await sizeMix(candidate, sized: results, spec: spec, jobs: jobs, resources: resources,
                                             counter: counter))
        }
        results.sort { a, b in
            switch (a.best, b.best) {
            case let (x?, y?): return x.evaluation.cost.mean < y.evaluation.cost.mean
            case (_?, nil): return true
            default: return false
            }
        }
        var growth: [(Double, Evaluation)] = []
        var spotRisk: [(String, Evaluation)] = []
        if let best = results.first, let fleet = best.best {
            func rerun(_ scenario: Scenario) async throws -> Evaluation {
                try await evaluate(scenario, spec: spec, replicas: fleet.reserved + fleet.onDemandMin + fleet.spot,
                                   jobs: jobs, resources: resources, counter: counter)
            }
            counter.step("growth and spot what-ifs")
            for factor in spec.growth {
                var evaluation = try await rerun(Self.scenario(spec, best.candidate, fleet: fleet, growth: factor))
                // The plan bought stays as bought: the grown usage is settled under the same commitment.
                if let plan = fleet.savingsPlan, let commitment = fleet.savingsBills.first?.commitmentPerHour {
                    evaluation = settled(evaluation, under: plan, commitment: commitment, spec: spec).evaluation
                }
                growth.append((factor, evaluation))
            }
            if fleet.spot > 0, let availability = fleet.spotAvailability {
                if let worse = spec.spot?.sensitivity, worse != availability {
                    var atWorse = fleet
                    atWorse.spotAvailability = worse
                    spotRisk.append(("spot at \(worse.rawValue)", try await rerun(Self.scenario(spec, best.candidate, fleet: atWorse))))
                }
                var without = fleet
                without.spot = 0
                without.spotFloor = 0
                spotRisk.append(("no spot", try await rerun(Self.scenario(spec, best.candidate, fleet: without))))
            }
        }
        return Outcome(spec: spec, candidates: results, growth: growth, spotRisk: spotRisk, runs: counter.count)
    }

    // MARK: The search

    /// The smallest fixed on-demand fleet of one instance type that meets the objectives: doubling to the first that
    /// does, then bisection below it (no replica meets none).
    static func smallestFixedFleet(
        _ candidate: SizingSpec.Candidate, spec: SizingSpec, jobs: Int, resources: ResourceLimits, counter: RunCounter
    ) async throws -> CandidateResult {
        var probes: [(Int, Bool)] = []
        var evaluations: [Int: Evaluation] = [:]
        func probe(_ n: Int) async throws -> Bool {
            counter.step("\(candidate.label): \(n) replicas, fixed")
            let scenario = Self.scenario(spec, candidate, fixed: n)
            let evaluation = try await evaluate(scenario, spec: spec, replicas: n, jobs: jobs, resources: resources,
                                                counter: counter)
            evaluations[n] = evaluation
            probes.append((n, evaluation.met))
            return evaluation.met
        }
        func infeasible(_ largest: Int) -> CandidateResult {
            CandidateResult(candidate: candidate, capacity: nil, needed: [], fleets: [], probes: probes,
                            largestMiss: evaluations[largest])
        }
        let bracket: (holds: Int?, misses: Int)
        if let guess = try await analyticCapacity(candidate, spec: spec, jobs: jobs, resources: resources,
                                                  counter: counter) {
            bracket = try await bracketed(around: guess, maxReplicas: spec.maxReplicas, holds: probe)
        } else {
            bracket = try await firstHolding(from: 1, step: 1, misses: 0, maxReplicas: spec.maxReplicas, holds: probe)
        }
        guard let high = bracket.holds else { return infeasible(bracket.misses) }
        let smallest = try await bisect(holds: high, found: evaluations[high], misses: bracket.misses) { n in
            try await probe(n) ? evaluations[n] : nil
        }
        return CandidateResult(candidate: candidate, capacity: smallest.found, needed: [], fleets: [], probes: probes)
    }

    private static func size(
        _ candidate: SizingSpec.Candidate, spec: SizingSpec, jobs: Int, resources: ResourceLimits, counter: RunCounter
    ) async throws -> CandidateResult {
        let fixed = try await smallestFixedFleet(candidate, spec: spec, jobs: jobs, resources: resources, counter: counter)
        guard let capacity = fixed.capacity else { return fixed }
        let high = capacity.replicas
        let needed = neededReplicas(capacity.arrivalsPerWindow, fleet: high)
        let autoscaled = spec.deployment.autoscaler != nil
        var fleets: [Fleet] = []
        // Without terms on offer, on demand only; a savings plan is settled on the all-on-demand fleet.
        var terms: [SizingSpec.Term?] = spec.terms
        if terms.isEmpty || !spec.savingsPlans.isEmpty { terms.append(nil) }
        let targets: [Double?] = autoscaled && !spec.targets.isEmpty ? spec.targets : [nil]
        for term in terms {
            var cheapest: Fleet?
            for target in targets {
                let fleet = try await commit(term, target: target, high: high, needed: needed, capacity: capacity,
                                             candidate: candidate, spec: spec, jobs: jobs, resources: resources,
                                             counter: counter)
                if cheapest == nil || fleet.evaluation.cost.mean < cheapest!.evaluation.cost.mean { cheapest = fleet }
            }
            guard let fleet = cheapest else { continue }
            // The all-on-demand fleet is an alternative of its own only when nothing is committed.
            if term != nil || spec.terms.isEmpty { fleets.append(fleet) }
            if term == nil {
                for plan in spec.savingsPlans { fleets.append(settled(fleet, under: plan, spec: spec)) }
            }
            if let spotFleet = try await withSpot(fleet, high: high, candidate: candidate, spec: spec, jobs: jobs,
                                                  resources: resources, counter: counter) {
                fleets.append(spotFleet)
            }
        }
        fleets.sort { $0.evaluation.cost.mean < $1.evaluation.cost.mean }
        return CandidateResult(candidate: candidate, capacity: capacity, needed: needed, fleets: fleets,
                               probes: fixed.probes)
    }

    /// The fleet under one term (nil: on demand only) at one HPA target: the reserved count from the needed curve,
    /// confirmed by simulation (see the type's comment).
    private static func commit(
        _ term: SizingSpec.Term?, target: Double?, high: Int, needed: [Int], capacity: Evaluation,
        candidate: SizingSpec.Candidate, spec: SizingSpec, jobs: Int, resources: ResourceLimits, counter: RunCounter
    ) async throws -> Fleet {
        let autoscaled = spec.deployment.autoscaler != nil
        let ratio = term.map { $0.price(for: candidate.instance) / candidate.instance.onDemandPerHour } ?? 1
        let reserved = autoscaled ? reservedCount(needed: needed, priceRatio: ratio) : (ratio < 1 ? high : 0)
        var fleet = Fleet(term: term, reserved: reserved, onDemandMin: autoscaled ? 0 : high - reserved,
                          onDemandMax: high - reserved, autoscaled: autoscaled, target: target, evaluation: capacity)
        func run(_ fleet: Fleet, replicas: Int) async throws -> Evaluation {
            try await evaluate(Self.scenario(spec, candidate, fleet: fleet), spec: spec, replicas: replicas, jobs: jobs,
                               resources: resources, counter: counter)
        }
        if autoscaled {
            // The always-on floor: reserved instances when the term is cheaper than on demand, else an on-demand
            // minimum; the autoscaler adds on demand above it.
            func withFloor(_ floor: Int) -> Fleet {
                var raised = fleet
                raised.reserved = ratio < 1 ? floor : 0
                raised.onDemandMin = ratio < 1 ? 0 : floor
                raised.onDemandMax = max(onDemandCeiling(spec, above: raised.reserved), raised.onDemandMin)
                return raised
            }
            func confirm(_ floor: Int) async throws -> Fleet? {
                counter.step("\(candidate.label): \(term?.name ?? "on demand"), floor \(floor), autoscaled"
                    + (target.map { " at target \(Quantities.shortest($0))" } ?? ""))
                var candidateFleet = withFloor(floor)
                candidateFleet.evaluation = try await run(candidateFleet, replicas: floor)
                return candidateFleet.evaluation.met ? candidateFleet : nil
            }
            // The quantile's floor first; when the autoscaler reacts too late for it, the smallest higher floor that
            // holds the objectives (bisection up to the fixed fleet's size).
            var found = try await confirm(reserved)
            if found == nil, reserved < high, let atHigh = try await confirm(high) {
                found = try await bisect(holds: high, found: atHigh, misses: reserved, probe: confirm).found
            }
            if let found { return found }
            // The autoscaler missed an objective whatever the floor: the fixed fleet that met them, which runs all the
            // time, so all of it is worth reserving when the term costs less than on demand.
            fleet.autoscaled = false
            fleet.target = nil
            fleet.reserved = ratio < 1 ? high : 0
            fleet.onDemandMin = high - fleet.reserved
            fleet.onDemandMax = high - fleet.reserved
        }
        fleet.evaluation = try await run(fleet, replicas: high)
        return fleet
    }

    /// `fleet`'s on-demand usage settled under a savings plan, at the commitment that minimises the mean bill.
    static func settled(_ fleet: Fleet, under plan: SizingSpec.SavingsPlan, spec: SizingSpec) -> Fleet {
        let commitment = SavingsPlanBill.bestCommitment(fleet.evaluation.onDemandHourly, discount: plan.discount,
                                                        lastHourFraction: lastHourFraction(spec))
        var settledFleet = fleet
        settledFleet.savingsPlan = plan
        (settledFleet.evaluation, settledFleet.savingsBills) = settled(fleet.evaluation, under: plan, commitment: commitment,
                                                                       spec: spec)
        return settledFleet
    }

    /// An evaluation's on-demand usage settled under a plan at `commitment`: the plan's bill (commitment charges
    /// plus uncovered usage) replaces the on-demand bill it settles.
    static func settled(
        _ evaluation: Evaluation, under plan: SizingSpec.SavingsPlan, commitment: Double, spec: SizingSpec
    ) -> (evaluation: Evaluation, bills: [SavingsPlanBill]) {
        var evaluation = evaluation
        let bills = evaluation.onDemandHourly.map {
            SavingsPlanBill(hourly: $0, commitmentPerHour: commitment, discount: plan.discount,
                            lastHourFraction: lastHourFraction(spec))
        }
        for (index, bill) in bills.enumerated() { evaluation.costs[index].onDemand = bill.total }
        return (evaluation, bills)
    }

    /// The share of its hour the horizon's last clock hour covers (a commitment is charged for that share).
    static func lastHourFraction(_ spec: SizingSpec) -> Double {
        let hours = spec.scenario.durationSeconds / 3_600
        return hours - (hours.rounded(.up) - 1)
    }

    /// The fleet with as much spot as holds the objectives, up to the spot share allowed. Of k spot instances, as
    /// many as can replace always-on instances do, the most expensive first (on demand, then reserved when spot is
    /// cheaper); an autoscaled fleet keeps those as a spot floor and places the rest of the k on spot before on
    /// demand, which also takes a request spot cannot fill. More spot costs less and risks more, so the largest k
    /// that still meets the objectives is found by bisection. nil when spot is not offered, not cheaper, or no k ≥ 1
    /// holds.
    private static func withSpot(
        _ fleet: Fleet, high: Int, candidate: SizingSpec.Candidate, spec: SizingSpec, jobs: Int,
        resources: ResourceLimits, counter: RunCounter
    ) async throws -> Fleet? {
        guard let spot = spec.spot, let price = spot.price(for: candidate.instance),
              price < candidate.instance.onDemandPerHour else { return nil }
        let reservedPrice = fleet.term?.price(for: candidate.instance) ?? .infinity
        let alwaysOn = fleet.onDemandMin + (price < reservedPrice ? fleet.reserved : 0)
        let most = min(fleet.autoscaled ? high : alwaysOn, Int((spot.maxShare * Double(high) + 1e-9).rounded(.down)))
        guard most >= 1 else { return nil }
        func holds(_ k: Int) async throws -> Fleet? {
            counter.step("\(candidate.label): \(fleet.commitment ?? "on demand") with \(k) on spot")
            var spotted = fleet
            spotted.spot = k
            spotted.spotAvailability = spot.availability
            spotted.spotFloor = min(k, alwaysOn)
            let fromOnDemand = min(spotted.spotFloor, fleet.onDemandMin)
            spotted.onDemandMin -= fromOnDemand
            spotted.reserved -= spotted.spotFloor - fromOnDemand
            spotted.onDemandMax = fleet.autoscaled
                ? max(onDemandCeiling(spec, above: spotted.reserved), spotted.onDemandMin) : spotted.onDemandMin
            spotted.evaluation = try await evaluate(
                Self.scenario(spec, candidate, fleet: spotted), spec: spec, replicas: high, jobs: jobs,
                resources: resources, counter: counter)
            return spotted.evaluation.met ? spotted : nil
        }
        var found = try await holds(most)
        if found == nil {
            // No spot at all holds (the commitment's fleet met the objectives); it is not a spot fleet to offer.
            found = try await bisect(holds: 0, found: nil, misses: most, probe: holds).found
        }
        guard let found, found.evaluation.cost.mean < fleet.evaluation.cost.mean else { return nil }
        return found
    }

    /// The most on-demand instances an autoscaled fleet can run above `reserved` always-on ones: the sizing's limit,
    /// or the autoscaler's own maximum when that is lower (its count takes in every pool, so on demand never goes
    /// beyond it less the reserved base).
    static func onDemandCeiling(_ spec: SizingSpec, above reserved: Int) -> Int {
        min(spec.maxReplicas, spec.deployment.autoscaler?.replicaBounds.upperBound ?? spec.maxReplicas) - reserved
    }

    /// Bisection on a count where holding the objectives is monotone (increasing or decreasing in it): from a count
    /// that holds (`found`: what it gave, nil when it was not run) and one that misses, halves the gap until they
    /// are adjacent, and returns the count that holds nearest the miss with what the probe found there.
    /// Steps up from `first` by a step that doubles after each miss — from 1 by 1 that is 1, 2, 4, 8, … — until a
    /// fleet holds: that fleet and the last that missed (`misses` when `first` holds). When even `maxReplicas`
    /// misses: nil and the largest fleet tried.
    static func firstHolding(
        from first: Int, step: Int, misses: Int, maxReplicas: Int, holds: (Int) async throws -> Bool
    ) async throws -> (holds: Int?, misses: Int) {
        var (current, step, missed) = (first, step, misses)
        while try await !holds(current) {
            missed = current
            guard current < maxReplicas else { return (nil, current) }
            current = min(current + step, maxReplicas)
            step *= 2
        }
        return (current, missed)
    }

    static func bisect<Found>(
        holds: Int, found: Found?, misses: Int, probe: (Int) async throws -> Found?
    ) async throws -> (count: Int, found: Found?) {
        var (held, found, missed) = (holds, found, misses)
        while abs(held - missed) > 1 {
            let mid = (held + missed) / 2
            if let atMid = try await probe(mid) {
                (held, found) = (mid, atMid)
            } else {
                missed = mid
            }
        }
        return (held, found)
    }

    /// Replicas needed per window: the load of each window against the fixed fleet that carries the busiest one.
    static func neededReplicas(_ arrivals: [Double], fleet: Int) -> [Int] {
        guard let peak = arrivals.max(), peak > 0 else { return arrivals.map { _ in fleet } }
        return arrivals.map { Int((Double(fleet) * $0 / peak - 1e-9).rounded(.up)) }
    }

    /// The reserved count at which one more reserved instance stops paying: the smallest r for which the share of
    /// windows needing more than r is at most the reserved-to-on-demand price ratio.
    static func reservedCount(needed: [Int], priceRatio: Double) -> Int {
        guard !needed.isEmpty else { return 0 }
        let sorted = needed.sorted()
        var reserved = 0
        while reserved < sorted.last! {
            let above = sorted.count - (sorted.lastIndex { $0 <= reserved }.map { $0 + 1 } ?? 0)
            if Double(above) / Double(sorted.count) <= priceRatio { break }
            reserved += 1
        }
        return reserved
    }
}
