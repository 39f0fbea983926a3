import CGSL
import Foundation

/// A probability distribution of a non-negative quantity (a duration in seconds, a token count, a multiplier),
/// sampled with GSL.
///
/// ```swift
/// let service = Distribution.lognormal(median: 0.2, sigma: 0.5)
/// let seconds = service.sample(stream)
/// ```
///
/// Parameters are checked by `problem`, which the scenario decoder calls so that a bad value is reported with its
/// file and key path before anything runs; `sample` assumes a valid distribution.
public enum Distribution: Sendable, Equatable {
    /// Always the same value.
    case constant(Double)
    /// Uniform on [lower, upper].
    case uniform(lower: Double, upper: Double)
    /// Exponential with the given mean.
    case exponential(mean: Double)
    /// Gamma with shape k and scale θ (mean kθ).
    case gamma(shape: Double, scale: Double)
    /// exp(N(mu, sigma²)); see `lognormal(median:sigma:)` and `lognormal(mean:sd:)`.
    case lognormal(mu: Double, sigma: Double)
    /// Normal, redrawn from the tail above 0 when `truncatedAtZero` (for quantities that cannot be negative).
    case normal(mean: Double, sd: Double, truncatedAtZero: Bool)
    /// Weibull with shape k and scale λ.
    case weibull(shape: Double, scale: Double)
    /// Pareto (type I) with shape α and scale (minimum) x_m.
    case pareto(shape: Double, scale: Double)
    /// Resampling of observed values, each equally likely.
    case empirical(EmpiricalValues)

    /// A lognormal given its median and the standard deviation of its logarithm.
    public static func lognormal(median: Double, sigma: Double) -> Distribution {
        .lognormal(mu: median > 0 ? log(median) : -.infinity, sigma: sigma)
    }

    /// A lognormal given its own mean and standard deviation (moment matching).
    public static func lognormal(mean: Double, sd: Double) -> Distribution {
        let sigma2 = log(1 + (sd * sd) / (mean * mean))
        return .lognormal(mu: log(mean) - sigma2 / 2, sigma: sigma2.squareRoot())
    }

    /// A gamma given its mean and coefficient of variation (shape 1/cv², scale mean·cv²).
    public static func gamma(mean: Double, cv: Double) -> Distribution {
        .gamma(shape: 1 / (cv * cv), scale: mean * cv * cv)
    }
}

/// The observed values behind an empirical distribution, kept sorted so quantiles can be read off.
public struct EmpiricalValues: Sendable, Equatable {
    /// The column of a CSV file the values were read from, so a resolved scenario can name the file instead of
    /// repeating thousands of values.
    public struct Origin: Sendable, Equatable {
        public var file: String
        public var column: String

        public init(file: String, column: String) {
            self.file = file
            self.column = column
        }
    }

    public let sorted: [Double]
    public let origin: Origin?

    public init(_ values: [Double], origin: Origin? = nil) {
        sorted = values.sorted()
        self.origin = origin
    }

    /// The q-quantile (0…1) by linear interpolation between order statistics.
    public func quantile(_ q: Double) -> Double {
        sorted.withUnsafeBufferPointer { buffer in
            gsl_stats_quantile_from_sorted_data(buffer.baseAddress, 1, buffer.count, q)
        }
    }
}

extension Distribution {
    /// Draws one value.
    @inlinable
    public func sample(_ stream: RandomStream) -> Double {
        let rng = stream.generator
        switch self {
        case .constant(let value):
            return value
        case .uniform(let lower, let upper):
            return gsl_ran_flat(rng, lower, upper)
        case .exponential(let mean):
            return gsl_ran_exponential(rng, mean)
        case .gamma(let shape, let scale):
            return gsl_ran_gamma(rng, shape, scale)
        case .lognormal(let mu, let sigma):
            // exp(mu + sigma·Z) with the ziggurat normal: exact, and about 3× faster than gsl_ran_lognormal's polar
            // Box–Muller.
            return exp(mu + sigma * gsl_ran_gaussian_ziggurat(rng, 1))
        case .normal(let mean, let sd, let truncated):
            if truncated {
                // Truncation at zero by rejection: exact, and quick while the mean is not far below zero (the
                // scenario decoder requires mean ≥ 0, so at least half of the draws are kept).
                while true {
                    let x = mean + gsl_ran_gaussian_ziggurat(rng, sd)
                    if x >= 0 { return x }
                }
            }
            return mean + gsl_ran_gaussian_ziggurat(rng, sd)
        case .weibull(let shape, let scale):
            return gsl_ran_weibull(rng, scale, shape)
        case .pareto(let shape, let scale):
            return gsl_ran_pareto(rng, shape, scale)
        case .empirical(let values):
            return values.sorted[stream.index(below: values.sorted.count)]
        }
    }

    /// The mean, or nil where it is infinite (Pareto with shape ≤ 1) or the truncation makes it a longer formula.
    public var mean: Double? {
        switch self {
        case .constant(let value): return value
        case .uniform(let lower, let upper): return (lower + upper) / 2
        case .exponential(let mean): return mean
        case .gamma(let shape, let scale): return shape * scale
        case .lognormal(let mu, let sigma): return exp(mu + sigma * sigma / 2)
        case .normal(let mean, let sd, let truncated):
            guard truncated else { return mean }
            // Mean of N(mean, sd²) truncated below at 0: mean + sd·φ(α)/(1 − Φ(α)), α = −mean/sd.
            let alpha = -mean / sd
            return mean + sd * gsl_ran_ugaussian_pdf(alpha) / gsl_cdf_ugaussian_Q(alpha)
        case .weibull(let shape, let scale): return scale * tgamma(1 + 1 / shape)
        case .pareto(let shape, let scale): return shape > 1 ? shape * scale / (shape - 1) : nil
        case .empirical(let values):
            return values.sorted.isEmpty ? nil : values.sorted.reduce(0, +) / Double(values.sorted.count)
        }
    }

    /// What is wrong with the parameters, in words a scenario author can act on; nil when they are valid.
    public var problem: String? {
        func positive(_ value: Double, _ name: String) -> String? {
            value.isFinite && value > 0 ? nil : "\(name) must be a positive finite number, found \(value)"
        }
        func nonNegative(_ value: Double, _ name: String) -> String? {
            value.isFinite && value >= 0 ? nil : "\(name) must be a non-negative finite number, found \(value)"
        }
        switch self {
        case .constant(let value):
            return nonNegative(value, "value")
        case .uniform(let lower, let upper):
            if let problem = nonNegative(lower, "lower bound") ?? nonNegative(upper, "upper bound") { return problem }
            return lower <= upper ? nil : "lower bound \(lower) is above upper bound \(upper)"
        case .exponential(let mean):
            return positive(mean, "mean")
        case .gamma(let shape, let scale), .weibull(let shape, let scale), .pareto(let shape, let scale):
            return positive(shape, "shape") ?? positive(scale, "scale")
        case .lognormal(let mu, let sigma):
            return mu.isFinite ? nonNegative(sigma, "sigma") : "median or mean must be a positive finite number"
        case .normal(let mean, let sd, let truncated):
            if let problem = positive(sd, "sd") { return problem }
            guard mean.isFinite else { return "mean must be finite, found \(mean)" }
            if truncated && mean < -3 * sd {
                return "mean \(mean) is more than 3 sd below 0: rejection sampling of the truncated normal would be slow"
            }
            return nil
        case .empirical(let values):
            if values.sorted.isEmpty { return "no values" }
            if let bad = values.sorted.first(where: { !$0.isFinite || $0 < 0 }) {
                return "values must be non-negative finite numbers, found \(bad)"
            }
            return nil
        }
    }
}
