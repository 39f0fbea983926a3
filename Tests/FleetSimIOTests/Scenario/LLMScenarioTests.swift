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

/// Built-in instance types: a name in `instance:` brings its list prices and source; an unknown one lists the others.
@Suite struct InstanceCatalogTests {
    static func scenario(_ instance: String) -> String {
        """
        name: i
        duration: 1h
        traffic: {rate: 1/s}
        deployments:
          api:
            instance: \(instance)
            service: {time: 100ms}
            pools: [{purchase: onDemand, count: 1}, {purchase: reserved, count: 1}]
        """
    }

    /// Prices from the skypilot-catalog subset (../shared/data/prices/): g5.xlarge is 1.006 USD/h on demand in
    /// us-east-1; the reserved pool gets the default 35 % discount on it.
    @Test func aCatalogNameBringsItsPrices() throws {
        let scenario = try ScenarioLoader.decode(yaml: Self.scenario("aws/g5.xlarge"), file: "s.yaml")
        let deployment = scenario.deployments[0]
        #expect(deployment.instance.onDemandPerHour == 1.006)
        #expect(deployment.instance.gpu == "A10G")
        #expect(deployment.pools.map(\.pricePerHour) == [1.006, 1.006 * 0.65])
        let resolved = try ScenarioEncoder.yaml(scenario)
        #expect(resolved.contains("instance: aws/g5.xlarge"))
        #expect(try ScenarioLoader.decode(yaml: resolved, file: "r.yaml") == scenario)
        // The known-bad catalogue row is left out (../shared/data/README.md).
        #expect(InstanceCatalog.instance(named: "azure/Standard_ND96isr_H100_v5") == nil)
    }

    @Test func anUnknownNameListsTheKnownOnes() throws {
        let error = #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.decode(yaml: Self.scenario("aws/g5.xlarg"), file: "s.yaml")
        }
        #expect(error?.keyPath == "deployments.api.instance")
        #expect(error?.message.contains("did you mean 'aws/g5.xlarge'?") == true, "\(error?.description ?? "")")
        #expect(error?.message.contains("lambda/gpu_1x_h100_sxm5") == true)
    }
}
