import CGSL

/// The mean of independent observations with a Student-t confidence interval.
///
/// Used for replications (one observation per replication) and by the fidelity tests, whose tolerances are these
/// intervals rather than hand-picked margins.
public struct MeanEstimate: Sendable, Equatable {
    public let count: Int
    public let mean: Double
    public let standardDeviation: Double
    /// Half the width of the two-sided interval at `level`.
    public let halfWidth: Double
    public let level: Double

    public init(_ values: [Double], level: Double = 0.95) {
        GSL.configure()
        count = values.count
        self.level = level
        let mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
        self.mean = mean
        guard values.count > 1 else {
            standardDeviation = .nan
            halfWidth = .infinity
            return
        }
        let sd = values.withUnsafeBufferPointer { gsl_stats_sd_m($0.baseAddress, 1, $0.count, mean) }
        standardDeviation = sd
        halfWidth = StudentT.quantile((1 + level) / 2, degreesOfFreedom: Double(values.count - 1))
            * sd / Double(values.count).squareRoot()
    }

    public var lower: Double { mean - halfWidth }
    public var upper: Double { mean + halfWidth }

    /// Whether `value` lies inside the interval.
    public func covers(_ value: Double) -> Bool { value >= lower && value <= upper }
}

/// Quantiles of the distributions that confidence bounds need, from GSL's `gsl_cdf_*`.
public enum StudentT {
    public static func quantile(_ p: Double, degreesOfFreedom: Double) -> Double {
        gsl_cdf_tdist_Pinv(p, degreesOfFreedom)
    }
}

public enum ChiSquare {
    public static func quantile(_ p: Double, degreesOfFreedom: Double) -> Double {
        gsl_cdf_chisq_Pinv(p, degreesOfFreedom)
    }
}

public enum StandardNormal {
    public static func quantile(_ p: Double) -> Double { gsl_cdf_ugaussian_Pinv(p) }
}
