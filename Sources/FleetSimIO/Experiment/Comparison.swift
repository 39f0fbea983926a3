import FleetSim
import FleetSimKernel
import Foundation

/// `fleetsim compare`: a base scenario and variants, each run for the same replications. Replication r of every
/// variant draws its traffic from the same streams (common random numbers), so differences are paired: the
/// difference of each pair is one observation, and its mean gets a Student-t interval.
public enum Comparison {
    public struct Variant: Sendable {
        public var name: String
        public var scenario: Scenario

        public init(name: String, scenario: Scenario) {
            self.name = name
            self.scenario = scenario
        }
    }

    public struct Outcome: Sendable {
        public var variants: [String]
        /// Per variant, per replication, the headline values.
        public var runs: [[[Double]]]
        public var directory: URL

        public var summaries: [[MetricSummary]] { runs.map { MetricSummary.columns($0) } }
        /// Each variant minus the base (the first), paired by replication; the base's own row is all zeros.
        public var differences: [[MetricSummary]] { runs.map { MetricSummary.pairedDifferences($0, runs[0]) } }
    }

    /// A variant from the command line: a partial scenario file laid over the base (named by its `name:` key, or
    /// else by its file name), or `name:key=value,key=value` (overrides of the base).
    public static func variant(_ text: String, base: String, overrides: [Override], seed: UInt64?) throws -> Variant {
        if FileManager.default.fileExists(atPath: text) || text.hasSuffix(".yaml") || text.hasSuffix(".yml") {
            let scenario = try ScenarioLoader.load(path: base, overlay: text, overrides: overrides, seed: seed)
            let named = (try? ScenarioLoader.compose(path: text))?.mapping?["name"] != nil
            let name = named ? scenario.name : URL(fileURLWithPath: text).deletingPathExtension().lastPathComponent
            return Variant(name: name, scenario: scenario)
        }
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
            throw ScenarioError(file: "--variant", line: nil, keyPath: "",
                                message: "expected a scenario file or name:key=value[,key=value…], found \"\(text)\"")
        }
        let name = String(text[..<colon])
        let settings = try text[text.index(after: colon)...].split(separator: ",").map { try Override(String($0)) }
        return Variant(name: name, scenario: try ScenarioLoader.load(path: base, overrides: overrides + settings, seed: seed))
    }

    /// The base is called this; no variant may be.
    public static let baseName = "base"

    /// Refuses variant names that would make rows of `compare.csv` indistinguishable: a second `base`, or a name
    /// given twice. `variants[0]` is the base.
    public static func checkNames(_ variants: [Variant]) throws {
        var seen: Set<String> = [baseName]
        for variant in variants.dropFirst() {
            guard seen.insert(variant.name).inserted else {
                let why = variant.name == baseName
                    ? "'\(baseName)' names the base scenario"
                    : "two variants are named '\(variant.name)'"
                throw ScenarioError(file: "--variant", line: nil, keyPath: "",
                                    message: "\(why); give each variant its own name (name:key=value, or rename the file)")
            }
        }
    }

    /// Runs every variant's replications, `jobs` simulations at a time, and writes `runs.csv`, `compare.csv` and
    /// `compare.md` into `directory` (atomically). Each variant's scenario must fit `resources` with `jobs` runs at
    /// once (`file` names the base in messages).
    public static func run(
        _ variants: [Variant], replications: Int, jobs: Int, into directory: String, file: String = "scenario",
        resources: ResourceLimits = ResourceLimits()
    ) async throws -> Outcome {
        try checkNames(variants)
        try ResultFolder.checkDestination(directory, kind: .compare)
        let concurrent = min(jobs, variants.count * replications)
        let limits = try variants.map { try resources.simulationLimits(for: $0.scenario, file: file, concurrentRuns: concurrent) }
        let flat = try await ParallelRuns.map(variants.count * replications, jobs: jobs) { index in
            let variant = index / replications
            return try Experiment.headline(
                variants[variant].scenario, replication: index % replications, limits: limits[variant], resources: resources,
                label: "variant \(variants[variant].name), replication \(index % replications)")
        }
        let runs = variants.indices.map { Array(flat[$0 * replications..<($0 + 1) * replications]) }
        let folder = try AtomicFolder(destination: directory, kind: .compare)
        let outcome = Outcome(variants: variants.map(\.name), runs: runs, directory: folder.destination)
        do {
            try folder.write("runs.csv", runsCSV(outcome))
            try folder.write("compare.csv", compareCSV(outcome))
            try folder.write("compare.md", ExperimentTable.compare(outcome, markdown: true) + "\n")
            try folder.write("report.html", try ExperimentReport.compare(folder: folder.staging))
            try folder.commit()
        } catch {
            folder.abandon()
            throw error
        }
        return outcome
    }

    static func runsCSV(_ o: Outcome) -> String {
        var text = "variant,replication," + Headline.names.joined(separator: ",") + "\n"
        for (variant, rows) in zip(o.variants, o.runs) {
            for (replication, row) in rows.enumerated() {
                text += "\(CSVFormat.text(variant)),\(replication)," + ExperimentFiles.cells(row) + "\n"
            }
        }
        return text
    }

    /// One row per variant and metric: the estimate and the paired difference from the base.
    static func compareCSV(_ o: Outcome) -> String {
        var text = "variant,metric,replications,mean,sd,ci_low,ci_high,diff_mean,diff_sd,diff_ci_low,diff_ci_high\n"
        let summaries = o.summaries
        let differences = o.differences
        for variant in o.variants.indices {
            for (metric, name) in Headline.names.enumerated() {
                let estimate = summaries[variant][metric].estimate
                let difference = variant == 0 ? [] : ExperimentFiles.estimateCells(differences[variant][metric].estimate)
                text += ([CSVFormat.text(o.variants[variant]), name, String(estimate.count)]
                    + ExperimentFiles.estimateCells(estimate) + (difference.isEmpty ? ["", "", "", ""] : difference))
                    .joined(separator: ",") + "\n"
            }
        }
        return text
    }
}
