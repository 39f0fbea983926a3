/// How fast one replica of a model on one instance type turns tokens around: the numbers continuous and window
/// batching are computed from.
///
/// A prefill of P prompt tokens (all the prompts admitted at one step boundary together) takes
/// `prefillBaseSeconds + P / prefillTokensPerSecond`. A decode step with n running sequences takes `decodeStep(n)` and
/// gives each of them one token. A replica runs at most `maxConcurrency` sequences, and, when `kvTokenBudget` is set,
/// at most that many prompt + output tokens of them at once (each admitted request reserves its full length).
public struct PerformanceProfile: Sendable, Equatable {
    public var prefillTokensPerSecond: Double
    public var prefillBaseSeconds: Double
    public var decodeStep: DecodeStep
    public var maxConcurrency: Int
    public var kvTokenBudget: Int?
    /// Where the numbers come from, for the catalog listing and the resolved scenario.
    public var source: String?

    public init(
        prefillTokensPerSecond: Double, prefillBaseSeconds: Double = 0, decodeStep: DecodeStep, maxConcurrency: Int,
        kvTokenBudget: Int? = nil, source: String? = nil
    ) {
        self.prefillTokensPerSecond = prefillTokensPerSecond
        self.prefillBaseSeconds = prefillBaseSeconds
        self.decodeStep = decodeStep
        self.maxConcurrency = maxConcurrency
        self.kvTokenBudget = kvTokenBudget
        self.source = source
    }

    /// Seconds to prefill `tokens` prompt tokens in one go.
    @inlinable
    public func prefillSeconds(tokens: Int) -> Double {
        prefillBaseSeconds + Double(tokens) / prefillTokensPerSecond
    }

    /// Decoded tokens per second of a replica kept full: `maxConcurrency / decodeStep(maxConcurrency)`, the ceiling
    /// on output throughput when prefill is negligible.
    public var saturatedDecodeTokensPerSecond: Double {
        Double(maxConcurrency) / decodeStep.seconds(sequences: maxConcurrency)
    }

    /// What is wrong with the numbers, or nil.
    public var problem: String? {
        guard prefillTokensPerSecond.isFinite, prefillTokensPerSecond > 0 else {
            return "prefillTokensPerSecond must be positive, found \(prefillTokensPerSecond)"
        }
        guard prefillBaseSeconds.isFinite, prefillBaseSeconds >= 0 else {
            return "prefill base time must be non-negative, found \(prefillBaseSeconds)"
        }
        guard maxConcurrency >= 1 else { return "maxConcurrency must be at least 1, found \(maxConcurrency)" }
        if let budget = kvTokenBudget, budget < 1 { return "kvTokens must be at least 1, found \(budget)" }
        return decodeStep.problem
    }
}

/// Decode step time as a function of the number of sequences in the batch.
public enum DecodeStep: Sendable, Equatable {
    /// `base + perSequence × n`.
    case linear(baseSeconds: Double, perSequenceSeconds: Double)
    /// Measured points (sequences ascending, at least two), interpolated linearly between them and extended along
    /// the nearest segment outside them.
    case table(sequences: [Int], seconds: [Double])

    /// The step time with `n` (≥ 1) running sequences.
    @inlinable
    public func seconds(sequences n: Int) -> Double {
        switch self {
        case .linear(let base, let perSequence):
            return base + perSequence * Double(n)
        case .table(let counts, let times):
            var upper = 1
            while upper < counts.count - 1 && counts[upper] < n { upper += 1 }
            let lower = upper - 1
            let fraction = Double(n - counts[lower]) / Double(counts[upper] - counts[lower])
            return max(times[lower] + (times[upper] - times[lower]) * fraction, .leastNonzeroMagnitude)
        }
    }

    var problem: String? {
        switch self {
        case .linear(let base, let perSequence):
            guard base.isFinite, perSequence.isFinite, base >= 0, perSequence >= 0, base + perSequence > 0 else {
                return "decode step base and perSequence must be non-negative and not both 0"
            }
            return nil
        case .table(let counts, let times):
            guard counts.count == times.count, counts.count >= 2 else { return "a decode step table needs two or more points" }
            guard counts.first! >= 1, zip(counts, counts.dropFirst()).allSatisfy({ $0 < $1 }) else {
                return "decode step table sequence counts must be at least 1 and increasing"
            }
            guard times.allSatisfy({ $0.isFinite && $0 > 0 }) else { return "decode step times must be positive" }
            return nil
        }
    }
}
