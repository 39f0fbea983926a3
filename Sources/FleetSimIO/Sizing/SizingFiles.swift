import FleetSim
import FleetSimKernel
import Foundation

/// What `fleetsim size` writes: `size.json` (the recommendation, a contract), `alternatives.csv` (every candidate's
/// best fleet, ranked), `size.md` (the recommendation in words), `report.html` (the same with charts) and
/// `recommended.yaml` (the fleet as a scenario, to run again).
public enum SizingFiles {
    static let hoursPerMonth = BudgetSpec.hoursPerMonth
    static let hoursPerYear = 8_760.0

    @discardableResult
    public static func write(_ outcome: SizingSearch.Outcome, into directory: String) throws -> URL {
        let folder = try AtomicFolder(destination: directory, kind: .size)
        do {
            let text = markdown(outcome)
            let alternatives = alternativesCSV(outcome)
            try folder.write("size.json", json(outcome).text())
            try folder.write("alternatives.csv", alternatives)
            try folder.write("size.md", text)
            try folder.write("report.html", SizeReport.html(markdown: text, alternatives: alternatives,
                                                            needed: outcome.recommendation?.needed ?? []))
            if let best = outcome.recommendation, let fleet = best.best {
                let scenario = SizingSearch.scenario(outcome.spec, best.candidate, fleet: fleet)
                try folder.write("recommended.yaml", try ScenarioEncoder.yaml(scenario))
            }
            try folder.commit()
        } catch {
            folder.abandon()
            throw error
        }
        return folder.destination
    }

    /// A horizon's cost as a month's and a year's, at the same rate.
    static func perMonth(_ cost: Double, _ spec: SizingSpec) -> Double { cost * hoursPerMonth * 3_600 / spec.scenario.durationSeconds }
    static func perYear(_ cost: Double, _ spec: SizingSpec) -> Double { cost * hoursPerYear * 3_600 / spec.scenario.durationSeconds }

    static func json(_ outcome: SizingSearch.Outcome) -> JSONValue {
        let spec = outcome.spec
        var members: [(String, JSONValue)] = [
            ("name", .string(spec.name)),
            ("scenario", .string(spec.scenarioPath)),
            ("deployment", .string(spec.deployment.name)),
            ("replications", .integer(spec.replications)),
            ("confidence", .number(spec.confidence)),
            ("runs", .integer(outcome.runs)),
        ]
        guard let best = outcome.recommendation, let fleet = best.best else {
            members.append(("recommendation", .null))
            if let (candidate, evaluation) = outcome.closest {
                members.append(("closest", .object([
                    ("instance", .string(candidate.instance.name ?? candidate.label)),
                    ("model", candidate.profileID.map(JSONValue.string) ?? .null),
                    ("onDemand", .integer(evaluation.replicas)),
                    ("objectives", objectivesJSON(evaluation)),
                ])))
            }
            return .object(members)
        }
        let cost = fleet.evaluation.cost
        func scaled(_ f: (Double) -> Double) -> JSONValue {
            .object([("mean", .number(f(cost.mean))),
                     ("ciLow", .number(cost.interval.map { f($0.lower) })),
                     ("ciHigh", .number(cost.interval.map { f($0.upper) }))])
        }
        let monthly = { (values: [Double]) in JSONValue.number(perMonth(mean(values), spec)) }
        let bills = fleet.savingsBills
        let spotPrice = spec.spot?.price(for: best.candidate.instance)
        let deployment: JSONValue = .object([
            ("instance", .string(best.candidate.instance.name ?? best.candidate.label)),
            ("model", best.candidate.profileID.map(JSONValue.string) ?? .null),
            ("reserved", .object([("count", .integer(fleet.reserved)),
                                  ("term", fleet.reserved > 0 ? fleet.term.map { .string($0.name) } ?? .null : .null)])),
            ("savingsPlan", fleet.savingsPlan.map { plan in
                .object([("term", .string(plan.name)), ("discount", .number(plan.discount)),
                         ("commitmentPerHour", .number(bills.first?.commitmentPerHour))])
            } ?? .null),
            ("onDemand", .object([("min", .integer(fleet.onDemandMin)), ("max", .integer(fleet.onDemandMax))])),
            ("spot", .object([("max", .integer(fleet.spot)),
                              ("availability", fleet.spotAvailability.map { .string($0.rawValue) } ?? .null),
                              ("pricePerHour", fleet.spot > 0 ? .number(spotPrice) : .null)])),
            ("autoscaler", .string(autoscalerText(fleet, spec))),
        ])
        members.append(("recommendation", .object([
            ("deployments", .object(best.candidate.isMix
                ? mixDeploymentsJSON(fleet, best.candidate, spec) : [(spec.deployment.name, deployment)])),
            ("cost", .object([
                ("horizon", scaled { $0 }),
                ("monthly", scaled { perMonth($0, spec) }),
                ("annual", scaled { perYear($0, spec) }),
                ("upfront", .number(upfront(fleet, best.candidate))),
                ("monthlyByPurchase", .object([
                    ("reserved", monthly(fleet.evaluation.costs.map(\.reserved))),
                    ("savingsPlan", monthly(bills.map(\.committed))),
                    ("onDemand", monthly(bills.isEmpty ? fleet.evaluation.costs.map(\.onDemand) : bills.map(\.uncovered))),
                    ("spot", monthly(fleet.evaluation.costs.map(\.spot))),
                ])),
                ("savingsPlanWasteMonthly", bills.isEmpty ? .null : monthly(bills.map(\.waste))),
            ])),
            ("objectives", objectivesJSON(fleet.evaluation)),
            ("spotRisk", .array(outcome.spotRisk.map { label, evaluation in
                .object([("case", .string(label)), ("met", .bool(evaluation.met)),
                         ("costMonthly", .number(perMonth(evaluation.cost.mean, spec))),
                         ("objectives", objectivesJSON(evaluation))])
            })),
            ("capacity", .object([
                ("fixedReplicas", .integer(best.capacity?.replicas ?? fleet.tiers.reduce(0) { $0 + $1.count })),
                ("neededReplicas", .array(best.needed.map { .integer($0) })),
                ("mixBoundary", best.mix.map { mix in .array(mix.boundary.map { .array($0.map { .integer($0) }) }) } ?? .null),
            ])),
        ])))
        members.append(("growth", .array(outcome.growth.map { factor, evaluation in
            .object([("factor", .number(factor)), ("met", .bool(evaluation.met)),
                     ("costMonthly", .number(perMonth(evaluation.cost.mean, spec))),
                     ("objectives", objectivesJSON(evaluation))])
        })))
        return .object(members)
    }

    /// A mix's deployments: the router in the sized deployment's place, and one fixed tier per instance type (the
    /// names recommended.yaml gives them).
    private static func mixDeploymentsJSON(
        _ fleet: SizingSearch.Fleet, _ candidate: SizingSpec.Candidate, _ spec: SizingSpec
    ) -> [(String, JSONValue)] {
        let scenario = SizingSearch.scenario(spec, candidate, fleet: fleet)
        let tierNames = scenario.deployments.dropFirst(spec.deploymentIndex + 1).map(\.name)
        var entries: [(String, JSONValue)] = [(spec.deployment.name, .object([
            ("router", .object([("balance", .string(RouteRule.Balance.freeCapacity.rawValue)),
                                ("to", .array(tierNames.map(JSONValue.string)))])),
        ]))]
        for (name, (member, tier)) in zip(tierNames, zip(candidate.members, fleet.tiers)) {
            entries.append((name, .object([
                ("instance", .string(member.instance.name ?? member.label)),
                ("model", member.profileID.map(JSONValue.string) ?? .null),
                ("reserved", .object([("count", .integer(tier.reserved)),
                                      ("term", tier.reserved > 0 ? fleet.term.map { .string($0.name) } ?? .null : .null)])),
                ("onDemand", .object([("min", .integer(tier.onDemand)), ("max", .integer(tier.onDemand))])),
                ("spot", .object([("max", .integer(0))])),
                ("autoscaler", .string(autoscalerText(fleet, spec))),
            ])))
        }
        return entries
    }

    private static func objectivesJSON(_ evaluation: SizingSearch.Evaluation) -> JSONValue {
        .object(evaluation.objectives.map { objective in
            (objective.name, .object([
                ("percentile", .number(objective.percentile)),
                ("thresholdSeconds", .number(objective.thresholdSeconds)),
                ("observed", .number(objective.observedSeconds)),
                ("attainment", .number(objective.attainment)),
                ("attainmentLowerBound", .number(objective.lowerBound)),
                ("judged", .string(objective.windowShare == nil ? "requests" : "windows")),
                ("windowShare", .number(objective.windowShare)),
                ("met", .bool(objective.met)),
            ]))
        })
    }

    /// Paid at purchase for the whole term: the reserved instances' or the plan's share paid upfront.
    static func upfront(_ fleet: SizingSearch.Fleet, _ candidate: SizingSpec.Candidate) -> Double {
        if let plan = fleet.savingsPlan {
            return (fleet.savingsBills.first?.commitmentPerHour ?? 0) * plan.hours * plan.upfrontShare
        }
        guard let term = fleet.term else { return 0 }
        if candidate.isMix {
            return zip(candidate.members, fleet.tiers).reduce(0) {
                $0 + Double($1.1.reserved) * term.price(for: $1.0.instance) * term.hours * term.upfrontShare
            }
        }
        return Double(fleet.reserved) * term.price(for: candidate.instance) * term.hours * term.upfrontShare
    }

    static func autoscalerText(_ fleet: SizingSearch.Fleet, _ spec: SizingSpec) -> String {
        guard fleet.autoscaled else { return "none (a fixed fleet)" }
        return fleet.target.map { "the scenario's own, target \(targetText($0, spec))" } ?? "the scenario's own"
    }

    /// A tuned HPA target as the sizing file gave it: a percentage for utilization, else the value.
    static func targetText(_ target: Double, _ spec: SizingSpec) -> String {
        guard case .hpa(let hpa)? = spec.deployment.autoscaler?.policy, hpa.metrics.first?.metric == .utilization else {
            return Quantities.shortest(target)
        }
        return "\(Quantities.shortest(target * 100)) %"
    }

    private static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// One row per candidate and term, cheapest first; a candidate with no feasible fleet has one row without cost.
    static func alternativesCSV(_ outcome: SizingSearch.Outcome) -> String {
        let spec = outcome.spec
        var text = "rank,instance,model,term,reserved,savings_plan_per_hour,on_demand_min,on_demand_max,spot,"
            + "spot_availability,autoscaled,hpa_target,fixed_replicas,mix_counts,"
            + "cost_monthly_usd,cost_monthly_ci_low,cost_monthly_ci_high,"
            + "vs_best_monthly_usd,vs_best_ci_low,vs_best_ci_high,objectives_met"
            + spec.scenario.sloNames.map { ",\($0)_attainment,\($0)_observed_s" }.joined() + "\n"
        var rank = 0
        let rows = ranked(outcome)
        let best = rows.first?.1?.evaluation ?? SizingSearch.Evaluation(
            replicas: 0, objectives: [], costs: [], arrivalsPerWindow: [], replicasMax: 0)
        for (result, fleet) in rows {
            rank += 1
            let types = result.candidate.isMix ? result.candidate.members : [result.candidate]
            var cells = [String(rank), CSVFormat.text(types.map { $0.instance.name ?? $0.label }.joined(separator: " + ")),
                         CSVFormat.text(types.map { $0.profileID ?? "" }.joined(separator: result.candidate.isMix ? " + " : ""))]
            guard let fleet else {
                cells += ["", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "false"]
                cells += spec.scenario.sloNames.flatMap { _ in ["", ""] }
                text += cells.joined(separator: ",") + "\n"
                continue
            }
            let cost = fleet.evaluation.cost
            cells += [CSVFormat.text(fleet.commitment ?? ""), String(fleet.reserved),
                      CSVFormat.cell(fleet.savingsBills.first?.commitmentPerHour),
                      String(fleet.onDemandMin), String(fleet.onDemandMax), String(fleet.spot),
                      fleet.spotAvailability.map { CSVFormat.text($0.rawValue) } ?? "",
                      String(fleet.autoscaled), CSVFormat.cell(fleet.target),
                      String(result.capacity?.replicas ?? fleet.tiers.reduce(0) { $0 + $1.count }),
                      CSVFormat.text(fleet.tiers.map { String($0.count) }.joined(separator: " + ")),
                      CSVFormat.cell(perMonth(cost.mean, spec)),
                      CSVFormat.cell(cost.interval.map { perMonth($0.lower, spec) }),
                      CSVFormat.cell(cost.interval.map { perMonth($0.upper, spec) })]
            // Paired with the best fleet replication by replication: both ran on the same streams.
            let difference = MeanEstimate(zip(fleet.evaluation.costs, best.costs).map { $0.total - $1.total })
            cells += [CSVFormat.cell(perMonth(difference.mean, spec)),
                      CSVFormat.cell(difference.interval.map { perMonth($0.lower, spec) }),
                      CSVFormat.cell(difference.interval.map { perMonth($0.upper, spec) }),
                      String(fleet.evaluation.met)]
            cells += fleet.evaluation.objectives.flatMap {
                [CSVFormat.cell($0.attainment), CSVFormat.cell($0.observedSeconds)]
            }
            text += cells.joined(separator: ",") + "\n"
        }
        return text
    }

    /// Every fleet of every candidate, cheapest first, then the candidates with none: the ranks of alternatives.csv.
    static func ranked(_ outcome: SizingSearch.Outcome) -> [(SizingSearch.CandidateResult, SizingSearch.Fleet?)] {
        var rows: [(SizingSearch.CandidateResult, SizingSearch.Fleet?)] = []
        for result in outcome.candidates {
            if result.fleets.isEmpty { rows.append((result, nil)) } else { rows += result.fleets.map { (result, $0) } }
        }
        // A stable sort: equal costs keep the search's order.
        return rows.enumerated().sorted { a, b in
            switch (a.element.1, b.element.1) {
            case let (x?, y?):
                return x.evaluation.cost.mean != y.evaluation.cost.mean
                    ? x.evaluation.cost.mean < y.evaluation.cost.mean : a.offset < b.offset
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.offset < b.offset
            }
        }.map(\.element)
    }

    public static func markdown(_ outcome: SizingSearch.Outcome) -> String {
        let spec = outcome.spec
        var lines = ["# Sizing: \(spec.name)", ""]
        guard let best = outcome.recommendation, let fleet = best.best else {
            lines.append("No candidate met the objectives with up to \(spec.maxReplicas) replicas (`maxReplicas`).")
            if let (candidate, evaluation) = outcome.closest {
                lines += ["", "Closest: \(candidate.label) with \(evaluation.replicas) replicas on demand, "
                    + "\(objectiveText(evaluation)); attainment " + evaluation.objectives.map {
                        "\($0.name) \(String(format: "%.1f", $0.attainment * 100)) % (needed \(Quantities.shortest($0.percentile * 100)) %)"
                    }.joined(separator: ", ") + "."]
            }
            return lines.joined(separator: "\n") + "\n"
        }
        let cost = fleet.evaluation.cost
        let money = { (x: Double) in "$" + SummaryTable.grouped(Int(x.rounded())) }
        // A fixed fleet's cost does not vary between replications: no interval to quote.
        let (low, high) = (money(perMonth(cost.lower, spec)), money(perMonth(cost.upper, spec)))
        let interval = cost.halfWidth.isFinite && low != high ? " (95 % interval \(low)–\(high))" : ""
        lines.append("**\(best.candidate.label): \(fleetText(fleet, best.candidate, spec)); about \(money(perMonth(cost.mean, spec))) a month**"
            + "\(interval), meeting \(objectiveText(fleet.evaluation)) with \(Int(spec.confidence * 100)) % confidence over "
            + "\(spec.replications) replications.")
        let upfrontPaid = upfront(fleet, best.candidate)
        if upfrontPaid > 0 { lines += ["", "Paid upfront: \(money(upfrontPaid)), included above spread over the term."] }
        let byPurchase = [
            ("reserved", fleet.evaluation.costs.map(\.reserved)),
            ("savings plan", fleet.savingsBills.map(\.committed)),
            ("on demand", fleet.savingsBills.isEmpty ? fleet.evaluation.costs.map(\.onDemand) : fleet.savingsBills.map(\.uncovered)),
            ("spot", fleet.evaluation.costs.map(\.spot)),
        ].filter { mean($0.1) > 0 }
        if byPurchase.count > 1 || !fleet.savingsBills.isEmpty {
            lines += ["", "A month by purchase option: "
                + byPurchase.map { "\($0.0) \(money(perMonth(mean($0.1), spec)))" }.joined(separator: ", ")
                + (fleet.savingsBills.isEmpty ? "" : "; of the plan's commitment, "
                    + "\(money(perMonth(mean(fleet.savingsBills.map(\.waste)), spec))) a month goes unused") + "."]
        }
        if let mix = best.mix {
            lines += ["", mixSearchText(mix, best.candidate), ""]
        } else {
            lines += ["", "The smallest fixed fleet that meets the objectives is \(best.capacity!.replicas) replicas "
                + "(tried: \(best.probes.map { "\($0.replicas)\($0.met ? " ✓" : " ✗")" }.joined(separator: ", "))).", ""]
        }
        lines += ["| # | candidate | commitment | reserved | on demand | spot | cost / month | objectives |",
                  "|---|---|---|---|---|---|---|---|"]
        for (index, (result, fleet)) in ranked(outcome).enumerated() {
            guard let option = fleet else {
                let why = result.mix?.remark ?? "infeasible up to \(spec.maxReplicas)"
                lines.append("| \(index + 1) | \(result.candidate.label) | – | – | – | – | \(why) | – |")
                continue
            }
            do {
                // A floor at the autoscaler's maximum leaves it nothing to add: the fleet runs fixed.
                let onDemand = option.autoscaled && option.onDemandMax == option.onDemandMin
                    ? "\(option.onDemandMin), fixed (the floor reaches the autoscaler's maximum)"
                    : option.autoscaled
                    ? "\(option.onDemandMin)–\(option.onDemandMax), autoscaled"
                        + (option.target.map { " at \(targetText($0, spec))" } ?? "")
                    : "\(option.onDemandMin), fixed"
                let commitment = option.savingsPlan.map { plan in
                    "savings plan \(plan.name), \(money(option.savingsBills.first?.commitmentPerHour ?? 0))/h"
                } ?? (option.reserved > 0 ? option.term?.name ?? "–" : "–")
                let spot = option.spot > 0 ? "\(option.autoscaled ? "≤ " : "")\(option.spot) at \(option.spotAvailability!.rawValue)" : "–"
                let candidate = result.candidate.isMix ? mixText(option, result.candidate) : result.candidate.label
                lines.append("| \(index + 1) | \(candidate) | \(commitment) | \(option.reserved) | \(onDemand) | \(spot) | "
                    + "\(money(perMonth(option.evaluation.cost.mean, spec))) | \(objectiveText(option.evaluation)) |")
            }
        }
        for result in outcome.candidates where result.candidate.isMix && result.candidate != best.candidate {
            guard let mix = result.mix else { continue }
            let text = mixSearchText(mix, result.candidate)
            lines += ["", "The \(result.candidate.label): " + text.prefix(1).lowercased() + text.dropFirst()]
        }
        if let term = fleet.term, fleet.reserved > 0 {
            let types = best.candidate.isMix ? best.candidate.members : [best.candidate]
            let percents = types.map { Int((term.price(for: $0.instance) / $0.instance.onDemandPerHour * 100).rounded()) }
            let what = Set(percents).count == 1
                ? "\(percents[0]) % of on demand: it pays for itself when it is needed more than \(percents[0]) % of the time"
                : zip(types, percents).map { "\($1) % of on demand for \($0.instance.name ?? $0.label)" }
                    .joined(separator: " and ") + ": each pays for itself when it is needed more than that share of the time"
            lines += ["", "A reserved instance under \(term.name) costs \(what) (the break-even utilization)."]
        }
        if !outcome.spotRisk.isEmpty {
            lines += ["", "How much rests on spot (the same fleet):", "", "| case | cost / month | objectives |", "|---|---|---|"]
            lines.append("| as recommended, spot at \(fleet.spotAvailability!.rawValue) | \(money(perMonth(cost.mean, spec))) | "
                + "\(objectiveText(fleet.evaluation)) |")
            for (label, evaluation) in outcome.spotRisk {
                let what = label == "no spot"
                    ? (fleet.autoscaled ? "no spot at all (on demand takes its place)" : "its spot instances gone")
                    : label
                lines.append("| \(what) | \(money(perMonth(evaluation.cost.mean, spec))) | "
                    + "\(objectiveText(evaluation))\(evaluation.met ? "" : " — **missed**") |")
            }
        }
        if !outcome.growth.isEmpty {
            lines += ["", "Growth what-ifs (the same fleet, traffic scaled):", "", "| traffic | cost / month | objectives |",
                      "|---|---|---|"]
            for (factor, evaluation) in outcome.growth {
                lines.append("| ×\(Quantities.shortest(factor)) | \(money(perMonth(evaluation.cost.mean, spec))) | "
                    + "\(objectiveText(evaluation))\(evaluation.met ? "" : " — **missed**") |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A mix fleet's counts by instance type: "5× aws/p5.48xlarge and 2× aws/p4de.24xlarge".
    static func mixText(_ fleet: SizingSearch.Fleet, _ candidate: SizingSpec.Candidate) -> String {
        zip(candidate.members, fleet.tiers).map { "\($1.count)× \($0.label)" }.joined(separator: " and ")
    }

    /// How a mix was searched: each type alone, the boundary of the mixes that hold, and the mixes tried.
    static func mixSearchText(_ mix: SizingSearch.MixSearch, _ candidate: SizingSpec.Candidate) -> String {
        let names = candidate.members.map { $0.instance.name ?? $0.label }
        let alone = zip(names, mix.alone).map { "\($0) \($1.map(String.init) ?? "none up to the limit")" }
        func pair(_ counts: [Int]) -> String { "\(counts[0]) + \(counts[1])" }
        if mix.probes.isEmpty {
            return "Alone, the smallest fixed fleets are \(alone.joined(separator: " and ")); no mix was tried: "
                + "\(mix.remark ?? "none is smaller than one type alone")."
        }
        return "Alone, the smallest fixed fleets are \(alone.joined(separator: " and ")). The smallest mixes that meet "
            + "the objectives (\(names.joined(separator: " + "))): "
            + (mix.boundary.isEmpty ? "none" : mix.boundary.map(pair).joined(separator: ", "))
            + " (tried: \(mix.probes.map { "\(pair($0.counts))\($0.met ? " ✓" : " ✗")" }.joined(separator: ", ")))."
    }

    /// The fleet in words: what to commit, what to run on demand and on spot.
    static func fleetText(_ fleet: SizingSearch.Fleet, _ candidate: SizingSpec.Candidate, _ spec: SizingSpec) -> String {
        if candidate.isMix {
            let tiers = zip(candidate.members, fleet.tiers).map { member, tier in
                let name = member.instance.name ?? member.label
                return tier.reserved > 0 ? "reserve \(tier.reserved) \(name) for \(fleet.term!.name)"
                    : "run \(tier.onDemand) \(name) on demand"
            }
            return tiers.joined(separator: " and ") + ", behind a router that balances by free capacity"
        }
        var parts: [String] = []
        if let plan = fleet.savingsPlan {
            let commitment = fleet.savingsBills.first?.commitmentPerHour ?? 0
            parts.append("commit $\(String(format: "%.2f", commitment)) an hour to a \(plan.name) savings plan")
        } else {
            parts.append(fleet.reserved > 0 && fleet.term != nil ? "reserve \(fleet.reserved) for \(fleet.term!.name)" : "reserve none")
        }
        if fleet.autoscaled {
            let floor = fleet.onDemandMin > 0 ? "from \(fleet.onDemandMin) " : ""
            let target = fleet.target.map { " at target \(targetText($0, spec))" } ?? ""
            if fleet.spotFloor > 0 { parts.append("keep \(fleet.spotFloor) on spot") }
            let spot = fleet.spot > fleet.spotFloor ? ", spot first up to \(fleet.spot) on spot in all" : ""
            parts.append("scale \(floor)on demand above that with the scenario's autoscaler\(target) (up to "
                + "\(fleet.onDemandMax) on demand\(spot))")
        } else {
            if fleet.onDemandMin > 0 { parts.append("run \(fleet.onDemandMin) on demand") }
            if fleet.spot > 0 { parts.append("run \(fleet.spot) on spot") }
            if fleet.onDemandMin == 0 && fleet.spot == 0 { parts.append("nothing on demand") }
        }
        return parts.joined(separator: ", ")
    }

    private static func objectiveText(_ evaluation: SizingSearch.Evaluation) -> String {
        evaluation.objectives.map { objective in
            let percentile = "p\(Quantities.shortest(objective.percentile * 100))"
            if let share = objective.windowShare {
                return "\(objective.name) \(percentile) ≤ \(Quantities.format(seconds: objective.thresholdSeconds)) in "
                    + "\(String(format: "%.1f", objective.attainment * 100)) % of windows "
                    + "(≥ \(Quantities.shortest(share * 100)) % \(objective.met ? "✓" : "✗"))"
            }
            let observed = objective.observedSeconds.map { String(format: "%.2f s", $0) } ?? "–"
            return "\(objective.name) \(percentile) \(observed) "
                + "(≤ \(Quantities.format(seconds: objective.thresholdSeconds)) \(objective.met ? "✓" : "✗"))"
        }.joined(separator: ", ")
    }
}

extension Scenario {
    /// The SLO's objectives by name, e2e first.
    var sloNames: [String] {
        (slo?.e2e != nil ? ["e2e"] : []) + (slo?.ttft != nil ? ["ttft"] : [])
    }
}
