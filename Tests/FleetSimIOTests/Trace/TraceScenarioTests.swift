import FleetSim
import FleetSimIO
import FleetSimKernel
import Foundation
import Testing

/// Replaying recorded traces from scenarios: the real Azure trace end to end, and bad traces caught before a run.
@Suite struct TraceScenarioTests {
    static let azurePath = TraceReaderTests.shared.appendingPathComponent("azure_llm_2023/AzureLLMInferenceTrace_conv.csv").path

    static func scenario(trace: String, duration: String = "1h", extraTraffic: String = "") -> String {
        """
        name: replay
        duration: \(duration)
        traffic:
          trace: {\(trace)}\(extraTraffic)
        deployments:
          api:
            instance: {gpu: T4, gpus: 1, onDemand: 0.5}
            service: {time: {exponential: {mean: 50ms}}}
            pools:
              - {purchase: onDemand, count: 4}
        """
    }

    static func arrivals(_ scenario: Scenario) throws -> [TraceReplayGenerator.Arrival] {
        let replay = try #require(scenario.traffic.trace)
        var generator = TraceReplayGenerator(
            replay: replay, source: try ScenarioRunner.openTrace(replay), horizon: scenario.durationSeconds,
            stream: RandomStream(seed: scenario.seed, source: "traffic.trace"))
        var arrivals: [TraceReplayGenerator.Arrival] = []
        while let arrival = generator.next() { arrivals.append(arrival) }
        return arrivals
    }

    /// At speed-up 1 the replay is the trace: every one of its 19,366 timestamps, exactly, and the simulation sees
    /// each request arrive once. At speed-up 2 the same requests arrive in half the span.
    @Test func azureConversationTraceReplaysExactly() throws {
        try #require(FileManager.default.fileExists(atPath: Self.azurePath), "needs ../shared/data beside the checkout")
        let reader = try TraceReader(path: Self.azurePath)
        var recorded: [Double] = []
        while let record = try reader.next() { recorded.append(record.timeSeconds) }
        #expect(recorded.count == 19_366)

        let scenario = try ScenarioLoader.decode(yaml: Self.scenario(trace: "file: \(Self.azurePath)"), file: "replay.yaml")
        let replayed = try Self.arrivals(scenario)
        #expect(replayed.map(\.time) == recorded)
        let result = Simulation(scenario: scenario, trace: try ScenarioRunner.openTrace(scenario.traffic.trace!)).run()
        #expect(result.total.requests.arrived == 19_366)

        let fast = try ScenarioLoader.decode(
            yaml: Self.scenario(trace: "file: \(Self.azurePath), speedup: 2", duration: "30m"), file: "replay.yaml")
        let halved = try Self.arrivals(fast)
        #expect(halved.count == 19_366)
        #expect(halved.last!.time == recorded.last! / 2)
        #expect(halved.map(\.time) == recorded.map { $0 / 2 })
    }

    /// A target rate is turned into a factor from the trace's own rate: the conversation trace runs at ≈ 5.53/s, so
    /// `scale: 11.06/s` is ≈ 2, and the resolved scenario records the factor.
    @Test func aTargetRateBecomesAScaleFactor() throws {
        try #require(FileManager.default.fileExists(atPath: Self.azurePath), "needs ../shared/data beside the checkout")
        let scenario = try ScenarioLoader.decode(
            yaml: Self.scenario(trace: "file: \(Self.azurePath), scale: 11.06/s, loop: true"), file: "replay.yaml")
        let replay = try #require(scenario.traffic.trace)
        #expect(abs(replay.scale - 2) < 0.01)
        #expect(replay.format == .azure)
        // Without a window, a pass lasts from the first request to the last plus one mean gap.
        let span = try TraceStatistics.compute(TraceReader(path: Self.azurePath)).spanSeconds
        #expect(abs(replay.loopPeriodSeconds! - span * 19_366 / 19_365) < 1e-9)
        let reread = try ScenarioLoader.decode(yaml: try ScenarioEncoder.yaml(scenario), file: "resolved.yaml")
        #expect(reread == scenario)
    }

    /// Relative paths are resolved from the scenario's folder; a CSV trace with a `class` column sends each request
    /// to the class it names.
    @Test func relativePathsAndNamedClasses() throws {
        let scratch = try ScratchFolder()
        _ = try scratch.write("t.csv", "time_s,prompt_tokens,output_tokens,class\n0,10,1,b\n0.5,20,2,a\n1.5,30,3,b\n")
        let yaml = Self.scenario(trace: "file: t.csv", duration: "10s", extraTraffic: """

              classes:
                - {name: a, deployment: api}
                - {name: b, deployment: api}
            """)
        let path = try scratch.write("s.yaml", yaml)
        let scenario = try ScenarioLoader.load(path: path)
        #expect(scenario.traffic.trace?.path == scratch.path("t.csv"))
        #expect(try Self.arrivals(scenario).map(\.record.className) == ["b", "a", "b"])
    }

    struct BadTrace: Sendable, CustomTestStringConvertible {
        let label: String
        let text: String
        let line: Int?
        let message: String
        var testDescription: String { label }
    }

    static let badTraces = [
        BadTrace(label: "malformed row", text: "time_s,prompt_tokens,output_tokens\n0,1,1\n1,2\n", line: 3, message: "expected 3 fields"),
        BadTrace(label: "unparseable timestamp",
                 text: "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.68,374,44\n2023-11-16 18:15:xx,1,1\n",
                 line: 3, message: "expected a timestamp like"),
        BadTrace(label: "negative tokens", text: "time_s,prompt_tokens,output_tokens\n0,1,1\n1,-4,1\n", line: 3,
                 message: "prompt_tokens: expected a non-negative whole number of tokens, found \"-4\""),
        BadTrace(label: "time going backwards", text: "time_s,prompt_tokens,output_tokens\n5,1,1\n4,1,1\n", line: 3,
                 message: "time goes backwards"),
        BadTrace(label: "empty file", text: "", line: nil, message: "the file is empty"),
        BadTrace(label: "missing column", text: "time_s,prompt_tokens\n0,1\n", line: 1, message: "missing column output_tokens"),
        BadTrace(label: "unknown class", text: "time_s,prompt_tokens,output_tokens,class\n0,1,1,chat\n", line: 2,
                 message: "class 'chat' is not one of traffic.classes (default)"),
    ]

    /// Each bad trace is reported with the trace file, its line and the scenario key that named it, before any
    /// simulation starts; `fleetsim run` therefore writes nothing.
    @Test(arguments: badTraces)
    func badTracesAreReportedBeforeAnythingRuns(_ bad: BadTrace) throws {
        let scratch = try ScratchFolder()
        let trace = try scratch.write("bad.csv", bad.text)
        let error = #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.decode(yaml: Self.scenario(trace: "file: \(trace)"), file: "replay.yaml")
        }
        #expect(error?.file == trace)
        #expect(error?.line == bad.line, "\(error?.description ?? "")")
        #expect(error?.keyPath == "traffic.trace.file")
        #expect(error?.message.contains(bad.message) == true, "\(error?.description ?? "")")
    }

    @Test func traceScenarioMistakesAreNamed() throws {
        let scratch = try ScratchFolder()
        let trace = try scratch.write("t.csv", "time_s,prompt_tokens,output_tokens\n0,1,1\n10,1,1\n")
        func problem(_ yaml: String) -> ScenarioError? {
            #expect(throws: ScenarioError.self) { _ = try ScenarioLoader.decode(yaml: yaml, file: "s.yaml") }
        }
        let withRate = problem(Self.scenario(trace: "file: \(trace)", extraTraffic: "\n  rate: 5/s"))
        #expect(withRate?.keyPath == "traffic.rate")
        #expect(withRate?.message.contains("cannot be combined with 'trace'") == true)
        let emptyWindow = problem(Self.scenario(trace: "file: \(trace), start: 1h"))
        #expect(emptyWindow?.message.contains("no request of") == true, "\(emptyWindow?.description ?? "")")
        let missing = problem(Self.scenario(trace: "file: \(scratch.path("nope.csv"))"))
        #expect(missing?.message == "no such file: \(scratch.path("nope.csv"))" && missing?.file == "s.yaml" && missing?.line != nil,
                "\(missing?.description ?? "")")
        let badFormat = problem(Self.scenario(trace: "file: \(trace), format: parquet"))
        #expect(badFormat?.keyPath == "traffic.trace.format")
        let shortLoop = problem(Self.scenario(trace: "file: \(trace), loop: 5s"))
        #expect(shortLoop?.keyPath == "traffic.trace.loop")
        #expect(shortLoop?.message.contains("shorter than the 10s the replayed requests span") == true,
                "\(shortLoop?.description ?? "")")
    }
}
