import FleetSim
@testable import FleetSimIO
import Foundation
import Testing

/// Mistakes that once ran silently or gave an error without a line: bare numbers as durations, duplicate keys,
/// bytes that are not UTF-8, YAML reader errors, a file a scenario names that does not exist, and trace times
/// beyond any clock.
@Suite struct InputMistakeTests {
    static func decode(_ text: String) throws -> Scenario {
        try ScenarioLoader.decode(yaml: text, file: "s.yaml")
    }

    /// `mean: 200` meant 200 ms as often as 200 s, and `p99: 2000` became 2,000 s: a duration needs its unit.
    @Test(arguments: [
        ("mean: 200ms", "mean: 200", 8, "deployments.api.service.time.exponential.mean"),
        ("duration: 1h", "duration: 3600", 2, "duration"),
    ])
    func aDurationWithoutItsUnitIsRefused(_ original: String, _ replacement: String, _ line: Int, _ keyPath: String) throws {
        #expect(validScenario.contains(original))
        let error = #expect(throws: ScenarioError.self) { _ = try Self.decode(validScenario.replacingOccurrences(of: original, with: replacement)) }
        #expect(error?.line == line && error?.keyPath == keyPath, "\(error?.description ?? "")")
        #expect(error?.message.contains("write \(replacement.split(separator: " ").last!)s for seconds or") == true, "\(error?.description ?? "")")
    }

    @Test func anSLOThresholdWithoutItsUnitIsRefused() throws {
        let error = #expect(throws: ScenarioError.self) { _ = try Self.decode(validScenario + "\nslo: {e2e: {p99: 2000}}") }
        #expect(error?.keyPath == "slo.e2e.p99" && error?.line == 11, "\(error?.description ?? "")")
    }

    @Test func zeroNeedsNoUnit() throws {
        let scenario = try Self.decode(validScenario + "\nwarmup: 0")
        #expect(scenario.warmupSeconds == 0)
    }

    @Test func aDuplicateKeyNamesBothLines() throws {
        let text = validScenario.replacingOccurrences(of: "traffic:\n  rate: 5/s", with: "traffic:\n  rate: 5/s\n  rate: 6/s")
        let error = #expect(throws: ScenarioError.self) { _ = try Self.decode(text) }
        #expect(error?.line == 5, "\(error?.description ?? "")")
        #expect(error?.message.contains("'rate' (lines 4 and 5)") == true, "\(error?.description ?? "")")
    }

    @Test func aDuplicateKeyInAFlowMapping() throws {
        let text = validScenario.replacingOccurrences(of: "{gpu: T4, gpus: 1, onDemand: 0.5}", with: "{gpu: T4, gpu: L4, onDemand: 0.5}")
        let error = #expect(throws: ScenarioError.self) { _ = try Self.decode(text) }
        #expect(error?.line == 7 && error?.message.contains("'gpu' (lines 7 and 7)") == true, "\(error?.description ?? "")")
    }

    @Test(arguments: [[UInt8]([0xFF]), [0xC3], [0xED, 0xA0, 0x80], [0x00]])
    func bytesThatAreNotTextNameTheirLine(_ bad: [UInt8]) throws {
        var bytes = [UInt8](validScenario.utf8)
        let third = bytes.indices.filter { bytes[$0] == 0x0A }[2]  // the end of line 3
        bytes.insert(contentsOf: bad, at: third)
        let scratch = try ScratchFolder()
        let path = scratch.path("s.yaml")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: ScenarioError.self) { _ = try ScenarioLoader.load(path: path) }
        #expect(error?.file == path && error?.line == 3, "\(error?.description ?? "")")
        #expect(error?.message.contains("at byte offset \(third)") == true, "\(error?.description ?? "")")
    }

    /// libyaml's reader errors (a control character) used to print over several lines.
    @Test func aControlCharacterIsOneLocatedLine() throws {
        let text = validScenario.replacingOccurrences(of: "rate: 5/s", with: "rate: 5/s\u{7}")
        let error = #expect(throws: ScenarioError.self) { _ = try Self.decode(text) }
        #expect(error?.line == 4 && !error!.description.contains("\n"), "\(error?.description ?? "")")
    }

    @Test func aMissingTraceIsBlamedOnTheKeyThatNamesIt() throws {
        let text = validScenario.replacingOccurrences(of: "  rate: 5/s", with: "  trace: {file: nowhere.csv}")
        let error = #expect(throws: ScenarioError.self) { _ = try Self.decode(text) }
        #expect(error?.file == "s.yaml" && error?.line == 4 && error?.keyPath == "traffic.trace.file", "\(error?.description ?? "")")
        #expect(error?.message.hasPrefix("no such file: ") == true)
    }

    /// A Mooncake row with a timestamp of 1e308 ms crashed `trace stats` (a Double beyond Int.max).
    @Test func aTimeBeyondAnyClockIsRefused() throws {
        let scratch = try ScratchFolder()
        let path = try scratch.write("t.jsonl", "{\"timestamp\": 0, \"input_length\": 10, \"output_length\": 5}\n"
            + "{\"timestamp\": 1e308, \"input_length\": 10, \"output_length\": 5, \"hash_ids\": [1]}\n")
        let error = #expect(throws: TraceError.self) { _ = try TraceStatistics.compute(try TraceReader(path: path, format: nil)) }
        #expect(error?.line == 2 && error?.message.contains("beyond the latest a trace may hold") == true, "\(error?.description ?? "")")
    }

    /// A value a manifest sets that the scenario's own key refuses is blamed on the manifest, at its line.
    @Test func aManifestValueOutOfRangeNamesTheManifest() throws {
        let scratch = try ScratchFolder()
        let manifest = try scratch.write("hpa.yaml", """
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            spec:
              maxReplicas: 4
              metrics:
              - type: Pods
                pods: {metric: {name: concurrency}, target: {type: AverageValue, averageValue: "1e23"}}
            """)
        let text = validScenario + "\n    autoscaler: {manifest: \(manifest)}"
        let error = #expect(throws: ScenarioError.self) { _ = try ScenarioLoader.decode(yaml: text, file: scratch.path("s.yaml")) }
        #expect(error?.file == manifest && error?.line == 7, "\(error?.description ?? "")")
    }
}
