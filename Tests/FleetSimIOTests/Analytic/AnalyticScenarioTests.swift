import FleetSim
import FleetSimIO
import Foundation
import Testing

/// The `engine` key: decoded with its default step, written back so the resolved scenario reruns, refused with the
/// key that names what the analytic engine does not model, and marked in the outputs.
@Suite struct AnalyticScenarioTests {
    @Test func engineKeyDecodesWithADefaultStepAndRoundTrips() throws {
        let scenario = try ScenarioLoader.decode(yaml: validScenario + "\nengine: analytic\nwindow: 2m\n", file: "s.yaml")
        #expect(scenario.engine == .analytic(stepSeconds: 10))
        let reread = try ScenarioLoader.decode(yaml: try ScenarioEncoder.yaml(scenario), file: "resolved.yaml")
        #expect(reread == scenario)
        let stepped = try ScenarioLoader.decode(
            yaml: validScenario, file: "s.yaml", overrides: [Override("engine={kind: analytic, step: 3s}")])
        #expect(stepped.engine == .analytic(stepSeconds: 3))
        #expect(try ScenarioLoader.decode(yaml: validScenario, file: "s.yaml").engine == .discreteEvent)
    }

    @Test(arguments: [
        ("engine: fluid", "engine", "expected discreteEvent, analytic, or {kind: analytic, step: <duration>}"),
        ("engine: {kind: analytic, step: 2h}", "engine.step", "between"),
        ("engine: {kind: discreteEvent, step: 1s}", "engine", "no step for the discrete-event engine"),
    ])
    func badEngineValuesAreLocated(line: String, keyPath: String, message: String) throws {
        let error = #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.decode(yaml: validScenario + "\n" + line + "\n", file: "s.yaml")
        }
        #expect(error?.keyPath == keyPath, "\(error?.description ?? "")")
        #expect(error?.message.contains(message) == true, "\(error?.description ?? "")")
    }

    /// What the engine does not model is refused at `engine`, naming the key to change.
    @Test func unmodelledFeaturesAreRefusedNamingTheirKey() throws {
        let batched = validScenario.replacingOccurrences(
            of: "    pools:", with: "    batching: {mode: window, window: 10ms, maxBatch: 4}\n    pools:")
        let error = #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.decode(yaml: batched + "\nengine: analytic\n", file: "s.yaml")
        }
        #expect(error?.keyPath == "engine")
        #expect(error?.message.contains("window batching") == true)
        #expect(error?.message.contains("deployments.api.batching") == true, "\(error?.description ?? "")")
    }

    @Test func anAnalyticRunIsMarkedInItsSummary() throws {
        let scratch = try ScratchFolder()
        let scenario = try ScenarioLoader.decode(yaml: validScenario + "\nengine: analytic\n", file: "s.yaml")
        let outcome = try ScenarioRunner.run(scenario, into: scratch.path("out"))
        let data = try Data(contentsOf: outcome.directory.appendingPathComponent("summary.json"))
        let summary = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(summary["engine"] as? String == "analytic")
        let simulation = summary["simulation"] as! [String: Any]
        let analytic = simulation["analytic"] as! [String: Any]
        #expect(analytic["steps"] as? Int == 720)
        let requests = summary["requests"] as! [String: Any]
        #expect(requests["arrived"] as? Int == requests["completed"] as? Int)
    }
}
