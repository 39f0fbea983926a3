import FleetSim
import FleetSimIO
import Foundation
import Testing

/// The catalog's Llama-2-70B on 8×H100 profile against the measurements it was built from: the simulated time per
/// output token with 1 and with 32 sequences decoding together must match the median `token_time` of the Splitwise
/// rows (TP8, prompt 512, outputs under 1,024 tokens) within 5 %.
@Suite struct SplitwiseFidelityTests {
    static let csv = TraceReaderTests.shared.appendingPathComponent("splitwise_perf/perf_model.csv").path

    /// The median measured seconds per output token at `batch`, read from the file itself.
    static func measuredTokenSeconds(batch: Int) throws -> Double {
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        var lines = text.split(separator: "\n").makeIterator()
        let headerLine = lines.next()
        let header = try #require(headerLine).split(separator: ",").map(String.init)
        func column(_ name: String) throws -> Int { try #require(header.firstIndex(of: name)) }
        let (model, hardware, prompt, batchSize, tokens, tokenTime, tp) = (
            try column("model"), try column("hardware"), try column("prompt_size"), try column("batch_size"),
            try column("token_size"), try column("token_time"), try column("tensor_parallel"))
        var times: [Double] = []
        while let line = lines.next() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f[model] == "llama2-70b", f[hardware] == "h100-80gb", f[tp] == "8", f[prompt] == "512",
                  Int(f[batchSize]) == batch, let output = Int(f[tokens]), output < 1_024
            else { continue }
            times.append(Double(f[tokenTime])! / 1000)
        }
        times.sort()
        try #require(!times.isEmpty)
        return times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
    }

    /// `batch` requests of 512 prompt and 128 output tokens arrive together on one replica.
    static func simulatedTokenSeconds(batch: Int) throws -> Double {
        let entry = try #require(ProfileCatalog.entry(id: "llama2-70b/h100x8"))
        let instance = InstanceType(gpu: entry.gpu, gpus: entry.gpus, onDemandPerHour: 98.32)
        let scenario = Scenario(
            name: "splitwise", durationSeconds: 600,
            traffic: TrafficSpec(ratePerSecond: 0, classes: [RequestClass(name: "c", deployment: "llm")],
                                 trace: TraceReplay(path: "memory")),
            deployments: [DeploymentSpec(
                name: "llm", instance: instance, profile: entry.profile, batching: .continuous,
                pools: [PoolSpec(purchase: .onDemand, count: 1, pricePerHour: 98.32)])])
        let records = (0..<batch).map { _ in TraceRecord(timeSeconds: 1, promptTokens: 512, outputTokens: 128) }
        let result = Simulation(scenario: scenario, trace: InMemoryTrace(records)).run()
        #expect(result.total.requests.completed == batch)
        return try #require(result.total.tpot.p50)
    }

    @Test(arguments: [1, 32])
    func timePerOutputTokenMatchesTheMeasurements(_ batch: Int) throws {
        try #require(FileManager.default.fileExists(atPath: Self.csv), "needs ../shared/data beside the checkout")
        let measured = try Self.measuredTokenSeconds(batch: batch)
        let simulated = try Self.simulatedTokenSeconds(batch: batch)
        #expect(abs(simulated / measured - 1) < 0.05, "batch \(batch): simulated \(simulated * 1000) ms, measured \(measured * 1000) ms")
    }
}
