import FleetSim
import FleetSimKernel
import Foundation

/// What `fleetsim size` writes: `size.json` (the recommendation, a contract), `alternatives.csv` (every candidate's
/// best fleet, ranked), `size.md` (the recommendation in words) and `recommended.yaml` (the fleet as a scenario, to
/// run again).
public enum SizingFiles {
    static let hoursPerMonth = BudgetSpec.hoursPerMonth
    static let hoursPerYear = 8_760.0

    @discardableResult
    public static func write(_ outcome: SizingSearch.Outcome, into directory: String) throws -> URL {
        let folder = try AtomicFolder(destination: directory, kind: .size)
        do {
            try folder.write("size.json", json(outcome).text())
            try folder.write("alternatives.csv", alternativesCSV(outcome))
            try folder.write("size.md", markdown(outcome))
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
            return .object(members)
        }
        let cost = fleet.evaluation.cost
        func scaled(_ f: (Double) -> Double) -> JSONValue {
            .object([("mean", .number(f(cost.mean))),
                     ("ciLow", .number(cost.interval.map { f($0.lower) })),
                     ("ciHigh", .number(cost.interval.map { f($0.upper) }))])
        }
        let deployment: JSONValue = .object([
            ("instance", .string(best.candidate.instance.name ?? best.candidate.label)),
            ("model", best.candidate.profileID.map(JSONValue.string) ?? .null),
            ("reserved", .object([("count", .integer(fleet.reserved)), ("term", fleet.term.map { .string($0.name) } ?? .null)])),
            ("onDemand", .object([("min", .integer(fleet.onDemandMin)), ("max", .integer(fleet.onDemandMax))])),
            ("spot", .object([("max", .integer(0))])),
            ("autoscaler", .string(fleet.autoscaled ? "the scenario's own" : "none (a fixed fleet)")),
        ])
        members.append(("recommendation", .object([
            ("deployments", .object([(spec.deployment.name, deployment)])),
            ("cost", .object([
                ("horizon", scaled { $0 }),
                ("monthly", scaled { perMonth($0, spec) }),
                ("annual", scaled { perYear($0, spec) }),
                ("upfront", .number(0)),
                ("byPurchase", .object([
                    ("reserved", .number(mean(fleet.evaluation.costs.map(\.reserved)))),
                    ("onDemand", .number(mean(fleet.evaluation.costs.map(\.onDemand)))),
                    ("spot", .number(mean(fleet.evaluation.costs.map(\.spot)))),
                ])),
            ])),
            ("objectives", objectivesJSON(fleet.evaluation)),
            ("capacity", .object([
                ("fixedReplicas", .integer(best.capacity?.replicas ?? 0)),
                ("neededReplicas", .array(best.needed.map { .integer($0) })),
            ])),
        ])))
        members.append(("growth", .array(outcome.growth.map { factor, evaluation in
            .object([("factor", .number(factor)), ("met", .bool(evaluation.met)),
                     ("costMonthly", .number(perMonth(evaluation.cost.mean, spec))),
                     ("objectives", objectivesJSON(evaluation))])
        })))
        return .object(members)
    }

    private static func objectivesJSON(_ evaluation: SizingSearch.Evaluation) -> JSONValue {
        .object(evaluation.objectives.map { objective in
            (objective.name, .object([
                ("percentile", .number(objective.percentile)),
                ("thresholdSeconds", .number(objective.thresholdSeconds)),
                ("observed", .number(objective.observedSeconds)),
                ("attainment", .number(objective.attainment)),
                ("attainmentLowerBound", .number(objective.lowerBound)),
                ("met", .bool(objective.met)),
            ]))
        })
    }

    private static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// One row per candidate and term, cheapest first; a candidate with no feasible fleet has one row without cost.
    static func alternativesCSV(_ outcome: SizingSearch.Outcome) -> String {
        let spec = outcome.spec
        var text = "rank,instance,model,term,reserved,on_demand_min,on_demand_max,autoscaled,fixed_replicas,"
            + "cost_monthly_usd,cost_monthly_ci_low,cost_monthly_ci_high,"
            + "vs_best_monthly_usd,vs_best_ci_low,vs_best_ci_high,objectives_met"
            + spec.scenario.sloNames.map { ",\($0)_attainment,\($0)_observed_s" }.joined() + "\n"
        var rank = 0
        var rows: [(SizingSearch.CandidateResult, SizingSearch.Fleet?)] = []
        for result in outcome.candidates {
            if result.fleets.isEmpty { rows.append((result, nil)) } else { rows += result.fleets.map { (result, $0) } }
        }
        rows.sort { a, b in
            switch (a.1, b.1) {
            case let (x?, y?): return x.evaluation.cost.mean < y.evaluation.cost.mean
            case (_?, nil): return true
            default: return false
            }
        }
        let best = rows.first?.1?.evaluation ?? SizingSearch.Evaluation(
            replicas: 0, objectives: [], costs: [], arrivalsPerWindow: [], replicasMax: 0)
        for (result, fleet) in rows {
            rank += 1
            var cells = [String(rank), CSVFormat.text(result.candidate.instance.name ?? result.candidate.label),
                         result.candidate.profileID ?? ""]
            guard let fleet else {
                cells += ["", "", "", "", "", "", "", "", "", "", "", "", "false"]
                cells += spec.scenario.sloNames.flatMap { _ in ["", ""] }
                text += cells.joined(separator: ",") + "\n"
                continue
            }
            let cost = fleet.evaluation.cost
            cells += [fleet.term?.name ?? "", String(fleet.reserved), String(fleet.onDemandMin), String(fleet.onDemandMax),
                      String(fleet.autoscaled), String(result.capacity?.replicas ?? 0),
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

    public static func markdown(_ outcome: SizingSearch.Outcome) -> String {
        let spec = outcome.spec
        var lines = ["# Sizing: \(spec.name)", ""]
        guard let best = outcome.recommendation, let fleet = best.best else {
            lines.append("No candidate met the objectives with up to \(spec.maxReplicas) replicas (`maxReplicas`).")
            return lines.joined(separator: "\n") + "\n"
        }
        let cost = fleet.evaluation.cost
        let money = { (x: Double) in "$" + SummaryTable.grouped(Int(x.rounded())) }
        // A fixed fleet's cost does not vary between replications: no interval to quote.
        let interval = cost.halfWidth.isFinite && cost.halfWidth > 0
            ? " (95 % interval \(money(perMonth(cost.lower, spec)))–\(money(perMonth(cost.upper, spec))))" : ""
        let reserved = fleet.reserved > 0 && fleet.term != nil
            ? "reserve \(fleet.reserved) for \(fleet.term!.name)" : "reserve none"
        let onDemand = fleet.autoscaled
            ? "scale on demand above that with the scenario's autoscaler (up to \(fleet.onDemandMax))"
            : (fleet.onDemandMin > 0 ? "run \(fleet.onDemandMin) more on demand" : "nothing on demand")
        lines.append("**\(best.candidate.label): \(reserved), \(onDemand); about \(money(perMonth(cost.mean, spec))) a month**"
            + "\(interval), meeting \(objectiveText(fleet.evaluation)) with \(Int(spec.confidence * 100)) % confidence over "
            + "\(spec.replications) replications.")
        lines += ["", "The smallest fixed fleet that meets the objectives is \(best.capacity!.replicas) replicas "
            + "(tried: \(best.probes.map { "\($0.replicas)\($0.met ? " ✓" : " ✗")" }.joined(separator: ", "))).", ""]
        lines += ["| candidate | term | reserved | on demand | cost / month | objectives |", "|---|---|---|---|---|---|"]
        for result in outcome.candidates {
            guard !result.fleets.isEmpty else {
                lines.append("| \(result.candidate.label) | – | – | – | infeasible up to \(spec.maxReplicas) | – |")
                continue
            }
            for option in result.fleets {
                let onDemand = option.autoscaled ? "0–\(option.onDemandMax), autoscaled" : "\(option.onDemandMin), fixed"
                lines.append("| \(result.candidate.label) | \(option.term?.name ?? "–") | \(option.reserved) | \(onDemand) | "
                    + "\(money(perMonth(option.evaluation.cost.mean, spec))) | \(objectiveText(option.evaluation)) |")
            }
        }
        if let term = fleet.term {
            let ratio = term.price(for: best.candidate.instance) / best.candidate.instance.onDemandPerHour
            lines += ["", "A reserved instance under \(term.name) costs \(Int((ratio * 100).rounded())) % of on demand: it "
                + "pays for itself when it is needed more than \(Int((ratio * 100).rounded())) % of the time "
                + "(the break-even utilization)."]
        }
        if !outcome.growth.isEmpty {
            lines += ["", "Growth what-ifs (the same fleet, traffic scaled):", "", "| traffic | cost / month | objectives |",
                      "|---|---|---|"]
            for (factor, evaluation) in outcome.growth {
                lines.append("| ×\(Quantities.shortest(factor)) | \(money(perMonth(evaluation.cost.mean, spec))) | "
                    + "\(objectiveText(evaluation))\(evaluation.met ? "" : " — **missed**") |")
            }
        }
        lines += ["", "Not considered: spot capacity, savings plans, upfront payments, mixed instance types "
            + "(docs/sizing.md)."]
        return lines.joined(separator: "\n") + "\n"
    }

    private static func objectiveText(_ evaluation: SizingSearch.Evaluation) -> String {
        evaluation.objectives.map { objective in
            let observed = objective.observedSeconds.map { String(format: "%.2f s", $0) } ?? "–"
            return "\(objective.name) p\(Quantities.shortest(objective.percentile * 100)) \(observed) "
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
