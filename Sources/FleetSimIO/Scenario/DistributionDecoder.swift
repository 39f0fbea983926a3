import FleetSimKernel

/// Reads a distribution: a bare quantity (a constant) or a one-key mapping naming the family.
///
/// ```yaml
/// time: 200ms                                   # constant
/// time: {exponential: {mean: 200ms}}
/// time: {lognormal: {median: 45s, sigma: 0.3}}  # or {mean: …, sd: …}
/// time: {uniform: [60s, 120s]}
/// outputTokens: {empirical: {file: lengths.csv, column: num_decode_tokens}}
/// ```
enum DistributionDecoder {
    /// What the values of the distribution measure, which decides how they are written.
    enum Unit {
        case duration
        case count
    }

    static let families = ["constant", "uniform", "exponential", "gamma", "lognormal", "normal", "weibull", "pareto", "empirical"]

    /// `baseDirectory` is where a relative `empirical.file` is found.
    static func decode(_ value: ScenarioValue, as unit: Unit, baseDirectory: String = ".") throws -> Distribution {
        guard case .mapping = value.node else {
            return .constant(try quantity(value, unit))
        }
        let fields = try value.mapping(allowed: families)
        let (family, parameters) = try fields.oneOf(families, "a distribution family")
        let distribution = try decode(family: family, parameters, unit, baseDirectory: baseDirectory)
        if let problem = distribution.problem {
            throw parameters.error(problem)
        }
        return distribution
    }

    private static func decode(
        family: String, _ value: ScenarioValue, _ unit: Unit, baseDirectory: String
    ) throws -> Distribution {
        switch family {
        case "constant":
            return .constant(try quantity(value, unit))
        case "uniform":
            if case .sequence = value.node {
                let bounds = try value.list()
                guard bounds.count == 2 else { throw value.expected("[lower, upper]") }
                return .uniform(lower: try quantity(bounds[0], unit), upper: try quantity(bounds[1], unit))
            }
            let fields = try value.mapping(allowed: ["min", "max"])
            return .uniform(lower: try quantity(try fields.required("min", "lower bound"), unit),
                            upper: try quantity(try fields.required("max", "upper bound"), unit))
        case "exponential":
            guard case .mapping = value.node else { return .exponential(mean: try quantity(value, unit)) }
            let fields = try value.mapping(allowed: ["mean"])
            return .exponential(mean: try quantity(try fields.required("mean", "the mean"), unit))
        case "gamma":
            let fields = try value.mapping(allowed: ["shape", "scale", "mean", "cv"])
            if try fields.form([["shape", "scale"], ["mean", "cv"]], "gamma parameters") == 1 {
                return .gamma(mean: try quantity(try fields.required("mean", "the mean"), unit),
                              cv: try positive(try fields.required("cv", "the coefficient of variation")))
            }
            return .gamma(shape: try positive(try fields.required("shape", "k")),
                          scale: try quantity(try fields.required("scale", "θ"), unit))
        case "lognormal":
            let fields = try value.mapping(allowed: ["median", "sigma", "mean", "sd", "mu"])
            let form = try fields.form([["median", "sigma"], ["mean", "sd"], ["mu", "sigma"]], "lognormal parameters")
            if form == 2, let muValue = fields["mu"] {
                // The log-scale location itself, as scenario.resolved.yaml writes it when the median would not
                // read back exactly.
                return .lognormal(mu: try muValue.number("a number", in: -700...700),
                                  sigma: try fields.required("sigma", "sd of the logarithm").number(in: 0...20))
            }
            if form == 0 {
                return .lognormal(median: try quantity(try fields.required("median", "the median"), unit),
                                  sigma: try fields.required("sigma", "sd of the logarithm").number(in: 0...20))
            }
            return .lognormal(mean: try quantity(try fields.required("mean", "the mean"), unit),
                              sd: try quantity(try fields.required("sd", "the standard deviation"), unit))
        case "normal":
            let fields = try value.mapping(allowed: ["mean", "sd"])
            return .normal(mean: try quantity(try fields.required("mean", "the mean"), unit),
                           sd: try quantity(try fields.required("sd", "the standard deviation"), unit),
                           truncatedAtZero: true)
        case "weibull", "pareto":
            let fields = try value.mapping(allowed: ["shape", "scale"])
            let shape = try positive(try fields.required("shape", "the shape"))
            let scale = try quantity(try fields.required("scale", "the scale"), unit)
            return family == "weibull" ? .weibull(shape: shape, scale: scale) : .pareto(shape: shape, scale: scale)
        default:
            let fields = try value.mapping(allowed: ["values", "file", "column"])
            if try fields.form([["values"], ["file", "column"]], "empirical values") == 1 {
                let fileValue = try fields.required("file", "a CSV file with a header")
                let path = try fileValue.existingFile(from: baseDirectory)
                let column = try fields.required("column", "the header of the column to resample").string()
                let values = try CSVColumn.read(path: path, column: column, unit: unit, keyPath: fileValue.path)
                return .empirical(EmpiricalValues(values, origin: .init(file: path, column: column)))
            }
            let items = try fields.required("values", "the observed values").list()
            return .empirical(EmpiricalValues(try items.map { try quantity($0, unit) }))
        }
    }

    private static func quantity(_ value: ScenarioValue, _ unit: Unit) throws -> Double {
        switch unit {
        case .duration: return try value.duration(in: 0...ScenarioDecoder.maxDurationSeconds)
        case .count: return try value.number("a non-negative count", in: 0...1e9)
        }
    }

    private static func positive(_ value: ScenarioValue) throws -> Double {
        try value.number("a positive number", in: 1e-9...1e9)
    }
}
