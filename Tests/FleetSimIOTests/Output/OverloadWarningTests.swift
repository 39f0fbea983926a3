import FleetSim
import FleetSimIO
import Foundation
import Testing

/// A run that could not cope says so: a sustained overload, with whether the fleet was at its maximum, and a queue
/// still growing at the end; a fleet that copes gets no warning.
@Suite struct OverloadWarningTests {
    /// Each test keeps its own scratch folder alive while it reads the result.
    let scratch: ScratchFolder

    init() throws { scratch = try ScratchFolder() }

    func run(_ yaml: String) throws -> ScenarioRunner.Outcome {
        let scenario = try ScenarioLoader.decode(yaml: yaml, file: "s.yaml")
        return try ScenarioRunner.run(scenario, into: scratch.path("out"))
    }

    /// 12 requests/s of 0.5 s each need 6 replicas; 5 fall behind by 2 requests/s from the start.
    static let overloaded = validScenario
        .replacingOccurrences(of: "rate: 5/s", with: "rate: 12/s")
        .replacingOccurrences(of: "mean: 200ms", with: "mean: 500ms")
        .replacingOccurrences(of: "count: 2", with: "count: 5")

    @Test func aFleetThatCannotKeepUpIsWarnedOf() throws {
        let outcome = try run(Self.overloaded)
        #expect(outcome.warnings.count == 2, "\(outcome.warnings)")
        #expect(outcome.warnings.first?.hasPrefix("api: overloaded for 1h 00m 00s from 00:00") == true, "\(outcome.warnings)")
        #expect(outcome.warnings.first?.contains("at its maximum of 5 replicas") == true)
        #expect(outcome.warnings.last?.contains("still growing when the run ended") == true)
        let summary = try String(contentsOf: outcome.directory.appendingPathComponent("summary.json"), encoding: .utf8)
        #expect(summary.contains("overloaded for 1h"))
        #expect(SummaryTable.render(outcome).contains("in flight at end"))
    }

    @Test func aFleetThatCopesIsNot() throws {
        let outcome = try run(Self.overloaded.replacingOccurrences(of: "count: 5", with: "count: 8"))
        #expect(outcome.warnings.isEmpty, "\(outcome.warnings)")
        #expect(!SummaryTable.render(outcome).contains("in flight at end"))
    }

    /// The quick start's launch: 30 minutes from 20:00 with all 12 replicas busy; the figures are those of the
    /// timeline's windows in that half hour.
    @Test func theQuickStartsLaunchIsAnOverload() throws {
        let outcome = try run(BuiltInScenarios.quickstart)
        let rows = try String(contentsOf: outcome.directory.appendingPathComponent("timeline.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let header = try String(contentsOf: outcome.directory.appendingPathComponent("timeline.csv"), encoding: .utf8)
            .split(separator: "\n")[0].split(separator: ",").map(String.init)
        let start = header.firstIndex(of: "window_start_s")!, queue = header.firstIndex(of: "queue_depth_mean")!
        let timedOut = header.firstIndex(of: "timed_out")!
        let launch = rows.filter { (72_000..<73_800).contains(Double($0[start])!) }
        let peak = Int(launch.map { Double($0[queue])! }.max()!.rounded())
        let lost = launch.reduce(0) { $0 + Int($1[timedOut])! }
        #expect(lost == outcome.result.total.requests.timedOut)
        #expect(outcome.warnings == [
            "chat: overloaded for 30m 00s from 20:00: up to \(SummaryTable.grouped(peak)) requests waiting, "
                + "\(SummaryTable.grouped(lost)) timed out or rejected, with the fleet at its maximum of 12 replicas: it "
                + "cannot serve the offered load",
        ])
    }
}
