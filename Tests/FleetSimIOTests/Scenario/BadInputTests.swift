import FleetSim
import FleetSimIO
import Foundation
import Testing

/// Malformed scenarios: each must fail with a message naming file, line and key path, and leave no result folder.
@Suite struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let label: String
        let yaml: String?
        let line: Int?
        let keyPath: String
        let message: String
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "YAML syntax error", yaml: "name: x\ntraffic: {rate: 5/s\nduration: 1h\n", line: 3, keyPath: "",
             message: "YAML syntax error"),
        Case(label: "unknown key with suggestion", yaml: validScenario.replacingOccurrences(of: "duration: 1h", with: "duraton: 1h"),
             line: 2, keyPath: "duraton", message: "unknown key 'duraton'; did you mean 'duration'?"),
        Case(label: "negative rate", yaml: validScenario.replacingOccurrences(of: "rate: 5/s", with: "rate: -5/s"),
             line: 4, keyPath: "traffic.rate", message: "expected a rate (e.g. 40/s, 1200/min) between 0/s and 1000000/s, found \"-5/s\""),
        Case(label: "zero replicas with traffic", yaml: validScenario.replacingOccurrences(of: "count: 2", with: "count: 0"),
             line: nil, keyPath: "deployments.api.pools", message: "no replicas, but traffic class 'default' sends requests"),
        Case(label: "window batching with maxBatch 0",
             yaml: validScenario.replacingOccurrences(of: "    pools:", with: "    batching: {mode: window, window: 10ms, maxBatch: 0}\n    pools:"),
             line: 9, keyPath: "deployments.api.batching.maxBatch", message: "expected a batch size in 1…100000, found \"0\""),
        Case(label: "bad duration string", yaml: validScenario.replacingOccurrences(of: "duration: 1h", with: "duration: 1 hour"),
             line: 2, keyPath: "duration", message: "expected a duration (e.g. 90s, 15m, 6h, 2d)"),
        Case(label: "missing file", yaml: nil, line: nil, keyPath: "", message: "no such file"),
        Case(label: "NaN", yaml: validScenario.replacingOccurrences(of: "onDemand: 0.5", with: "onDemand: .nan"),
             line: 7, keyPath: "deployments.api.instance.onDemand", message: "expected a price in USD per hour"),
        Case(label: "huge rate", yaml: validScenario.replacingOccurrences(of: "rate: 5/s", with: "rate: 1e12/s"),
             line: 4, keyPath: "traffic.rate", message: "between 0/s and 1000000/s, found \"1e12/s\""),
        Case(label: "huge duration", yaml: validScenario.replacingOccurrences(of: "duration: 1h", with: "duration: 1000d"),
             line: 2, keyPath: "duration", message: "between 0.001s and 366d, found \"1000d\""),
        Case(label: "empty file", yaml: "", line: nil, keyPath: "", message: "the file is empty"),
        Case(label: "wrong type", yaml: validScenario.replacingOccurrences(of: "rate: 5/s", with: "rate: [5]"),
             line: 4, keyPath: "traffic.rate", message: "found a list"),
        Case(label: "unknown deployment in a class",
             yaml: validScenario.replacingOccurrences(of: "rate: 5/s", with: "rate: 5/s\n  classes: [{name: a, deployment: apj}]"),
             line: 5, keyPath: "traffic.classes[0].deployment", message: "unknown deployment 'apj'; did you mean 'api'?"),
        Case(label: "bad distribution parameter",
             yaml: validScenario.replacingOccurrences(of: "{exponential: {mean: 200ms}}", with: "{uniform: [2s, 1s]}"),
             line: 8, keyPath: "deployments.api.service.time.uniform", message: "lower bound 2.0 is above upper bound 1.0"),
        Case(label: "six weekdays", yaml: validScenario.replacingOccurrences(of: "rate: 5/s", with: "rate: 5/s\n  weekly: [1, 1, 1, 1, 1, 1]"),
             line: 5, keyPath: "traffic.weekly", message: "expected 7 day multipliers (the first for the scenario's first day), found 6"),
        Case(label: "gamma arrivals without cv",
             yaml: validScenario.replacingOccurrences(of: "rate: 5/s", with: "rate: 5/s\n  arrivals: {gamma: {mean: 2}}"),
             line: 5, keyPath: "traffic.arrivals.gamma.mean", message: "unknown key 'mean'"),
        Case(label: "MMPP burst share of 100 %",
             yaml: validScenario.replacingOccurrences(
                of: "rate: 5/s", with: "rate: 5/s\n  arrivals: {mmpp: {ratio: 4, burstShare: 100%, meanBurst: 2m}}"),
             line: 5, keyPath: "traffic.arrivals.mmpp.burstShare", message: "between 0.1% and 99.9%, found \"100%\""),
        Case(label: "reclaims on an on-demand pool",
             yaml: validScenario.replacingOccurrences(
                of: "{purchase: onDemand, count: 2}", with: "{purchase: onDemand, count: 2, reclaim: {perHour: 0.1}}"),
             line: 10, keyPath: "deployments.api.pools[0].reclaim", message: "only spot instances are reclaimed; this pool is onDemand"),
        Case(label: "spot pool without a spot price",
             yaml: validScenario.replacingOccurrences(of: "{purchase: onDemand, count: 2}", with: "{purchase: spot, count: 2}"),
             line: 10, keyPath: "deployments.api.pools[0]", message: "the instance has no spot price"),
        Case(label: "negative reclaim rate",
             yaml: validScenario.replacingOccurrences(
                of: "onDemand: 0.5}", with: "onDemand: 0.5, spot: 0.2}").replacingOccurrences(
                of: "{purchase: onDemand, count: 2}", with: "{purchase: spot, count: 2, reclaim: {perHour: -1}}"),
             line: 10, keyPath: "deployments.api.pools[0].reclaim.perHour", message: "expected a non-negative rate per instance-hour"),
        Case(label: "warm-up longer than the run", yaml: validScenario + "\nwarmup: 2h\n", line: 11, keyPath: "warmup",
             message: "expected a warm-up shorter than the duration (1h)"),
    ]

    @Test(arguments: cases)
    func malformedScenarioIsRejectedWithLocationAndWritesNothing(_ c: Case) throws {
        let scratch = try ScratchFolder()
        let path = try c.yaml.map { try scratch.write("bad.yaml", $0) } ?? scratch.path("missing.yaml")
        let error = #expect(throws: ScenarioError.self) {
            let scenario = try ScenarioLoader.load(path: path)
            _ = try ScenarioRunner.run(scenario, into: scratch.path("out"))
        }
        #expect(error?.file == path)
        #expect(error?.line == c.line, "\(error?.description ?? "")")
        #expect(error?.keyPath == c.keyPath, "\(error?.description ?? "")")
        #expect(error?.message.contains(c.message) == true, "\(error?.description ?? "")")
        #expect(!scratch.exists("out"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0 != "bad.yaml" }
        #expect(leftovers.isEmpty)
    }

    @Test func overrideWithUnknownKeyNamesTheCommandLine() throws {
        let error = #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.decode(yaml: validScenario, file: "s.yaml", overrides: [Override("traffic.rat=10/s")])
        }
        #expect(error?.file == "--set")
        #expect(error?.keyPath == "traffic.rat")
        #expect(error?.message.contains("did you mean 'rate'?") == true)
    }

    @Test func overrideOfABadValueNamesTheCommandLine() throws {
        let error = #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.decode(yaml: validScenario, file: "s.yaml",
                                          overrides: [Override("deployments.api.pools[0].count=-1")])
        }
        #expect(error?.description == "--set: deployments.api.pools[0].count: expected an instance count in 0…1000000, found \"-1\"")
    }

    @Test func overridePastTheEndOfAListIsAnError() throws {
        #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.decode(yaml: validScenario, file: "s.yaml", overrides: [Override("deployments.api.pools[3].count=1")])
        }
    }
}
