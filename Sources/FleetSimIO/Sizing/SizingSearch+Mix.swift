import FleetSim
import FleetSimKernel
import Foundation

/// Sizing a mix of two instance types: tiers of each behind a router that balances by free capacity, as fixed fleets.
///
/// More of either type never hurts, so the mixes that meet the objectives are bounded by a staircase: for each count
/// a of the type that needs fewer alone (1 … its count alone − 1), the fewest b of the other that hold, found by
/// bisection below the b of a − 1 (which holds for a as well: it is a smaller fleet than (a, b(a − 1))). Once b
/// reaches 1, a larger a only costs more. Under each term the cheapest mix on the staircase, at that term's prices,
/// is confirmed by simulation; a mix that misses on confirmation gives way to the next cheapest.
///
/// Left out (docs/sizing.md): an autoscaler, spot and savings plans for a mix, and mixes of more than two types.
extension SizingSearch {
    static func sizeMix(
        _ candidate: SizingSpec.Candidate, sized: [CandidateResult], spec: SizingSpec, jobs: Int,
        resources: ResourceLimits, counter: RunCounter
    ) async throws -> CandidateResult {
        var search = MixSearch(alone: [])
        for member in candidate.members {
            var alone = sized.first { $0.candidate == member }
            if alone == nil {
                alone = try await smallestFixedFleet(member, spec: spec, jobs: jobs, resources: resources, counter: counter)
            }
            search.alone.append(alone?.capacity?.replicas)
        }
        var result = CandidateResult(candidate: candidate, capacity: nil, needed: [], fleets: [], probes: [])
        guard let firstAlone = search.alone[0], let secondAlone = search.alone[1] else {
            search.remark = "a type alone misses the objectives up to \(spec.maxReplicas) replicas"
            result.mix = search
            return result
        }
        // The outer count runs over the type that needs fewer alone: fewer steps.
        let outer = firstAlone <= secondAlone ? 0 : 1
        let (outerAlone, innerAlone) = outer == 0 ? (firstAlone, secondAlone) : (secondAlone, firstAlone)
        func counts(_ outerCount: Int, _ innerCount: Int) -> [Int] {
            outer == 0 ? [outerCount, innerCount] : [innerCount, outerCount]
        }
        var evaluations: [[Int]: Evaluation] = [:]
        func run(_ fleet: Fleet) async throws -> Evaluation {
            try await evaluate(scenario(spec, candidate, fleet: fleet), spec: spec, replicas: fleet.tiers.reduce(0) { $0 + $1.count },
                               jobs: jobs, resources: resources, counter: counter)
        }
        func probe(_ mix: [Int]) async throws -> Evaluation? {
            counter.step("\(candidate.label): \(mix[0]) + \(mix[1]), fixed")
            let evaluation = try await run(mixFleet(mix, term: nil, candidate))
            evaluations[mix] = evaluation
            search.probes.append((mix, evaluation.met))
            return evaluation.met ? evaluation : nil
        }
        var innerHolding = innerAlone
        for outerCount in 1..<max(outerAlone, 1) {
            innerHolding = try await bisect(holds: innerHolding, found: nil as Evaluation?, misses: 0) { innerCount in
                try await probe(counts(outerCount, innerCount))
            }.count
            search.boundary.append(counts(outerCount, innerHolding))
            if innerHolding == 1 { break }
        }
        if search.boundary.isEmpty {
            search.remark = "no mix: one replica of \(candidate.members[outer].label) alone meets the objectives"
        }
        // Under each term, the cheapest mix on the boundary at its prices that the confirmation sees hold.
        let terms: [SizingSpec.Term?] = spec.terms.isEmpty ? [nil] : spec.terms
        for term in terms {
            let byCost = search.boundary.enumerated().map { index, mix in
                (index, mix, hourlyPrice(mixFleet(mix, term: term, candidate), candidate))
            }.sorted { a, b in a.2 != b.2 ? a.2 < b.2 : a.0 < b.0 }.map(\.1)
            for mix in byCost {
                var fleet = mixFleet(mix, term: term, candidate)
                if let seen = evaluations[mix], fleet.reserved == 0 {
                    fleet.evaluation = seen
                } else {
                    counter.step("\(candidate.label): \(mix[0]) + \(mix[1]), \(term?.name ?? "on demand")")
                    fleet.evaluation = try await run(fleet)
                }
                if fleet.evaluation.met {
                    result.fleets.append(fleet)
                    break
                }
            }
        }
        result.fleets.sort { $0.evaluation.cost.mean < $1.evaluation.cost.mean }
        result.mix = search
        return result
    }

    /// A mix's fixed fleet of `counts` (in the members' order), each tier reserved under `term` when that is cheaper
    /// than on demand for its instance type; not yet evaluated.
    static func mixFleet(_ counts: [Int], term: SizingSpec.Term?, _ candidate: SizingSpec.Candidate) -> Fleet {
        let tiers = zip(candidate.members, counts).map { member, count in
            let reserve = term.map { $0.price(for: member.instance) < member.instance.onDemandPerHour } ?? false
            return Fleet.Tier(reserved: reserve ? count : 0, onDemand: reserve ? 0 : count)
        }
        var fleet = Fleet(
            term: term, reserved: tiers.reduce(0) { $0 + $1.reserved }, onDemandMin: tiers.reduce(0) { $0 + $1.onDemand },
            onDemandMax: tiers.reduce(0) { $0 + $1.onDemand }, autoscaled: false,
            evaluation: Evaluation(replicas: 0, objectives: [], costs: [], arrivalsPerWindow: [], replicasMax: 0))
        fleet.tiers = tiers
        return fleet
    }

    /// A mix fleet's price per hour at its tiers' purchase options: what the meter bills a fixed fleet each hour.
    static func hourlyPrice(_ fleet: Fleet, _ candidate: SizingSpec.Candidate) -> Double {
        zip(candidate.members, fleet.tiers).reduce(0) { sum, pair in
            let (member, tier) = pair
            let reservedPrice = fleet.term?.price(for: member.instance) ?? member.instance.onDemandPerHour
            return sum + Double(tier.reserved) * reservedPrice + Double(tier.onDemand) * member.instance.onDemandPerHour
        }
    }
}
