@testable import FleetSimIO
import FleetSim
import Foundation
import Testing

/// Limits instead of memory exhaustion, resolved scenarios that always run again, and experiments whose rows can be
/// told apart.
@Suite struct ResourceLimitTests {
    /// A scenario with `classes` request classes on one deployment.
    func manyClasses(_ classes: Int) throws -> Scenario {
        let list = (0..<classes).map { "    - {name: c\($0), deployment: api}" }.joined(separator: "\n")
        let yaml = validScenario.replacingOccurrences(of: "  rate: 5/s", with: "  rate: 5/s\n  classes:\n" + list)
        return try ScenarioLoader.decode(yaml: yaml, file: "classes.yaml")
    }

    /// Ten thousand classes need about 7 GiB of histograms: refused before anything runs, naming the key and the
    /// figure; a hundred fit.
    @Test func aScenarioThatCannotFitIsRefusedWithItsKey() throws {
        let scenario = try manyClasses(10_000)
        let estimate = MemoryEstimate(scenario)
        #expect(estimate.bytes > 6 << 30 && estimate.bytes < 8 << 30)
        #expect(throws: ScenarioError.self) { try ResourceLimits().simulationLimits(for: scenario, file: "classes.yaml") }
        do {
            _ = try ResourceLimits().simulationLimits(for: scenario, file: "classes.yaml")
        } catch let error as ScenarioError {
            #expect(error.keyPath == "traffic.classes")
            #expect(error.description.contains("10000 classes served by api"))
            #expect(error.description.contains("the memory limit is 4.0 GiB"))
        }
        let small = try manyClasses(100)
        let limits = try ResourceLimits().simulationLimits(for: small, file: "classes.yaml")
        #expect(limits.maxRequestsInFlight > 10_000_000)
        // Two runs at once share the budget.
        let shared = try ResourceLimits().simulationLimits(for: small, file: "classes.yaml", concurrentRuns: 2)
        #expect(shared.maxRequestsInFlight < limits.maxRequestsInFlight / 2 + 1)
        #expect(try ResourceLimits(parsing: "8GiB").memoryBytes == 8 << 30)
        #expect(throws: ScenarioError.self) { try ResourceLimits(parsing: "8") }
    }

    /// An overloaded deployment with an unbounded queue stops at its bound: the result so far, every request
    /// accounted for, marked incomplete, the run's clock where it stopped.
    @Test func anUnboundedQueueStopsCleanlyAtItsBound() throws {
        let yaml = validScenario.replacingOccurrences(of: "rate: 5/s", with: "rate: 1000/s")
        let scenario = try ScenarioLoader.decode(yaml: yaml, file: "overload.yaml")
        let result = Simulation(scenario: scenario, limits: SimulationLimits(maxRequestsInFlight: 20_000)).run()
        let stop = try #require(result.stop)
        #expect(stop.deployment == "api" && stop.requestsInFlight == 20_001)
        #expect(stop.timeSeconds > 15 && stop.timeSeconds < 25)  // 1000/s in, 10/s out
        #expect(result.durationSeconds == stop.timeSeconds)
        let requests = result.total.requests
        #expect(requests.arrived == requests.completed + requests.inFlightAtEnd)
        #expect(requests.inFlightAtEnd == 20_001)

        let scratch = try ScratchFolder()
        let tight = ResourceLimits(memoryBytes: Int(MemoryEstimate(scenario).bytes) + 20_000 * MemoryEstimate.bytesPerRequestInFlight)
        let outcome = try ScenarioRunner.run(scenario, into: scratch.path("out"), resources: tight)
        let summary = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: outcome.directory.appendingPathComponent("summary.json"))) as? [String: Any])
        #expect(summary["complete"] as? Bool == false)
        #expect((summary["stoppedAtSeconds"] as? Double).map { $0 < 25 } == true)
        #expect(summary["durationSeconds"] as? Int == 3600)
        let warnings = try #require(summary["warnings"] as? [String])
        #expect(warnings.count == 1 && warnings[0].contains("deployments.api.queue") && warnings[0].contains("Give it a capacity"))
        // In an experiment, a stopped run ends the experiment with its name.
        #expect(throws: RunStoppedError.self) {
            _ = try Experiment.headline(scenario, replication: 0, limits: SimulationLimits(maxRequestsInFlight: 20_000), label: "point 3")
        }
    }

    @Test func aScenarioFileTooLargeToParseIsRefusedBeforeParsing() throws {
        let scratch = try ScratchFolder()
        let values = (0..<300_000).map { String($0 % 500 + 1) }.joined(separator: ", ")
        let path = try scratch.write("big.yaml", validScenario + "\n# \(values)\n")
        #expect(throws: ScenarioError.self) { try ScenarioLoader.load(path: path) }
        do {
            _ = try ScenarioLoader.load(path: path)
        } catch let error as ScenarioError {
            #expect(error.file == path && error.description.contains("at most 1.0 MiB"))
        }
    }

    /// What validates resolves to a file that validates and runs the same: a huge spike instant, a model load
    /// derived from size and bandwidth, a looping trace longer than any horizon.
    @Test func extremeValuesResolveToFilesThatRunAgain() throws {
        let scratch = try ScratchFolder()
        _ = try scratch.write("long.csv", "time_s,prompt_tokens,output_tokens\n0,10,5\n34560000,10,5\n")
        let looping = """
            name: loop
            duration: 1h
            traffic: {trace: {file: long.csv, loop: true}}
            deployments:
              api:
                instance: {gpu: T4, gpus: 1, onDemand: 0.5}
                service: {time: {exponential: {mean: 200ms}}}
                pools: [{purchase: onDemand, count: 1}]
            """
        let spike = validScenario.replacingOccurrences(
            of: "  rate: 5/s", with: "  rate: 5/s\n  spikes: [{at: 18446744073709551616h, duration: 1h, multiplier: 2}]")
        for (name, yaml) in [("loop.yaml", looping), ("spike.yaml", spike)] {
            let scenario = try ScenarioLoader.decode(yaml: yaml, file: try scratch.write(name, yaml))
            let resolved = try ScenarioEncoder.yaml(scenario)
            #expect(try ScenarioLoader.decode(yaml: resolved, file: scratch.path("r-" + name)) == scenario, "\(name)")
        }
        let loop = try ScenarioLoader.decode(yaml: looping, file: scratch.path("loop.yaml"))
        #expect(loop.traffic.trace?.loopPeriodSeconds == nil)
        let trace = try ScenarioRunner.openTrace(loop.traffic.trace!)
        #expect(Simulation(scenario: loop, trace: trace).run().total.requests.arrived == 1)
        // A load no run could wait for is refused where it is written, with the units to check.
        let slow = validScenario.replacingOccurrences(
            of: "    pools:", with: "    startup: {load: {modelSize: 16GB, bandwidth: 0.0000001GB/s}}\n    pools:")
        #expect(throws: ScenarioError.self) { try ScenarioLoader.decode(yaml: slow, file: "slow.yaml") }
        do {
            _ = try ScenarioLoader.decode(yaml: slow, file: "slow.yaml")
        } catch let error as ScenarioError {
            #expect(error.keyPath == "deployments.api.startup.load" && error.line == 9)
        }
        #expect(Quantities.duration("1.8446744073709552e+19h") == 1.8446744073709552e+19 * 3600)
        #expect(Quantities.duration("1.5e3m") == 90_000 && Quantities.duration("2e") == nil)
    }

    /// Every duration the encoder writes reads back as the same number.
    @Test(arguments: [0, 1e-7, 0.001, 0.2, 59.999999, 60, 90, 3600.5, 86_400, 31_622_400, 1e15, 6.64e22, 1.7976931348623157e308])
    func durationsRoundTrip(_ seconds: Double) {
        #expect(Quantities.duration(Quantities.format(seconds: seconds)) == seconds)
    }

    @Test func variantNamesMustTellRowsApart() throws {
        let base = try ScenarioLoader.decode(yaml: validScenario, file: "small.yaml")
        let named = { (names: [String]) in
            try Comparison.checkNames([Comparison.Variant(name: "base", scenario: base)] + names.map { Comparison.Variant(name: $0, scenario: base) })
        }
        #expect(throws: ScenarioError.self) { try named(["v", "v"]) }
        #expect(throws: ScenarioError.self) { try named(["base"]) }
        try named(["v", "w"])
    }
}
