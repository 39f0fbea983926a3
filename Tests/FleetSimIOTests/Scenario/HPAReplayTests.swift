import FleetSim
import FleetSimIO
import Foundation
import Testing

/// `fleetsim hpa replay`: the worked examples of docs/autoscaling.md, derived there by hand, and the load file's
/// mistakes.
@Suite struct HPAReplayTests {
    static func replay(_ manifest: String, _ load: String, replicas: Int? = nil) throws -> [HPAReplay.Row] {
        let spec = try HPAReplayInput.spec(manifest: ManifestTests.manifestPath(manifest), target: nil)
        let points = try HPAReplayInput.load(path: ManifestTests.manifestPath("loads/\(load)"), metrics: spec.metrics.map(\.metric))
        return HPAReplay.run(spec: spec, load: points, initialReplicas: replicas ?? spec.minReplicas, syncSeconds: 15)
    }

    /// The replica count after each sync, expanded from (time it takes effect, count) steps.
    static func counts(_ steps: [(Double, Int)], through end: Double) -> [Int] {
        stride(from: 0.0, through: end, by: 15).map { time in steps.last { $0.0 <= time }!.1 }
    }

    /// CPU at 60 % without `behavior` (the legacy rule): at 30 s one pod at 300 % recommends 5, limited to
    /// max(2 × 1, 4) = 4; at 45 s four pods at 75 % recommend 5; at 150 s five pods at 18 % recommend 2, held by
    /// the 5-minute downscale window until the last 5 (recommended at 135 s) is older than 300 s: 450 s.
    @Test func legacyCPU() throws {
        let rows = try Self.replay("list.yaml", "cpu-step.csv")
        #expect(rows.map(\.replicasAfter) == Self.counts([(0, 1), (30, 4), (45, 5), (450, 2)], through: 600))
        #expect(rows.map(\.recommendation) == Self.counts([(0, 1), (30, 5), (150, 2)], through: 600))
        #expect(rows.map(\.replicasBefore) == [1] + rows.dropLast().map(\.replicasAfter))
    }

    /// DCGM GPU utilization, External AverageValue 70, the guide's behavior. At 60 s 400 over 2 pods recommends
    /// ⌈400/70⌉ = 6, but the 60 s scale-up window keeps the smallest recommendation newer than 60 s (2) until 105 s;
    /// then +2 pods per 60 s: 4 at 105 s, 6 at 165 s (the +2 of 105 s leaves the period). At 360 s 100 recommends 2;
    /// the 300 s window holds 6 until the last 6 (at 345 s) is older than 300 s: 645 s; then −1 pod per 120 s.
    @Test func dcgmBurst() throws {
        let rows = try Self.replay("llm-serving-dcgm.yaml", "gpu-burst.csv")
        #expect(rows.map(\.replicasAfter) == Self.counts([(0, 2), (105, 4), (165, 6), (645, 5), (765, 4), (885, 3)], through: 900))
        #expect(rows.map(\.recommendation) == Self.counts([(0, 2), (60, 6), (360, 2)], through: 900))
    }

    /// Started above maxReplicas, the first sync jumps to the bound without a recommendation.
    @Test func outsideTheBoundsJumpsToThem() throws {
        let rows = try Self.replay("list.yaml", "cpu-step.csv", replicas: 15)
        #expect(rows[0].replicasAfter == 10 && rows[0].recommendation == nil)
        #expect(rows[0].basis.contains("above maxReplicas"))
    }

    @Test(arguments: [
        ("time_s,total\n5,1\n", 2, "the load must start at 0"),
        ("time_s,total\n0,1\n30,2\n30,3\n", 4, "expected a time after 30"),
        ("time_s,total\n0,1\n15,lots\n", 3, "total: expected a total from 0 to 1e12"),
        ("time_s,load\n0,1\n", 1, "column \"load\""),
        ("seconds,total\n0,1\n", 1, "expected the header time_s,total"),
        ("time_s,total\n0,1,2\n", 2, "expected 2 fields, found 3"),
    ])
    func loadMistakesNameTheLine(_ text: String, _ line: Int, _ message: String) throws {
        let scratch = try ScratchFolder()
        let path = try scratch.write("load.csv", text)
        let error = #expect(throws: ScenarioError.self) { _ = try HPAReplayInput.load(path: path, metrics: [.utilization]) }
        #expect(error?.file == path && error?.line == line, "\(error?.description ?? "")")
        #expect(error?.message.contains(message) == true, "\(error?.description ?? "")")
    }

    /// Several metrics: a column each, the largest recommendation wins.
    @Test func aColumnPerMetric() throws {
        var spec = HPASpec(minReplicas: 1, maxReplicas: 20, metrics: [MetricTarget(.utilization, target: 0.5),
                                                                      MetricTarget(.totalQueueLength, target: 10)])
        spec.behavior = nil
        let scratch = try ScratchFolder()
        let path = try scratch.write("load.csv", "time_s,utilization,totalQueueLength\n0,1,0\n15,1,80\n")
        let points = try HPAReplayInput.load(path: path, metrics: spec.metrics.map(\.metric))
        let rows = HPAReplay.run(spec: spec, load: points, initialReplicas: 2, syncSeconds: 15)
        // 0 s: 2 pods at 50 % recommend 2 (queue 0 → 0); 15 s: the queue's ⌈80/10⌉ = 8 wins, limited to 4.
        #expect(rows.map(\.recommendation) == [2, 8] && rows.map(\.replicasAfter) == [2, 4])
    }
}
