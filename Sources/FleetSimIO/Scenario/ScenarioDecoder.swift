import FleetSim
import Foundation
import FleetSimKernel

/// Turns a scenario document into a validated `Scenario`, filling in defaults: the top level, the objectives and the
/// checks across sections; each section has its decoder (traffic, deployments, fleet, autoscaler, trace,
/// distributions).
///
/// The bounds below keep a typo from starting a run that could never finish or that would overflow; each is
/// documented in docs/scenario-format.md.
struct ScenarioDecoder {
    static let maxDurationSeconds = 366.0 * 86_400
    static let maxRatePerSecond = 1e6
    static let maxCount = 1_000_000
    static let maxWindows = 10_000_000.0
    static let nonNegative = 0.0...Double.greatestFiniteMagnitude

    let defaultName: String
    /// Where relative file paths (traces, token-length files) are resolved from: the scenario file's folder.
    let baseDirectory: String

    func decode(_ root: ScenarioValue) throws -> Scenario {
        let top = try root.mapping(
            allowed: ["name", "seed", "duration", "window", "warmup", "traffic", "deployments", "slo", "budget", "engine"])
        let name = try top["name"]?.name() ?? Self.sanitizedName(defaultName)
        let seed = try top["seed"].map { UInt64(try $0.integer("a seed", in: 0...Int(UInt32.max))) } ?? 1
        let durationValue = try top.required("duration", "how much time to simulate, e.g. 1d")
        let duration = try durationValue.duration(in: 1e-3...Self.maxDurationSeconds)
        let window = try top["window"]?.duration(in: 1e-3...Self.maxDurationSeconds) ?? min(60, duration)
        if duration / window > Self.maxWindows {
            throw top["window"]!.error("a \(Quantities.format(seconds: window)) window over \(Quantities.format(seconds: duration)) makes more than \(Int(Self.maxWindows)) timeline rows")
        }
        let warmup = try top["warmup"]?.duration(in: Self.nonNegative) ?? 0
        if warmup >= duration {
            throw top["warmup"]!.expected("a warm-up shorter than the duration (\(Quantities.format(seconds: duration)))")
        }
        let deploymentsValue = try top.required("deployments", "the models being served and their fleets")
        let trafficValue = try top.required("traffic", "the offered load")
        let replaysTrace = (try? trafficValue.mapping(allowed: []))?["trace"] != nil
        let deployments = try DeploymentDecoder(baseDirectory: baseDirectory, hasRateCurve: !replaysTrace)
            .decode(deploymentsValue)
        let traffic = try TrafficDecoder(baseDirectory: baseDirectory)
            .decode(trafficValue, deployments: deployments, horizon: duration)
        let slo = try top["slo"].map(decodeSLO)
        var scenario = Scenario(
            name: name, seed: seed, durationSeconds: duration, windowSeconds: min(window, duration),
            warmupSeconds: warmup, traffic: traffic, deployments: deployments, slo: slo,
            budget: try top["budget"].map(decodeBudget))
        if let engineValue = top["engine"] {
            scenario.engine = try decodeEngine(engineValue, window: scenario.windowSeconds)
            if case .analytic = scenario.engine, let gap = AnalyticScope.gap(in: scenario) {
                throw engineValue.error(
                    "the analytic engine does not model \(gap.message), found at \(gap.keyPath); "
                        + "run it with the discrete-event engine (engine: discreteEvent)")
            }
        }
        return scenario
    }

    /// `engine: analytic`, `engine: discreteEvent`, or `engine: {kind: analytic, step: 10s}`.
    private func decodeEngine(_ value: ScenarioValue, window: Double) throws -> SimulationEngine {
        let expected = "discreteEvent, analytic, or {kind: analytic, step: <duration>}"
        var kind: String
        var step: Double?
        if let text = try? value.string() {
            kind = text
        } else {
            let fields = try value.mapping(allowed: ["kind", "step"])
            kind = try fields.required("kind", expected).string()
            step = try fields["step"]?.duration(in: 1e-3...window)
        }
        switch kind {
        case "discreteEvent":
            if step != nil { throw value.expected("no step for the discrete-event engine") }
            return .discreteEvent
        case "analytic":
            return .analytic(stepSeconds: step ?? SimulationEngine.defaultStep(windowSeconds: window))
        default:
            throw value.expected(expected)
        }
    }

    private func decodeBudget(_ value: ScenarioValue) throws -> BudgetSpec {
        let fields = try value.mapping(allowed: ["monthly", "alerts"])
        let monthly = try fields.required("monthly", "USD per month for the whole fleet, pro-rated to the run")
            .number("an amount in USD", in: 1e-6...1e12)
        guard let alertsValue = fields["alerts"] else { return BudgetSpec(monthlyUSD: monthly) }
        let alerts = try alertsValue.list().map { try $0.fraction(in: 1e-6...100) }
        guard !alerts.isEmpty, zip(alerts, alerts.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw alertsValue.expected("at least one alert, ascending (e.g. [50%, 75%, 90%, 100%])")
        }
        return BudgetSpec(monthlyUSD: monthly, alerts: alerts)
    }

    /// A file name made into a valid scenario name: characters other than letters, digits, `-` and `_` become `-`.
    static func sanitizedName(_ text: String) -> String {
        let cleaned = String(text.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        return cleaned.isEmpty ? "scenario" : cleaned
    }

    // MARK: SLO

    private func decodeSLO(_ value: ScenarioValue) throws -> SLOSpec {
        let fields = try value.mapping(allowed: ["e2e", "ttft"])
        guard !fields.entries.isEmpty else { throw value.expected("an objective for e2e or ttft") }
        return SLOSpec(e2e: try fields["e2e"].map(decodeObjective), ttft: try fields["ttft"].map(decodeObjective))
    }

    private func decodeObjective(_ value: ScenarioValue) throws -> SLOSpec.Objective {
        let fields = try value.mapping(allowed: [])
        guard fields.entries.count == 1, let entry = fields.entries.first,
              let percentile = Self.percentile(fromKey: entry.key)
        else { throw value.expected("one percentile with its threshold, e.g. {p99: 2s}") }
        let threshold = try entry.value.duration(in: 1e-6...Self.maxDurationSeconds)
        return SLOSpec.Objective(percentile: percentile, thresholdSeconds: threshold)
    }

    /// `p99` → 0.99, `p999` → 0.999, `p99.9` → 0.999, `p50` → 0.5: the digits are moved behind "0." as text, so
    /// the result is the Double nearest the decimal fraction (99.9 / 100 would be 0.9990000000000001).
    static func percentile(fromKey key: String) -> Double? {
        guard key.hasPrefix("p") else { return nil }
        let text = key.dropFirst()
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
            return nil
        }
        let whole = parts[0]
        let digits: String
        if parts.count == 2 {
            guard whole.count <= 2 else { return nil }
            digits = String(repeating: "0", count: 2 - whole.count) + whole + parts[1]
        } else if whole.count <= 2 {
            digits = whole.count == 1 ? "0" + whole : String(whole)
        } else {
            // p999, p9999: more nines; anything else of three digits or more (p100, p500) is not a percentile.
            guard whole.hasPrefix("99") else { return nil }
            digits = String(whole)
        }
        guard let value = Double("0." + digits), value > 0, value < 1 else { return nil }
        return value
    }
}
