import FleetSim
import FleetSimKernel
import Foundation
import Yams

/// A sweep file: a base scenario, parameters by key path, a design (a full grid or Sobol points) and replications.
///
/// ```yaml
/// name: hpa-target
/// base: policies/hpa-50.yaml            # relative to this file
/// replications: 10
/// design: grid                          # or {sobol: {points: 64}}
/// parameters:
///   - {key: deployments.chat.autoscaler.hpa.metric.utilization, values: [40%, 50%, 60%, 70%]}
///   - {key: deployments.chat.autoscaler.metrics.window, range: [15, 120], steps: 4, unit: s}
///   - keys: [deployments.chat.instance, deployments.chat.model]   # values that vary together
///     values: [[aws/g5.xlarge, llama3.1-8b/a10g], [aws/g6.xlarge, llama3.1-8b/l4]]
/// pareto: {cost: cost_total_usd, latency: ttft_p99_s}
/// ```
public struct SweepSpec: Sendable {
    public enum Design: Sendable, Equatable {
        case grid
        case sobol(points: Int)
    }

    public struct Parameter: Sendable {
        /// The key path it sets; a tuple parameter sets several together (`keys`, one value of each per point).
        public var key: String
        public var keys: [String] = []
        public var tuples: [[String]]?
        /// Values as written (YAML scalars), or a numeric range.
        public var values: [String]?
        public var range: ClosedRange<Double>?
        public var steps: Int?
        public var integer: Bool
        /// Appended to a number drawn from a range (`s`, `%`, `/s`).
        public var unit: String

        /// The key paths it sets, in order.
        var allKeys: [String] { tuples == nil ? [key] : keys }

        /// The values at position `u` ∈ [0, 1), one per key.
        func values(at u: Double) -> [String] {
            guard let tuples else { return [value(at: u)] }
            return tuples[min(Int(u * Double(tuples.count)), tuples.count - 1)]
        }

        /// The grid's values, one list per point of this dimension, one value per key.
        var gridTuples: [[String]] { tuples ?? gridValues.map { [$0] } }

        /// The value at position `u` ∈ [0, 1) of the range (or of the list).
        func value(at u: Double) -> String {
            if let values { return values[min(Int(u * Double(values.count)), values.count - 1)] }
            let range = range!
            let x = range.lowerBound + u * (range.upperBound - range.lowerBound)
            return format(integer ? x.rounded() : x)
        }

        /// The grid's values: the list, or `steps` evenly spaced values over the range, ends included.
        var gridValues: [String] {
            if let values { return values }
            let range = range!
            return (0..<steps!).map { step in
                let x = range.lowerBound + Double(step) / Double(steps! - 1) * (range.upperBound - range.lowerBound)
                return format(integer ? x.rounded() : x)
            }
        }

        func format(_ x: Double) -> String { CSVFormat.cell(x, decimals: 6) + unit }
    }

    public var name: String
    public var file: String
    public var base: String
    public var replications: Int
    public var design: Design
    public var parameters: [Parameter]
    public var costMetric: Int
    public var latencyMetric: Int
    /// Identifies the sweep (its file and the base scenario as resolved): shards of different sweeps do not merge.
    public var identity: String

    /// At most this many points and points × replications per sweep file (docs/scenario-format.md, Limits).
    static let maxPoints = 1_000_000
    static let maxRuns = 10_000_000

    /// Every key path the sweep sets, one column each (a tuple parameter gives several), in parameter order.
    public var keys: [String] { parameters.flatMap(\.allKeys) }

    /// Every point's values, one per key of `keys`, in point order (the grid varies the last parameter fastest; a
    /// tuple is one dimension).
    public func points() -> [[String]] {
        switch design {
        case .grid:
            return parameters.reduce([[]]) { partial, parameter in
                partial.flatMap { prefix in parameter.gridTuples.map { prefix + $0 } }
            }
        case .sobol(let count):
            let sequence = SobolSequence(dimensions: parameters.count)
            return (0..<count).map { _ in zip(parameters, sequence.next()).flatMap { $0.values(at: $1) } }
        }
    }

    /// Overrides every point starts from (`--engine`), before its own values.
    public private(set) var baseOverrides: [String] = []

    /// Runs every point with `engine` (nil: as the scenarios say). Part of the identity: shards run with different
    /// engines do not merge.
    public mutating func setEngine(_ engine: String?) {
        guard let engine else { return }
        baseOverrides = ["engine=\(engine)"]
        identity += "\nengine: \(engine)"
    }

    /// The scenario at one point: the base with the point's values set.
    public func scenario(at values: [String]) throws -> Scenario {
        let overrides = try (baseOverrides + zip(keys, values).map { "\($0)=\($1)" }).map { try Override($0) }
        return try ScenarioLoader.load(path: base, overrides: overrides)
    }
}

/// Reads and checks sweep files.
public enum SweepLoader {
    public static func load(path: String) throws -> SweepSpec {
        let document = try ScenarioLoader.compose(path: path)
        let root = ScenarioValue(node: document, file: path)
        let fields = try root.mapping(allowed: ["name", "base", "replications", "design", "parameters", "pareto"])
        let name = try fields["name"]?.name()
            ?? ScenarioDecoder.sanitizedName(URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
        let baseValue = try fields.required("base", "the scenario the sweep varies")
        let base = FilePaths.resolve(try baseValue.string(), from: FilePaths.directory(of: path))
        let baseScenario: Scenario
        do {
            baseScenario = try ScenarioLoader.load(path: base)
        } catch let error as ScenarioError where error.message == "no such file" {
            throw baseValue.error("no such scenario file: \(base)")
        }
        let replications = try fields["replications"]?.integer("a replication count", in: 1...100_000) ?? 1
        var design = SweepSpec.Design.grid
        if let designValue = fields["design"] {
            if designValue.scalarText == "grid" {
                design = .grid
            } else {
                let sobol = try designValue.mapping(allowed: ["sobol"]).required("sobol", "{points: N}")
                let count = try sobol.mapping(allowed: ["points"]).required("points", "how many points")
                    .integer("a point count", in: 1...1_000_000)
                design = .sobol(points: count)
            }
        }
        let parametersValue = try fields.required("parameters", "a list of {key, values | range}")
        let items = try parametersValue.list()
        guard !items.isEmpty else { throw parametersValue.expected("at least one parameter") }
        let resolved = try ScenarioEncoder.yaml(baseScenario)
        // The file's own spelling (`metric:`) and the resolved one (`metrics: [...]`) are both valid key paths.
        let validPaths = keyPaths(try Yams.compose(yaml: resolved)!) + keyPaths(try ScenarioLoader.compose(path: base))
        var parameters: [SweepSpec.Parameter] = []
        for item in items {
            let parameter = try decodeParameter(item, design: design)
            if let tuples = parameter.tuples {
                // Every tuple, whole: its values may only be valid together (an instance and its model).
                for tuple in tuples {
                    try check(parameter.keys, values: tuple, base: base, item: item, validPaths: validPaths)
                }
            } else {
                for value in [parameter.value(at: 0), parameter.value(at: 0.999999)] {
                    try check([parameter.key], values: [value], base: base, item: item, validPaths: validPaths)
                }
            }
            parameters.append(parameter)
        }
        if case .sobol = design, parameters.count > SobolSequence.maxDimensions {
            throw parametersValue.error("Sobol points have at most \(SobolSequence.maxDimensions) dimensions (GSL's limit)")
        }
        // The point list is built whole and every run is a file: bounded before anything is allocated.
        let pointCount: Int
        switch design {
        case .grid:
            pointCount = parameters.reduce(1) { (total: Int, parameter: SweepSpec.Parameter) -> Int in
                let values = parameter.gridTuples.count
                return total > SweepSpec.maxPoints / max(values, 1) ? SweepSpec.maxPoints + 1 : total * values
            }
        case .sobol(let count): pointCount = count
        }
        if pointCount > SweepSpec.maxPoints {
            throw parametersValue.error("the grid has more than \(SweepSpec.maxPoints) points; use fewer steps or values, or "
                + "{sobol: {points: N}} to cover the ranges with fewer runs")
        }
        if pointCount * replications > SweepSpec.maxRuns {
            throw (fields["replications"] ?? parametersValue).error("\(pointCount) points × \(replications) replications is "
                + "more than \(SweepSpec.maxRuns) runs; use fewer points or replications, or shard the sweep over several files")
        }
        var cost = Headline.names.firstIndex(of: "cost_total_usd")!
        var latency = Headline.names.firstIndex(of: "e2e_p99_s")!
        if let paretoValue = fields["pareto"] {
            let pareto = try paretoValue.mapping(allowed: ["cost", "latency"])
            func metric(_ key: String) throws -> Int? {
                guard let value = pareto[key] else { return nil }
                let name = try value.string()
                guard let index = Headline.names.firstIndex(of: name) else {
                    throw value.expected("one of \(Headline.names.joined(separator: ", "))"
                        + Suggestions.didYouMean(name, among: Headline.names))
                }
                return index
            }
            cost = try metric("cost") ?? cost
            latency = try metric("latency") ?? latency
        }
        let text = (FileManager.default.contents(atPath: path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return SweepSpec(
            name: name, file: path, base: base, replications: replications, design: design, parameters: parameters,
            costMetric: cost, latencyMetric: latency, identity: fingerprint(text + "\n---\n" + resolved))
    }

    private static func decodeParameter(_ item: ScenarioValue, design: SweepSpec.Design) throws -> SweepSpec.Parameter {
        let fields = try item.mapping(allowed: ["key", "keys", "values", "range", "steps", "integer", "unit"])
        if let keysValue = fields["keys"] {
            return try decodeTuples(fields, keysValue: keysValue)
        }
        let key = try fields.required("key", "a key path of the scenario, e.g. traffic.rate (or keys: [...] for a tuple)").string()
        var parameter = SweepSpec.Parameter(
            key: key, values: nil, range: nil, steps: nil,
            integer: try fields["integer"]?.bool() ?? false, unit: try fields["unit"]?.string() ?? "")
        switch try fields.oneOf(["values", "range"], "the values to try") {
        case ("values", let valuesValue):
            let values = try valuesValue.list().map { value -> String in
                guard let text = value.scalarText else { throw value.expected("a value (a YAML scalar)") }
                return text
            }
            guard !values.isEmpty else { throw valuesValue.expected("at least one value") }
            parameter.values = values
        case (_, let rangeValue):
            let bounds = try rangeValue.list()
            guard bounds.count == 2 else { throw rangeValue.expected("[low, high]") }
            let low = try bounds[0].number("a number", in: -1e15...1e15)
            let high = try bounds[1].number("a number", in: -1e15...1e15)
            guard low < high else { throw rangeValue.expected("a range whose low end is below its high end") }
            parameter.range = low...high
            if design == .grid {
                let stepsValue = try fields.required("steps", "how many values a grid takes from the range")
                parameter.steps = try stepsValue.integer("a count of at least 2", in: 2...10_000)
            }
        }
        return parameter
    }

    /// `{keys: [a, b], values: [[a1, b1], [a2, b2]]}`: several key paths that vary together, one dimension.
    private static func decodeTuples(_ fields: ScenarioMapping, keysValue: ScenarioValue) throws -> SweepSpec.Parameter {
        for other in ["key", "range", "steps", "integer", "unit"] where fields[other] != nil {
            throw fields[other]!.error("'\(other)' does not go with 'keys': a tuple parameter lists its values whole")
        }
        let keys = try keysValue.list().map { try $0.string() }
        guard keys.count >= 2 else { throw keysValue.expected("at least two key paths (one key: give key: …)") }
        let valuesValue = try fields.required("values", "a list of tuples, one value per key, e.g. [[a1, b1], [a2, b2]]")
        let tuples = try valuesValue.list().map { tupleValue -> [String] in
            let items = try tupleValue.list()
            guard items.count == keys.count else {
                throw tupleValue.expected("\(keys.count) values, one for each of \(keys.joined(separator: ", ")); found \(items.count)")
            }
            return try items.map { value in
                guard let text = value.scalarText else { throw value.expected("a value (a YAML scalar)") }
                return text
            }
        }
        guard !tuples.isEmpty else { throw valuesValue.expected("at least one tuple") }
        return SweepSpec.Parameter(key: keys.joined(separator: "+"), keys: keys, tuples: tuples, values: nil, range: nil,
                                   steps: nil, integer: false, unit: "")
    }

    /// The base with `keys` set to `values` must be a valid scenario; a key path that is not one names the nearest
    /// that is.
    private static func check(_ keys: [String], values: [String], base: String, item: ScenarioValue, validPaths: [String]) throws {
        do {
            _ = try ScenarioLoader.load(path: base, overrides: try zip(keys, values).map { try Override("\($0)=\($1)") })
        } catch let error as ScenarioError {
            let fields = try item.mapping(allowed: [])
            let keyValue = fields["key"] ?? fields["keys"]!
            let setting = zip(keys, values).map { "\($0) to \($1)" }.joined(separator: " and ")
            var message = "setting \(setting) in \(base): \(error.message)"
            for key in keys where !validPaths.contains(key) {
                if let nearest = Suggestions.nearest(to: key, among: validPaths) {
                    message += keys.count == 1 ? " (nearest key path in the scenario: \(nearest))"
                        : " (nearest key path to \(key) in the scenario: \(nearest))"
                }
            }
            throw keyValue.error(message)
        }
    }

    /// Every key path of a document, lists indexed.
    static func keyPaths(_ node: Node, prefix: String = "") -> [String] {
        switch node {
        case .mapping(let mapping):
            return mapping.flatMap { key, value -> [String] in
                let path = prefix.isEmpty ? key.string ?? "" : "\(prefix).\(key.string ?? "")"
                return [path] + keyPaths(value, prefix: path)
            }
        case .sequence(let sequence):
            return sequence.enumerated().flatMap { index, value in
                let path = "\(prefix)[\(index)]"
                return [path] + keyPaths(value, prefix: path)
            }
        default:
            return []
        }
    }

    /// FNV-1a, 64 bits, as hex: stable across runs and machines.
    static func fingerprint(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
