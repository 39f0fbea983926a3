import FleetSim
import FleetSimIO
import Foundation
import Testing

@Suite struct TraceReaderTests {
    static let shared = scenariosFolder.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/data")

    func readAll(_ path: String, format: TraceFormat? = nil) throws -> [TraceRecord] {
        let reader = try TraceReader(path: path, format: format)
        var records: [TraceRecord] = []
        while let record = try reader.next() { records.append(record) }
        return records
    }

    @Test func azureConversationTraceMatchesItsPublishedFigures() throws {
        let path = Self.shared.appendingPathComponent("azure_llm_2023/AzureLLMInferenceTrace_conv.csv").path
        try #require(FileManager.default.fileExists(atPath: path), "needs ../shared/data beside the checkout")
        let stats = try TraceStatistics.compute(TraceReader(path: path))
        // Figures from shared/data/README.md: 19,366 requests over 3,502 s (5.53 req/s), CV ≈ 1.1,
        // context p50 1020, generated p50 129.
        #expect(stats.rows == 19_366)
        #expect(abs(stats.spanSeconds - 3502) < 1)
        #expect(abs(stats.meanRate - 5.53) < 0.01)
        #expect(abs((stats.interArrivalCV ?? 0) - 1.1) < 0.05)
        #expect(stats.prompt.p50 == 1020)
        #expect(stats.output.p50 == 129)
    }

    @Test func mooncakeTraceIsReadInMillisecondsAndFormatsAreDetected() throws {
        let path = Self.shared.appendingPathComponent("mooncake/conversation_trace.jsonl").path
        try #require(FileManager.default.fileExists(atPath: path), "needs ../shared/data beside the checkout")
        let reader = try TraceReader(path: path)
        #expect(reader.format == .mooncake)
        let stats = try TraceStatistics.compute(reader)
        #expect(stats.rows == 12_031)
        #expect(abs(stats.spanSeconds - 3537) < 1)
    }

    /// The prefix reuse `trace stats` reports, against a direct count over the file parsed by Foundation's JSON
    /// reader: per request, the leading `hash_ids` some earlier request already sent, and the tokens they cover.
    @Test func mooncakePrefixReuseMatchesADirectCountOfRepeatedBlocks() throws {
        let path = Self.shared.appendingPathComponent("mooncake/conversation_trace.jsonl").path
        try #require(FileManager.default.fileExists(atPath: path), "needs ../shared/data beside the checkout")
        var seen = Set<Int>()
        var blocks = 0, reusedBlocks = 0, reusedTokens = 0, requestsReusing = 0, promptTokens = 0
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            let row = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let hashes = try #require(row["hash_ids"] as? [Int])
            let prompt = try #require(row["input_length"] as? Int)
            let leading = hashes.prefix { seen.contains($0) }.count
            seen.formUnion(hashes)
            blocks += hashes.count
            reusedBlocks += leading
            reusedTokens += min(leading * 512, prompt)
            promptTokens += prompt
            if leading > 0 { requestsReusing += 1 }
        }
        let reuse = try #require(try TraceStatistics.compute(TraceReader(path: path)).prefixReuse)
        #expect(reuse.blocks == blocks)
        #expect(reuse.reusedBlocks == reusedBlocks)
        #expect(reuse.reusedTokens == reusedTokens)
        #expect(reuse.requestsReusing == requestsReusing)
        #expect(reuse.promptTokens == promptTokens)
        // The figure the README and docs/levers.md quote.
        #expect(abs(reuse.tokenShare - 0.374) < 0.0005, "\(reuse.tokenShare)")
    }

    @Test func genericCSVKeepsTimesExactlyRelativeToTheFirstRow() throws {
        let scratch = try ScratchFolder()
        let path = try scratch.write("t.csv", "time_s,prompt_tokens,output_tokens,class\n10.5,100,20,chat\n11,50,5,\n12.25,7,1,code\n")
        let records = try readAll(path)
        #expect(records.map(\.timeSeconds) == [0, 0.5, 1.75])
        #expect(records.map(\.promptTokens) == [100, 50, 7])
        #expect(records.map(\.className) == ["chat", nil, "code"])
    }

    @Test(arguments: [
        ("time_s,prompt_tokens,output_tokens\n1,2,3\n2,3\n", 3, "expected 3 fields"),
        ("time_s,prompt_tokens,output_tokens\n1,2,3\nabc,3,4\n", 3, "time_s: expected a non-negative number"),
        ("time_s,prompt_tokens,output_tokens\n1,-2,3\n", 2, "prompt_tokens: expected a non-negative whole number"),
        ("time_s,prompt_tokens,output_tokens\n5,2,3\n4,2,3\n", 3, "time goes backwards"),
        ("time_s,prompt_tokens\n1,2\n", 1, "missing column output_tokens"),
        ("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.68,374,44\n2023-13-16 18:15:50,396,109\n", 3,
         "expected a timestamp like"),
        ("{\"timestamp\": 0, \"input_length\": 5, \"output_length\": 1}\n{\"timestamp\": 10, \"input_length\": 5}\n", 2,
         "missing or non-numeric \"output_length\""),
        ("{\"timestamp\": 0, \"input_length\": 5, \"output_length\": 1, \"hash_ids\": [0, x]}\n", 1,
         "\"hash_ids\": expected a list of integer block hashes"),
    ])
    func malformedRowsAreReportedWithTheirLine(_ text: String, _ line: Int, _ message: String) throws {
        let scratch = try ScratchFolder()
        let path = try scratch.write("bad.trace", text)
        let error = #expect(throws: TraceError.self) { _ = try readAll(path) }
        #expect(error?.file == path)
        #expect(error?.line == line, "\(error?.description ?? "")")
        #expect(error?.message.contains(message) == true, "\(error?.description ?? "")")
    }

    @Test func emptyAndMissingFilesAreErrors() throws {
        let scratch = try ScratchFolder()
        let empty = try scratch.write("empty.csv", "")
        #expect(throws: TraceError(file: empty, line: nil, message: "the file is empty; expected a header or a first record")) {
            _ = try TraceReader(path: empty)
        }
        #expect(throws: TraceError.self) { _ = try TraceReader(path: scratch.path("missing.csv")) }
    }
}
