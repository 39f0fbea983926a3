import FleetSim
import FleetSimKernel
@testable import FleetSimIO
import Foundation
import Testing

@Suite struct QuantityTests {
    @Test(arguments: [
        ("90s", 90.0), ("15m", 900), ("6h", 21_600), ("2d", 172_800), ("1w", 604_800), ("200ms", 0.2),
        ("500us", 0.0005), ("1d13h", 133_200), ("1.5s", 1.5), ("30", 30), ("1h30m", 5400), ("1mo", 2_628_000),
    ])
    func durationsParse(_ text: String, _ seconds: Double) {
        #expect(Quantities.duration(text) == seconds)
    }

    @Test(arguments: ["", "1 hour", "h", "5x", "nan", "inf", "1e999s", "--5s"])
    func nonsenseDurationsAreRejected(_ text: String) {
        #expect(Quantities.duration(text) == nil)
    }

    @Test(arguments: [("40/s", 40.0), ("1200/min", 20), ("7200/h", 2), ("86400/d", 1), ("12.5", 12.5), ("30/2s", 15)])
    func ratesParse(_ text: String, _ perSecond: Double) {
        #expect(Quantities.ratePerSecond(text) == perSecond)
    }

    @Test func percentagesParse() {
        #expect(Quantities.fraction("70%") == 0.7)
        #expect(Quantities.fraction("0.25") == 0.25)
        #expect(Quantities.fraction("abc%") == nil)
    }

    @Test(arguments: [86_400.0, 3600, 90, 0.2, 1e-6, 133_200, 0.1 + 0.2])
    func formattedDurationsReadBackExactly(_ seconds: Double) {
        #expect(Quantities.duration(Quantities.format(seconds: seconds)) == seconds)
    }
}

@Suite struct ScenarioLoaderTests {
    @Test func defaultsAreFilledIn() throws {
        let scenario = try ScenarioLoader.decode(yaml: validScenario, file: "s.yaml")
        #expect(scenario.seed == 1)
        #expect(scenario.windowSeconds == 60)
        #expect(scenario.traffic.arrivals == .poisson)
        #expect(scenario.traffic.classes == [RequestClass(name: "default", deployment: "api")])
        #expect(scenario.deployments[0].batching == .unbatched)
        #expect(scenario.deployments[0].pools[0].pricePerHour == 0.5)
    }

    @Test func reservedPoolsDefaultToTheDocumentedDiscount() throws {
        let yaml = validScenario.replacingOccurrences(of: "purchase: onDemand", with: "purchase: reserved")
        let scenario = try ScenarioLoader.decode(yaml: yaml, file: "s.yaml")
        #expect(scenario.deployments[0].pools[0].pricePerHour == 0.5 * (1 - PoolSpec.defaultReservedDiscount))
    }

    @Test func overridesAndSeedApply() throws {
        let scenario = try ScenarioLoader.decode(
            yaml: validScenario, file: "s.yaml",
            overrides: [Override("traffic.rate=1200/min"), Override("deployments.api.pools[0].count=7"),
                        Override("traffic.diurnal={peakHour: 14, peakToTrough: 4}")],
            seed: 99)
        #expect(scenario.traffic.ratePerSecond == 20)
        #expect(scenario.deployments[0].pools[0].count == 7)
        #expect(scenario.traffic.diurnal == .smooth(peakHour: 14, peakToTrough: 4))
        #expect(scenario.seed == 99)
    }

    @Test func percentileKeysParse() {
        #expect(ScenarioDecoder.percentile(fromKey: "p99") == 0.99)
        #expect(ScenarioDecoder.percentile(fromKey: "p50") == 0.5)
        #expect(ScenarioDecoder.percentile(fromKey: "p999") == 0.999)
        #expect(ScenarioDecoder.percentile(fromKey: "p99.9") == 0.999)
        #expect(ScenarioDecoder.percentile(fromKey: "q99") == nil)
    }

    @Test func quickstartFileIsTheBuiltInScenario() throws {
        let file = try String(contentsOf: scenariosFolder.appendingPathComponent("quickstart.yaml"), encoding: .utf8)
        #expect(file == BuiltInScenarios.quickstart + "\n")
    }

    @Test func everyExampleScenarioValidates() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: scenariosFolder.path).filter { $0.hasSuffix(".yaml") }
        #expect(!files.isEmpty)
        for file in files {
            _ = try ScenarioLoader.load(path: scenariosFolder.appendingPathComponent(file).path)
        }
    }

    @Test func resolvedScenarioReadsBackToTheSameScenario() throws {
        let scratch = try ScratchFolder()
        let yaml = validScenario + """

            window: 5m
            warmup: 10m
            slo: {e2e: {p99: 2s}, ttft: {p90: 500ms}}
            """
        var scenarios = [try ScenarioLoader.decode(yaml: yaml, file: "s.yaml"),
                         try ScenarioLoader.decode(yaml: BuiltInScenarios.quickstart, file: "q.yaml")]
        scenarios.append(try ScenarioLoader.decode(yaml: validScenario, file: "s.yaml", overrides: [
            Override("deployments.api.service.time={lognormal: {mean: 300ms, sd: 100ms}}"),
            Override("traffic.diurnal={profile: [1,1,1,1,1,1,2,3,4,5,5,5,5,5,5,5,4,3,2,2,1,1,1,1]}"),
            Override("traffic.arrivals=deterministic"),
        ]))
        for scenario in scenarios {
            let text = try ScenarioEncoder.yaml(scenario)
            let path = try scratch.write("\(scenario.name).resolved.yaml", text)
            let reread = try ScenarioLoader.load(path: path)
            #expect(reread == scenario, "\(text)")
        }
    }
}

@Suite struct ScenarioEdgeCaseTests {
    @Test(arguments: ["p100", "p500", "p0", "p", "p9.99.9"])
    func impossiblePercentileKeysAreRejected(_ key: String) {
        #expect(ScenarioDecoder.percentile(fromKey: key) == nil)
    }

    @Test func anEmptyOverrideRemovesAnOptionalKey() throws {
        let yaml = validScenario + "\nslo: {e2e: {p99: 2s}}\n"
        let scenario = try ScenarioLoader.decode(yaml: yaml, file: "s.yaml", overrides: [Override("slo=")])
        #expect(scenario.slo == nil)
    }

    @Test func problemsInKeysThatAnOverrideCreatedBlameTheCommandLine() throws {
        let error = #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.decode(yaml: validScenario, file: "s.yaml", overrides: [Override("foo.bar=1")])
        }
        #expect(error?.file == "--set")
        #expect(error?.keyPath == "foo")
    }

    @Test func mixedDistributionFormsAreRejected() throws {
        let yaml = validScenario.replacingOccurrences(
            of: "{exponential: {mean: 200ms}}", with: "{lognormal: {median: 200ms, mean: 300ms, sigma: 0.5}}")
        let error = #expect(throws: ScenarioError.self) { _ = try ScenarioLoader.decode(yaml: yaml, file: "s.yaml") }
        #expect(error?.keyPath == "deployments.api.service.time.lognormal")
        #expect(error?.message.contains("{median, sigma} or {mean, sd} or {mu, sigma}") == true)
    }

    @Test func aNameTakenFromTheFileNameIsMadeValid() throws {
        let scratch = try ScratchFolder()
        let path = try scratch.write("my run.yaml", validScenario.replacingOccurrences(of: "name: small\n", with: ""))
        let scenario = try ScenarioLoader.load(path: path)
        #expect(scenario.name == "my-run")
        let reread = try ScenarioLoader.decode(yaml: try ScenarioEncoder.yaml(scenario), file: "r.yaml")
        #expect(reread == scenario)
    }
}
