import FleetSim
import FleetSimKernel
import Foundation
import Testing

/// Streaming latency summaries: the count, mean and maximum are exact, and each percentile is the exact order
/// statistic up to the histogram's bucket width — 1/1024 of the value at three significant digits (run totals),
/// 1/128 at two (timeline windows) — plus half a microsecond of rounding.
@Suite struct LatencyStatsTests {
    static let samples: [Double] = {
        let stream = RandomStream(seed: 29, source: "test.latency")
        let lognormal = Distribution.lognormal(median: 0.3, sigma: 1.2)
        return (0..<100_000).map { _ in lognormal.sample(stream) }
    }()

    @Test(arguments: [(LatencyStats.Resolution.run, 1.0 / 1_024), (.window, 1.0 / 128)])
    func percentilesAreOrderStatisticsWithinTheBucketWidth(_ resolution: LatencyStats.Resolution, _ width: Double) {
        var stats = LatencyStats(resolution)
        for x in Self.samples { stats.record(x) }
        let sorted = Self.samples.sorted()
        #expect(stats.count == sorted.count)
        #expect(abs((stats.mean ?? 0) - sorted.reduce(0, +) / Double(sorted.count)) < 1e-12 * Double(sorted.count))
        #expect(stats.summary.max == sorted.last)
        for p in [1, 10, 50, 90, 95, 99, 99.9, 99.99] {
            // HdrHistogram's rule: the ⌈p·n/100⌉-th smallest value.
            let exact = sorted[Int((p * Double(sorted.count) / 100).rounded(.up)) - 1]
            let reported = stats.percentile(p) ?? .nan
            #expect(reported >= exact - 0.5e-6 && reported <= exact * (1 + width) + 1e-6,
                    "p\(p): \(reported) vs exact \(exact)")
        }
        #expect(stats.percentile(100) == sorted.last)
    }

    /// Two halves merged summarise like the whole.
    @Test func mergedHalvesSummariseLikeTheWhole() {
        var whole = LatencyStats(), first = LatencyStats(), second = LatencyStats()
        for (index, x) in Self.samples.enumerated() {
            whole.record(x)
            if index % 2 == 0 { first.record(x) } else { second.record(x) }
        }
        first.merge(second)
        #expect(first.count == whole.count && first.summary.p99 == whole.summary.p99)
        #expect(first.summary.p50 == whole.summary.p50 && first.summary.max == whole.summary.max)
        #expect(abs((first.mean ?? 0) - (whole.mean ?? 0)) < 1e-12)
        var empty = LatencyStats()
        #expect(empty.summary.mean == nil && empty.summary.p99 == nil)
        empty.record(2)
        empty.reset()
        #expect(empty.count == 0 && empty.percentile(50) == nil)
    }
}
