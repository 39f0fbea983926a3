import FleetSimIO
import Testing

/// A paired difference is starred only beyond what the metric can resolve: percentiles come from histograms whose
/// buckets are up to 1/1,024 of the value wide, so a constant one-bucket difference with an interval of width 0 is
/// rounding, not a finding.
@Suite struct SignificanceTests {
    @Test func aOneBucketPercentileDifferenceIsNotSignificant() {
        // 10 s: buckets up to 9.8 ms wide.
        #expect(!Headline.significant("e2e_p99_s", interval: (0.0078, 0.0078), base: 10))
        #expect(!Headline.significant("ttft_p99_s", interval: (-0.009, -0.009), base: 10))
        #expect(Headline.significant("e2e_p99_s", interval: (0.02, 0.03), base: 10))
        #expect(Headline.significant("e2e_p99_s", interval: (-0.5, -0.2), base: 10))
    }

    @Test func exactMetricsNeedOnlyExcludeZero() {
        #expect(Headline.significant("cost_total_usd", interval: (0.001, 0.002), base: 400))
        #expect(!Headline.significant("cost_total_usd", interval: (-0.001, 0.002), base: 400))
        #expect(!Headline.significant("cost_total_usd", interval: nil, base: 400))
    }
}
