import FleetSim
import FleetSimIO
import Foundation
import Testing

@Suite struct ResultFolderTests {
    /// The quick start cut to three hours, with its spike moved inside them.
    func run(into folder: String, seed: UInt64? = nil) throws -> ScenarioRunner.Outcome {
        let overrides = [try Override("duration=3h"), try Override("traffic.spikes[0].at=2h")]
        let scenario = try ScenarioLoader.decode(
            yaml: BuiltInScenarios.quickstart, file: "quickstart.yaml", overrides: overrides, seed: seed)
        return try ScenarioRunner.run(scenario, into: folder)
    }

    @Test func runWritesTheFourContractFiles() throws {
        let scratch = try ScratchFolder()
        _ = try run(into: scratch.path("out"))
        for file in ["summary.json", "timeline.csv", "events.csv", "scenario.resolved.yaml"] {
            #expect(scratch.exists("out/\(file)"), "\(file)")
        }
        let header = try String(contentsOfFile: scratch.path("out/timeline.csv"), encoding: .utf8)
            .split(separator: "\n")[0].split(separator: ",").map(String.init)
        let contract = "window_start_s,deployment,arrivals,completed,rejected,timed_out,e2e_p50_s,e2e_p99_s,ttft_p99_s,queue_depth_mean,replicas_ready,replicas_starting,utilization,cost_reserved,cost_on_demand,cost_spot,cost_total,cost_cumulative"
        for column in contract.split(separator: ",") {
            #expect(header.contains(String(column)), "timeline.csv lacks \(column)")
        }
        let summary = try String(contentsOfFile: scratch.path("out/summary.json"), encoding: .utf8)
        for key in ["\"requests\"", "\"inFlightAtEnd\"", "\"p999\"", "\"attainment\"", "\"perMillionTokens\"",
                    "\"gpuHours\"", "\"coldStarts\"", "\"eventsPerSecond\"", "\"deployments\""] {
            #expect(summary.contains(key), "summary.json lacks \(key)")
        }
    }

    @Test func sameSeedGivesByteIdenticalResults() throws {
        let scratch = try ScratchFolder()
        _ = try run(into: scratch.path("a"))
        _ = try run(into: scratch.path("b"))
        for file in ["timeline.csv", "events.csv", "scenario.resolved.yaml"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: scratch.path("a/\(file)")))
            let b = try Data(contentsOf: URL(fileURLWithPath: scratch.path("b/\(file)")))
            #expect(a == b, "\(file) differs")
        }
        func withoutWallClock(_ name: String) throws -> String {
            try String(contentsOfFile: scratch.path("\(name)/summary.json"), encoding: .utf8)
                .split(separator: "\n")
                .filter { !$0.contains("\"wallSeconds\"") && !$0.contains("\"eventsPerSecond\"") }
                .joined(separator: "\n")
        }
        #expect(try withoutWallClock("a") == withoutWallClock("b"))
        _ = try run(into: scratch.path("c"), seed: 7)
        #expect(try withoutWallClock("a") != withoutWallClock("c"))
    }

    @Test func aNewRunReplacesAnEarlierResultWholeAndLeavesNoStaging() throws {
        let scratch = try ScratchFolder()
        _ = try run(into: scratch.path("out"))
        #expect(ResultFolder.kind(of: URL(fileURLWithPath: scratch.path("out"))) == .run)
        let first = try String(contentsOfFile: scratch.path("out/summary.json"), encoding: .utf8)
        _ = try run(into: scratch.path("out"), seed: 7)
        #expect(try String(contentsOfFile: scratch.path("out/summary.json"), encoding: .utf8) != first)
        let hidden = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0.hasPrefix(".") }
        #expect(hidden.isEmpty, "\(hidden)")
    }

    /// An empty folder holds nothing to lose; it is replaced.
    @Test func anEmptyFolderIsReplaced() throws {
        let scratch = try ScratchFolder()
        try FileManager.default.createDirectory(atPath: scratch.path("out"), withIntermediateDirectories: false)
        _ = try run(into: scratch.path("out"))
        #expect(scratch.exists("out/summary.json"))
    }

    @Test func abandonedRunLeavesNothingAtTheDestination() throws {
        let scratch = try ScratchFolder()
        let writer = try ResultWriter(destination: scratch.path("out"))
        writer.windowClosed([])
        writer.abandon()
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).isEmpty)
    }
}
