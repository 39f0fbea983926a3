import FleetSim
import FleetSimIO
import FleetSimKernel
import Foundation
import Testing

/// compare, sweep, shards and merge: the statistics, the files and their byte-for-byte reproducibility.
@Suite struct ExperimentTests {
    static let base = """
        name: exp
        duration: 20m
        traffic: {rate: 15/s}
        deployments:
          web:
            instance: {gpu: T4, gpus: 1, onDemand: 0.5}
            service: {time: {exponential: {mean: 200ms}}}
            pools: [{purchase: onDemand, count: 4}]
        slo: {e2e: {p99: 1s}}
        """

    static let sweep = """
        name: exp-sweep
        base: base.yaml
        replications: 3
        parameters:
          - {key: "deployments.web.pools[0].count", values: [4, 5, 6]}
          - {key: traffic.rate, range: [10, 16], steps: 3, unit: /s}
        pareto: {cost: cost_total_usd, latency: e2e_p99_s}
        """

    /// A scenario compared with itself: every paired difference is exactly 0 (the same streams give the same run).
    @Test func comparingAScenarioWithItselfGivesZeroDifferences() async throws {
        let scratch = try ScratchFolder()
        let path = try scratch.write("base.yaml", Self.base)
        let scenario = try ScenarioLoader.load(path: path)
        let same = try Comparison.variant("same:traffic.rate=15/s", base: path, overrides: [], seed: nil)
        let outcome = try await Comparison.run(
            [Comparison.Variant(name: "base", scenario: scenario), same], replications: 5, jobs: 2, into: scratch.path("cmp"))
        for difference in outcome.differences[1] where difference.estimate.count > 0 {
            #expect(difference.estimate.mean == 0 && difference.estimate.standardDeviation == 0)
        }
        #expect(scratch.exists("cmp/compare.csv") && scratch.exists("cmp/runs.csv") && scratch.exists("cmp/compare.md"))
    }

    /// A real difference is found: a fifth replica lowers the p99 by a paired interval that excludes 0, and costs
    /// exactly one more replica.
    @Test func aRealDifferenceIsSignificant() async throws {
        let scratch = try ScratchFolder()
        let path = try scratch.write("base.yaml", Self.base)
        let variant = try scratch.write("five.yaml", "deployments:\n  web:\n    pools: [{purchase: onDemand, count: 5}]\n")
        let outcome = try await Comparison.run(
            [Comparison.Variant(name: "base", scenario: try ScenarioLoader.load(path: path)),
             try Comparison.variant(variant, base: path, overrides: [], seed: nil)],
            replications: 8, jobs: 2, into: scratch.path("cmp"))
        let p99 = outcome.differences[1][Headline.names.firstIndex(of: "e2e_p99_s")!].estimate
        #expect(p99.upper < 0, "\(p99.lower)…\(p99.upper)")
        let cost = outcome.differences[1][Headline.names.firstIndex(of: "cost_total_usd")!].estimate
        #expect(abs(cost.mean - 0.5 * 20 / 60) < 1e-9)
    }

    /// A variant file is named by its `name:` key when it has one, by its file name otherwise.
    @Test func aVariantIsNamedByItsNameKey() throws {
        let scratch = try ScratchFolder()
        let path = try scratch.write("base.yaml", Self.base)
        let named = try scratch.write("v1.yaml", "name: five-replicas\ndeployments:\n  web:\n    pools: [{purchase: onDemand, count: 5}]\n")
        let unnamed = try scratch.write("six.yaml", "deployments:\n  web:\n    pools: [{purchase: onDemand, count: 6}]\n")
        #expect(try Comparison.variant(named, base: path, overrides: [], seed: nil).name == "five-replicas")
        #expect(try Comparison.variant(unnamed, base: path, overrides: [], seed: nil).name == "six")
    }

    /// A variant file's mistake names the variant file.
    @Test func aVariantsMistakeNamesTheVariantFile() throws {
        let scratch = try ScratchFolder()
        let path = try scratch.write("base.yaml", Self.base)
        let variant = try scratch.write("bad.yaml", "traffic:\n  rate: -3/s\n")
        let error = #expect(throws: ScenarioError.self) { _ = try Comparison.variant(variant, base: path, overrides: [], seed: nil) }
        #expect(error?.file == variant && error?.line == 2 && error?.keyPath == "traffic.rate", "\(error?.description ?? "")")
    }

    func sweepFolder() throws -> (ScratchFolder, SweepSpec) {
        let scratch = try ScratchFolder()
        _ = try scratch.write("base.yaml", Self.base)
        let spec = try SweepLoader.load(path: try scratch.write("sweep.yaml", Self.sweep))
        return (scratch, spec)
    }

    func read(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// The same sweep with 1 job, 2 jobs, and as 3 shards merged: byte-identical runs, points and frontier.
    @Test func jobsAndShardsGiveByteIdenticalResults() async throws {
        let (scratch, spec) = try sweepFolder()
        _ = try await SweepRunner.run(spec, into: scratch.path("one"), jobs: 1)
        _ = try await SweepRunner.run(spec, into: scratch.path("two"), jobs: 2)
        for shard in 1...3 {
            let outcome = try await SweepRunner.run(
                spec, into: scratch.path("shard\(shard)"), shard: .init(index: shard, count: 3), jobs: 2)
            #expect(!outcome.aggregated && outcome.computed == 3)
        }
        _ = try SweepRunner.merge((1...3).map { scratch.path("shard\($0)") }, into: scratch.path("merged"))
        for file in ["points.csv", "runs.csv", "pareto.csv", "pareto_slo.csv"] {
            let one = try read(scratch.path("one/\(file)"))
            #expect(one == (try read(scratch.path("two/\(file)"))), "\(file)")
            #expect(one == (try read(scratch.path("merged/\(file)"))), "\(file)")
        }
        let points = String(decoding: try read(scratch.path("one/points.csv")), as: UTF8.self).split(separator: "\n")
        #expect(points.count == 1 + 9)
        #expect(points[1].hasPrefix("0,4,10/s,3,"))
        // The SLO-constrained frontier keeps only points whose every replication met the SLO, and some did not.
        let header = points[0].split(separator: ",")
        let met = try #require(header.firstIndex(of: "slo_met_mean"))
        let meetsSLO = Set(points.dropFirst().compactMap { line -> Substring? in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            return cells[met] == "1" ? cells[0] : nil
        })
        #expect(!meetsSLO.isEmpty && meetsSLO.count < 9, "\(meetsSLO)")
        let constrained = String(decoding: try read(scratch.path("one/pareto_slo.csv")), as: UTF8.self).split(separator: "\n")
        #expect(constrained.count > 1)
        #expect(constrained.dropFirst().allSatisfy { meetsSLO.contains($0.split(separator: ",")[0]) }, "\(constrained)")
    }

    /// An interrupted sweep (two points' files missing, no aggregate yet) recomputes only those two.
    @Test func anInterruptedSweepResumes() async throws {
        let (scratch, spec) = try sweepFolder()
        let folder = scratch.path("s")
        _ = try await SweepRunner.run(spec, into: folder, jobs: 2)
        let before = try read(folder + "/points.csv")
        for file in ["points/p000002.csv", "points/p000007.csv", "points.csv", "runs.csv", "pareto.csv"] {
            try FileManager.default.removeItem(atPath: folder + "/" + file)
        }
        let outcome = try await SweepRunner.run(spec, into: folder, jobs: 2)
        #expect(outcome.computed == 2 && outcome.skipped == 7)
        #expect(try read(folder + "/points.csv") == before)
    }

    /// Sobol designs give the requested number of points, inside the ranges, the same every time.
    @Test func sobolPointsFillTheRanges() throws {
        let (scratch, _) = try sweepFolder()
        let text = Self.sweep.replacingOccurrences(of: "replications: 3", with: "replications: 1\ndesign: {sobol: {points: 16}}")
            .replacingOccurrences(of: ", steps: 3", with: "")
        let spec = try SweepLoader.load(path: try scratch.write("sobol.yaml", text))
        let points = spec.points()
        #expect(points.count == 16)
        #expect(points == spec.points())
        let rates = points.map { Double($0[1].dropLast(2))! }
        #expect(rates.allSatisfy { (10..<16).contains($0) })
        #expect(Set(points.map { $0[0] }) == ["4", "5", "6"])
    }

    /// Keys that vary together are one dimension: three (count, price) tuples by two rates is six points, each with
    /// both values set, in runs.csv as one column per key; a tuple that is valid only whole is checked whole.
    @Test func tuplesVaryTogether() async throws {
        let (scratch, _) = try sweepFolder()
        let text = Self.sweep.replacingOccurrences(
            of: "  - {key: \"deployments.web.pools[0].count\", values: [4, 5, 6]}\n",
            with: "  - keys: [\"deployments.web.pools[0].count\", deployments.web.instance.onDemand]\n"
                + "    values: [[4, 0.5], [5, 0.4], [6, 0.3]]\n")
            .replacingOccurrences(of: "steps: 3", with: "steps: 2")
        let spec = try SweepLoader.load(path: try scratch.write("tuples.yaml", text))
        #expect(spec.keys == ["deployments.web.pools[0].count", "deployments.web.instance.onDemand", "traffic.rate"])
        let points = spec.points()
        #expect(points.map { Array($0.prefix(2)) } == [["4", "0.5"], ["4", "0.5"], ["5", "0.4"], ["5", "0.4"], ["6", "0.3"], ["6", "0.3"]])
        let scenario = try spec.scenario(at: points[4])
        #expect(scenario.deployments[0].pools[0].count == 6 && scenario.deployments[0].instance.onDemandPerHour == 0.3)
        _ = try await SweepRunner.run(spec, into: scratch.path("t"), jobs: 2)
        let runs = String(decoding: try read(scratch.path("t/runs.csv")), as: UTF8.self).split(separator: "\n")
        #expect(runs[0].hasPrefix("point,replication,deployments.web.pools[0].count,deployments.web.instance.onDemand,traffic.rate,"))
        #expect(runs.count == 1 + 6 * 3)
        // 6 replicas at 0.30 USD/h for 20 minutes.
        #expect(runs[13].hasPrefix("4,0,6,0.3,10/s,0.6,"), "\(runs[13])")

        for (replacement, keyPath, words) in [
            ("    values: [[4, 0.5], [5], [6, 0.3]]\n", "parameters[0].values[1]", "expected 2 values"),
            ("    values: [[4, 0.5], [-5, 0.4], [6, 0.3]]\n", "parameters[0].keys", "setting deployments.web.pools[0].count to -5 and"),
        ] {
            let bad = text.replacingOccurrences(of: "    values: [[4, 0.5], [5, 0.4], [6, 0.3]]\n", with: replacement)
            let error = #expect(throws: ScenarioError.self) { _ = try SweepLoader.load(path: try scratch.write("bad.yaml", bad)) }
            #expect(error?.keyPath == keyPath && error?.message.contains(words) == true, "\(error?.description ?? "")")
        }
    }

    @Test(arguments: [
        ("deployments.web.pools[0].count", "deployments.web.pool[0].count", "parameters[0].key",
         "nearest key path in the scenario: deployments.web.pools"),
        ("range: [10, 16]", "range: [16, 16]", "parameters[1].range", "expected a range whose low end is below its high end"),
        ("values: [4, 5, 6]", "values: []", "parameters[0].values", "expected at least one value"),
        ("latency: e2e_p99_s", "latency: p99", "pareto.latency", "expected one of cost_total_usd"),
        // 3 × 10,000 × 10,000 grid points would be built whole before the first run.
        ("range: [10, 16], steps: 3, unit: /s}", "range: [10, 16], steps: 10000, unit: /s}\n  - {key: seed, range: [1, 99], steps: 10000, integer: true}",
         "parameters", "more than 1000000 points"),
        ("replications: 3", "replications: 100000\ndesign: {sobol: {points: 1000}}", "replications",
         "1000 points × 100000 replications is more than 10000000 runs"),
    ])
    func badSweepsAreNamed(_ original: String, _ replacement: String, _ keyPath: String, _ message: String) throws {
        let (scratch, _) = try sweepFolder()
        let path = try scratch.write("bad.yaml", Self.sweep.replacingOccurrences(of: original, with: replacement))
        let error = #expect(throws: ScenarioError.self) { _ = try SweepLoader.load(path: path) }
        #expect(error?.file == path && error?.keyPath == keyPath, "\(error?.description ?? "")")
        #expect(error?.message.contains(message) == true, "\(error?.description ?? "")")
    }

    @Test func shardNumbersAreChecked() throws {
        #expect(throws: ScenarioError.self) { _ = try SweepRunner.Shard(parsing: "5/4") }
        #expect(throws: ScenarioError.self) { _ = try SweepRunner.Shard(parsing: "0/4") }
        #expect(try SweepRunner.Shard(parsing: "auto/8", environment: ["JOB_COMPLETION_INDEX": "0"]) == .init(index: 1, count: 8))
        #expect(try SweepRunner.Shard(parsing: "auto/8", environment: ["SLURM_ARRAY_TASK_ID": "8"]) == .init(index: 8, count: 8))
    }

    /// Shards of two different sweeps (here: different replication counts) refuse to merge.
    @Test func shardsOfDifferentSweepsDoNotMerge() async throws {
        let (scratch, spec) = try sweepFolder()
        var other = spec
        other.replications = 2
        other.identity += "-other"
        _ = try await SweepRunner.run(spec, into: scratch.path("a"), shard: .init(index: 1, count: 2), jobs: 2)
        _ = try await SweepRunner.run(other, into: scratch.path("b"), shard: .init(index: 2, count: 2), jobs: 2)
        let error = #expect(throws: ScenarioError.self) { _ = try SweepRunner.merge([scratch.path("a"), scratch.path("b")]) }
        #expect(error?.message.contains("shards of different sweeps do not merge") == true, "\(error?.description ?? "")")
        let missing = #expect(throws: ScenarioError.self) { _ = try SweepRunner.merge([scratch.path("a")]) }
        #expect(missing?.message.contains("points have no results yet") == true)
    }
}
