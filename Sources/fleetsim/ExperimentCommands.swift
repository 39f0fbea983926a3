import ArgumentParser
import FleetSim
import FleetSimIO
import Foundation

struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run a base scenario and variants on the same traffic and report paired differences.",
        discussion: """
            A variant is a partial scenario file laid over the base (mappings merge key by key) or \
            name:key=value[,key=value…]. Every variant runs the same replications; replication r of each sees the \
            same traffic, so differences from the base are paired. Writes runs.csv, compare.csv and compare.md \
            into results/compare-<base name>/ (or --out).
            """)

    @OptionGroup var options: ScenarioOptions

    @Option(name: .customLong("variant"), help: ArgumentHelp("A variant: a YAML file, or name:key=value[,…]. Repeatable.", valueName: "variant"))
    var variants: [String] = []

    @OptionGroup var experiment: ExperimentOptions

    @Option(help: "Result folder (default: results/compare-<base name>).")
    var out: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() async throws {
        try await reportingFailures {
            guard let base = options.scenario else { throw Failure(message: "compare needs a base scenario file") }
            guard !variants.isEmpty else { throw Failure(message: "give at least one --variant") }
            let overrides = try options.allOverrides.map(Override.init)
            let seed = options.seed.map(UInt64.init)
            let baseScenario = try options.load()
            var all = [Comparison.Variant(name: Comparison.baseName, scenario: baseScenario)]
            for text in variants {
                all.append(try Comparison.variant(text, base: base, overrides: overrides, seed: seed))
            }
            let directory = out ?? "results/compare-\(baseScenario.name)"
            let outcome = try await Comparison.run(
                all, replications: experiment.replications, jobs: experiment.jobs, into: directory, file: base,
                resources: try experiment.resources())
            if !quiet {
                print(ExperimentTable.compare(outcome))
                print("\nresults: \(directory)/ (compare.csv, runs.csv, compare.md, report.html)")
            }
        }
    }
}

struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a parameter sweep: a grid or Sobol points, with replications.",
        discussion: """
            Writes points/ (one file per point, so an interrupted sweep resumes), then runs.csv (one row per point \
            and replication), points.csv (means and 95 % confidence intervals per point), pareto.csv (cost vs \
            latency frontier) and pareto_slo.csv (the frontier of points that met the SLO) into results/<sweep name>/ (or --out). With --shard K/N only every N-th point is run \
            and nothing is aggregated: run `fleetsim merge` on the shard folders afterwards. --shard auto/N takes K \
            from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID (Slurm array, --array=1-N).
            """)

    @Argument(help: "Sweep file (YAML).")
    var sweep: String

    @OptionGroup var experiment: ExperimentOptions

    @Option(help: "Run one slice of the points: K/N (1 ≤ K ≤ N), or auto/N.")
    var shard: String?

    @OptionGroup var engineOption: EngineOption

    @Option(help: "Result folder (default: results/<sweep name>).")
    var out: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() async throws {
        try await reportingFailures {
            var spec = try SweepLoader.load(path: sweep)
            spec.setEngine(engineOption.engine)
            if let replications = experiment.replicationsOption { spec.replications = replications }
            let slice = try shard.map { try SweepRunner.Shard(parsing: $0) } ?? .whole
            let directory = out ?? "results/\(spec.name)"
            let started = DispatchTime.now().uptimeNanoseconds
            let bar = SharedProgress(enabled: !quiet)
            let outcome = try await SweepRunner.run(
                spec, into: directory, shard: slice, jobs: experiment.jobs, resources: try experiment.resources()
            ) { done, total in
                bar.update(done, of: total)
            }
            bar.finish()
            let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            if !quiet {
                let share = slice == .whole ? "" : " (shard \(slice.index) of \(slice.count))"
                print("\(spec.name): \(outcome.total) points × \(spec.replications) replications\(share); "
                    + "ran \(outcome.computed) points, \(outcome.skipped) already done, in \(String(format: "%.1f", wall)) s")
                print(outcome.aggregated
                    ? "results: \(directory)/ (runs.csv, points.csv, pareto.csv, pareto_slo.csv, report.html)"
                    : "points: \(directory)/points/ — run `fleetsim merge` on every shard's folder when all are done")
            }
        }
    }
}

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the shard folders of one sweep into runs.csv, points.csv, pareto.csv, pareto_slo.csv and report.html.",
        discussion: "The files are byte-identical to those of the same sweep run on one machine.")

    @Argument(help: "Shard folders (or one folder all shards wrote into).")
    var folders: [String]

    @Option(help: "Where to write the merged files (default: the first folder).")
    var out: String?

    func run() throws {
        try reportingFailures {
            guard !folders.isEmpty else { throw Failure(message: "give at least one shard folder") }
            let target = try SweepRunner.merge(folders, into: out)
            print("results: \(target.path)/ (runs.csv, points.csv, pareto.csv, pareto_slo.csv, report.html)")
        }
    }
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Rebuild report.html from a result folder (a run, a comparison or a sweep).")

    @Argument(help: "The result folder.")
    var folder: String

    func run() throws {
        try reportingFailures {
            let written = try Reports.write(folder: folder)
            print("report: \(written.path)")
        }
    }
}

/// A progress bar that simulations on several threads report to (runs done out of runs to do).
final class SharedProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let enabled: Bool
    private var bar: ProgressBar?

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func update(_ done: Int, of total: Int) {
        lock.lock()
        defer { lock.unlock() }
        if bar == nil { bar = ProgressBar(total: Double(total), enabled: enabled) }
        bar?.update(Double(done))
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        bar?.finish()
    }
}
