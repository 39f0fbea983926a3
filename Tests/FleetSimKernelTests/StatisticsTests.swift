import FleetSimKernel
import Testing

/// The interval estimates every fidelity test leans on: right quantiles, right formula, right coverage.
@Suite struct StatisticsTests {
    /// Quantiles against printed tables (Abramowitz & Stegun, tables 26.1, 26.8, 26.10).
    @Test func quantilesMatchTables() {
        #expect(abs(StandardNormal.quantile(0.975) - 1.959964) < 1e-6)
        #expect(abs(StandardNormal.quantile(0.9995) - 3.290527) < 1e-6)
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 4) - 2.776445) < 1e-6)
        #expect(abs(StudentT.quantile(0.9995, degreesOfFreedom: 24) - 3.745398) < 1e-6)
        #expect(abs(ChiSquare.quantile(0.95, degreesOfFreedom: 1) - 3.841459) < 1e-6)
        #expect(abs(ChiSquare.quantile(0.999, degreesOfFreedom: 9) - 27.877165) < 1e-6)
    }

    @Test func meanEstimateOfKnownValues() {
        let estimate = MeanEstimate([1, 2, 3, 4, 5], level: 0.95)
        #expect(estimate.count == 5 && estimate.mean == 3)
        #expect(abs(estimate.standardDeviation - 2.5.squareRoot()) < 1e-12)
        #expect(abs(estimate.halfWidth - 2.776445 * 2.5.squareRoot() / 5.0.squareRoot()) < 1e-5)
        #expect(estimate.covers(4.9) && !estimate.covers(5))
        #expect(MeanEstimate([2]).halfWidth == .infinity)
        #expect(MeanEstimate([]).mean.isNaN)
    }

    /// 95 % intervals from 10 normal draws each cover the true mean in 95 % of 4,000 independent trials; the observed
    /// share must be within the binomial 99.9 % bound 0.95 ± 3.29·√(0.95·0.05/4000) ≈ ± 0.011.
    @Test func studentIntervalsHaveTheirNominalCoverage() {
        let stream = RandomStream(seed: 23, source: "test.coverage")
        let normal = Distribution.normal(mean: 10, sd: 3, truncatedAtZero: false)
        let trials = 4_000
        var covered = 0
        for _ in 0..<trials {
            if MeanEstimate((0..<10).map { _ in normal.sample(stream) }, level: 0.95).covers(10) { covered += 1 }
        }
        let share = Double(covered) / Double(trials)
        let bound = StandardNormal.quantile(0.9995) * (0.95 * 0.05 / Double(trials)).squareRoot()
        #expect(abs(share - 0.95) <= bound, "coverage \(share)")
    }
}
