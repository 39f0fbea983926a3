import FleetSimKernel
import Foundation
import Testing

/// Each distribution family samples what its parameters say: sample means agree with `mean`, and, where the
/// quantile function is known in closed form, the samples fall evenly into the ten deciles.
@Suite struct DistributionTests {
    struct Family: Sendable, CustomTestStringConvertible {
        let distribution: Distribution
        /// The quantile function, where it has a closed form (for the goodness-of-fit test).
        let quantile: (@Sendable (Double) -> Double)?
        let testDescription: String
    }

    static let families: [Family] = [
        Family(distribution: .uniform(lower: 1, upper: 3), quantile: { 1 + 2 * $0 }, testDescription: "uniform(1, 3)"),
        Family(distribution: .exponential(mean: 2), quantile: { -2 * log(1 - $0) }, testDescription: "exponential(2)"),
        Family(distribution: .gamma(shape: 2.5, scale: 0.4), quantile: nil, testDescription: "gamma(2.5, 0.4)"),
        Family(distribution: .gamma(mean: 1.5, cv: 0.5), quantile: nil, testDescription: "gamma(mean 1.5, cv 0.5)"),
        Family(
            distribution: .lognormal(mu: 0.3, sigma: 0.6),
            quantile: { exp(0.3 + 0.6 * StandardNormal.quantile($0)) }, testDescription: "lognormal(0.3, 0.6)"),
        Family(
            distribution: .lognormal(median: 0.2, sigma: 0.5),
            quantile: { 0.2 * exp(0.5 * StandardNormal.quantile($0)) }, testDescription: "lognormal(median 0.2, 0.5)"),
        Family(distribution: .lognormal(mean: 2, sd: 1), quantile: nil, testDescription: "lognormal(mean 2, sd 1)"),
        Family(
            distribution: .normal(mean: 5, sd: 1, truncatedAtZero: false),
            quantile: { 5 + StandardNormal.quantile($0) }, testDescription: "normal(5, 1)"),
        Family(
            distribution: .normal(mean: 0.5, sd: 1, truncatedAtZero: true), quantile: nil,
            testDescription: "normal(0.5, 1) truncated at 0"),
        Family(
            distribution: .normal(mean: -1, sd: 0.5, truncatedAtZero: true), quantile: nil,
            testDescription: "normal(−1, 0.5) truncated at 0"),
        Family(
            distribution: .weibull(shape: 1.5, scale: 2), quantile: { 2 * pow(-log(1 - $0), 1 / 1.5) },
            testDescription: "weibull(1.5, 2)"),
        Family(
            distribution: .pareto(shape: 5, scale: 1), quantile: { pow(1 - $0, -1 / 5) },
            testDescription: "pareto(5, 1)"),
        Family(
            distribution: .empirical(EmpiricalValues([0.1, 0.4, 0.4, 2, 7.5])), quantile: nil,
            testDescription: "empirical"),
    ]

    /// The mean of 200,000 draws is within its 99.9 % Student-t interval of `mean`. (Pareto uses shape 5 so that
    /// the variance is finite and the interval's normal approximation holds.)
    @Test(arguments: families)
    func sampleMeanMatchesTheFamilysMean(_ family: Family) throws {
        let mean = try #require(family.distribution.mean)
        #expect(family.distribution.problem == nil)
        let stream = RandomStream(seed: 17, source: "test.\(family.testDescription)")
        let samples = (0..<200_000).map { _ in family.distribution.sample(stream) }
        #expect(samples.allSatisfy { $0 >= 0 && $0.isFinite })
        let estimate = MeanEstimate(samples, level: 0.999)
        #expect(estimate.covers(mean), "mean \(estimate.mean) ± \(estimate.halfWidth), expected \(mean)")
    }

    /// 100,000 draws in the ten bins between the family's deciles: Pearson's χ² with 9 degrees of freedom (no
    /// parameter fitted) stays below its 99.9 % quantile. This sees shape errors a mean cannot, such as swapped
    /// parameters or a wrong variance.
    @Test(arguments: families.filter { $0.quantile != nil })
    func samplesFallEvenlyIntoTheDeciles(_ family: Family) throws {
        let quantile = try #require(family.quantile)
        let edges = (1..<10).map { quantile(Double($0) / 10) }
        let stream = RandomStream(seed: 19, source: "test.\(family.testDescription)")
        var cells = [Double](repeating: 0, count: 10)
        for _ in 0..<100_000 {
            let x = family.distribution.sample(stream)
            cells[edges.firstIndex { x < $0 } ?? 9] += 1
        }
        let statistic = cells.reduce(0) { $0 + ($1 - 10_000) * ($1 - 10_000) / 10_000 }
        #expect(statistic <= ChiSquare.quantile(0.999, degreesOfFreedom: 9), "χ² = \(statistic), cells \(cells)")
    }

    @Test func constantAlwaysGivesItsValue() {
        let stream = RandomStream(seed: 1, source: "test.constant")
        #expect((0..<100).allSatisfy { _ in Distribution.constant(0.3).sample(stream) == 0.3 })
        #expect(Distribution.constant(0.3).mean == 0.3)
    }

    @Test func convenienceConstructorsKeepTheirMoments() throws {
        let lognormal = Distribution.lognormal(mean: 2, sd: 1)
        #expect(abs(try #require(lognormal.mean) - 2) < 1e-12)
        guard case .lognormal(let mu, let sigma) = lognormal else { Issue.record("not a lognormal"); return }
        // Variance of a lognormal: (e^{σ²} − 1)·e^{2μ+σ²}.
        #expect(abs((exp(sigma * sigma) - 1) * exp(2 * mu + sigma * sigma) - 1) < 1e-12)
        #expect(abs(try #require(Distribution.lognormal(median: 0.2, sigma: 0.5).mean) - 0.2 * exp(0.125)) < 1e-12)
        #expect(try #require(Distribution.gamma(mean: 1.5, cv: 0.5).mean) == 1.5)
        #expect(Distribution.pareto(shape: 1, scale: 1).mean == nil)  // infinite mean
        #expect(EmpiricalValues([3, 1, 2]).quantile(0.5) == 2)
    }

    @Test func problemFlagsInvalidParameters() {
        let bad: [Distribution] = [
            .constant(-1), .constant(.nan), .uniform(lower: 3, upper: 1), .uniform(lower: -1, upper: 1),
            .exponential(mean: 0), .exponential(mean: .infinity), .gamma(shape: 0, scale: 1), .gamma(shape: 1, scale: -1),
            .lognormal(median: 0, sigma: 1), .lognormal(mu: 0, sigma: -0.1), .normal(mean: 1, sd: 0, truncatedAtZero: false),
            .normal(mean: .nan, sd: 1, truncatedAtZero: false), .normal(mean: -9, sd: 1, truncatedAtZero: true),
            .weibull(shape: -1, scale: 1), .pareto(shape: 2, scale: 0), .empirical(EmpiricalValues([])),
            .empirical(EmpiricalValues([1, -2])), .empirical(EmpiricalValues([1, .infinity])),
        ]
        for distribution in bad {
            #expect(distribution.problem != nil, "\(distribution) accepted")
        }
        let good: [Distribution] = [
            .constant(0), .uniform(lower: 0, upper: 0), .exponential(mean: 1e-6), .lognormal(mu: -3, sigma: 0),
            .normal(mean: -2, sd: 1, truncatedAtZero: true), .normal(mean: -7, sd: 1, truncatedAtZero: false),
            .pareto(shape: 0.5, scale: 1), .empirical(EmpiricalValues([0])),
        ] + Self.families.map(\.distribution)
        for distribution in good {
            #expect(distribution.problem == nil, "\(distribution): \(distribution.problem ?? "")")
        }
    }
}
