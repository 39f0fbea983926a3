import FleetSim
import FleetSimIO
import Foundation
import Testing

/// LLM deployments in scenario files: catalog ids, inline profiles, their round trip, and the mistakes users make.
@Suite struct LLMScenarioTests {
    static func scenario(_ deployment: String, classes: String = """
          classes:
            - {name: chat, deployment: llm, promptTokens: {lognormal: {median: 800, sigma: 0.7}}, outputTokens: {exponential: {mean: 200}}}
        """) -> String {
        """
        name: llm
        duration: 10m
        traffic:
          rate: 4/s
        \(classes)
        deployments:
          llm:
            instance: {gpu: H100, gpus: 8, onDemand: 98.32}
        \(deployment)
            pools: [{purchase: onDemand, count: 2}]
        """
    }

    @Test func catalogAndInlineProfilesReadAndRoundTrip() throws {
        let catalog = try ScenarioLoader.decode(
            yaml: Self.scenario("    model: llama2-70b/h100x8\n    batching: {mode: continuous}\n    routing: powerOfTwo"),
            file: "s.yaml")
        let deployment = catalog.deployments[0]
        #expect(deployment.profile == ProfileCatalog.entry(id: "llama2-70b/h100x8")?.profile)
        #expect(deployment.batching == .continuous && deployment.routing == .powerOfTwo)
        let resolved = try ScenarioEncoder.yaml(catalog)
        #expect(resolved.contains("model: llama2-70b/h100x8"))
        #expect(try ScenarioLoader.decode(yaml: resolved, file: "r.yaml") == catalog)

        let inline = try ScenarioLoader.decode(yaml: Self.scenario("""
                model:
                  prefillTokensPerSecond: 12000
                  prefillBase: 20ms
                  decodeStep: {table: [[1, 29.8ms], [32, 38.6ms]]}
                  maxConcurrency: 32
                  kvTokens: 300000
                batching: {mode: continuous}
                queueing: perReplica
            """), file: "s.yaml")
        let profile = try #require(inline.deployments[0].profile)
        #expect(profile.decodeStep == .table(sequences: [1, 32], seconds: [0.0298, 0.0386]))
        #expect(abs(profile.decodeStep.seconds(sequences: 16) - (0.0298 + 0.0088 * 15 / 31)) < 1e-12)
        #expect(inline.deployments[0].queueing == .perReplica)
        #expect(try ScenarioLoader.decode(yaml: try ScenarioEncoder.yaml(inline), file: "r.yaml") == inline)
    }

    @Test(arguments: [
        ("    service: {time: 1s}\n    batching: {mode: continuous}", "deployments.llm.batching",
         "continuous batching needs a 'model'"),
        ("    model: llama2-70b/h100\n", "deployments.llm.model", "did you mean 'llama2-70b/h100x8'?"),
        ("    model: llama2-70b/h100x8\n    queueing: perReplica", "deployments.llm.queueing",
         "per-replica queues are modelled for continuous batching only"),
        ("    model: llama2-70b/h100x8\n    service: {time: 1s}", "deployments.llm",
         "expected exactly one of model, service"),
        ("    model: {prefillTokensPerSecond: 1000, decodeStep: {table: [[4, 10ms], [2, 20ms]]}, maxConcurrency: 8}",
         "deployments.llm.model", "sequence counts must be at least 1 and increasing"),
    ])
    func mistakesAreNamed(_ deployment: String, _ keyPath: String, _ message: String) throws {
        let error = #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.decode(yaml: Self.scenario(deployment), file: "s.yaml")
        }
        #expect(error?.keyPath == keyPath, "\(error?.description ?? "")")
        #expect(error?.message.contains(message) == true, "\(error?.description ?? "")")
    }

    @Test func syntheticClassesForAnLLMNeedTokenLengths() throws {
        let error = #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.decode(
                yaml: Self.scenario("    model: llama2-70b/h100x8", classes: "  classes: [{name: chat, deployment: llm}]"),
                file: "s.yaml")
        }
        #expect(error?.keyPath == "traffic.classes[0]")
        #expect(error?.message.contains("give it promptTokens and outputTokens") == true, "\(error?.description ?? "")")
    }
}
