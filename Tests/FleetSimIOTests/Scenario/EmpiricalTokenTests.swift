import FleetSim
import FleetSimIO
import FleetSimKernel
import Foundation
import Testing

/// Token lengths resampled from a column of a real data file.
@Suite struct EmpiricalTokenTests {
    static let shareGPT = TraceReaderTests.shared
        .appendingPathComponent("length_dists/sharegpt_8k_filtered_stats_llama2_tokenizer.csv").path

    static func scenario(_ promptTokens: String) -> String {
        """
        name: tokens
        duration: 1h
        traffic:
          rate: 20/s
          classes:
            - name: chat
              deployment: api
              promptTokens: \(promptTokens)
              outputTokens: {lognormal: {median: 200, sigma: 0.5}}
        deployments:
          api:
            instance: {gpu: T4, gpus: 1, onDemand: 0.5}
            service: {time: {exponential: {mean: 50ms}}}
            pools:
              - {purchase: onDemand, count: 4}
        """
    }

    /// Draws reproduce the file's percentiles. For each q, the share of 100,000 draws at or below the file's
    /// q-quantile x is Binomial with success probability F(x), the file's own share of rows ≤ x (exact, the file is
    /// what is resampled); it must lie within the 99.9 % normal bound of that probability.
    @Test func drawsReproduceTheFilesPercentiles() throws {
        try #require(FileManager.default.fileExists(atPath: Self.shareGPT), "needs ../shared/data beside the checkout")
        let scenario = try ScenarioLoader.decode(
            yaml: Self.scenario("{empirical: {file: \(Self.shareGPT), column: num_prefill_tokens}}"), file: "t.yaml")
        let distribution = try #require(scenario.traffic.classes[0].promptTokens)
        guard case .empirical(let values) = distribution else { Issue.record("not empirical"); return }
        #expect(values.sorted.count == 30_731)
        let stream = RandomStream(seed: 1, source: "test.tokens")
        let n = 100_000
        let draws = (0..<n).map { _ in distribution.sample(stream) }
        for q in [0.1, 0.5, 0.9, 0.99] {
            let x = values.quantile(q)
            let p = Double(values.sorted.filter { $0 <= x }.count) / Double(values.sorted.count)
            let share = Double(draws.filter { $0 <= x }.count) / Double(n)
            let bound = StandardNormal.quantile(0.9995) * (p * (1 - p) / Double(n)).squareRoot()
            #expect(abs(share - p) <= bound, "q \(q): x \(x), file share \(p), drawn share \(share) ± \(bound)")
        }
    }

    /// Through a whole run, the mean prompt length of completed requests is the file's mean, within a 99 %
    /// interval over 10 replications; the resolved scenario names the file rather than copying 30,731 values.
    @Test func simulatedRequestsCarryTheFilesLengths() throws {
        try #require(FileManager.default.fileExists(atPath: Self.shareGPT), "needs ../shared/data beside the checkout")
        let scenario = try ScenarioLoader.decode(
            yaml: Self.scenario("{empirical: {file: \(Self.shareGPT), column: num_prefill_tokens}}"), file: "t.yaml")
        guard case .empirical(let values)? = scenario.traffic.classes[0].promptTokens else { Issue.record("not empirical"); return }
        let fileMean = values.sorted.reduce(0, +) / Double(values.sorted.count)
        let means = (0..<10).map { replication -> Double in
            let total = Simulation(scenario: scenario, replication: replication).run().total
            return Double(total.promptTokens) / Double(total.requests.completed)
        }
        let estimate = MeanEstimate(means, level: 0.99)
        #expect(estimate.covers(fileMean), "mean \(estimate.mean) ± \(estimate.halfWidth), file \(fileMean)")
        let resolved = try ScenarioEncoder.yaml(scenario)
        #expect(resolved.contains("column: num_prefill_tokens"))
        #expect(try ScenarioLoader.decode(yaml: resolved, file: "resolved.yaml") == scenario)
    }

    @Test func badColumnsAreNamedWithTheirFileAndLine() throws {
        let scratch = try ScratchFolder()
        let csv = try scratch.write("lengths.csv", "prompt,output\n10,3\n12,x\n")
        let missing = #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.decode(yaml: Self.scenario("{empirical: {file: \(csv), column: promt}}"), file: "t.yaml")
        }
        #expect(missing?.file == csv)
        #expect(missing?.message.contains("did you mean 'prompt'?") == true, "\(missing?.description ?? "")")
        let bad = #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.decode(yaml: Self.scenario("{empirical: {file: \(csv), column: output}}"), file: "t.yaml")
        }
        #expect(bad?.line == 3)
        #expect(bad?.keyPath == "traffic.classes[0].promptTokens.empirical.file")
        #expect(bad?.message == "output: expected a non-negative count, found \"x\"")
    }
}
