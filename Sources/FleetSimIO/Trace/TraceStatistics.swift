import FleetSim
import Histogram

/// The numbers a planner checks first about a recorded trace, computed in one streaming pass.
public struct TraceStatistics: Sendable {
    public var rows = 0
    /// Seconds from the first request to the last.
    public var spanSeconds = 0.0
    /// Requests per second over the span.
    public var meanRate: Double { spanSeconds > 0 ? Double(rows) / spanSeconds : 0 }
    /// The busiest calendar minute (counted from the first request), and the mean over the span's minutes.
    public var peakPerMinute = 0
    public var meanPerMinute: Double { spanSeconds > 0 ? Double(rows) / (spanSeconds / 60) : Double(rows) }
    /// Coefficient of variation of the gaps between consecutive requests (1 for a Poisson process).
    public var interArrivalCV: Double?
    public var prompt: TokenSummary
    public var output: TokenSummary
    /// Prefix reuse, for a trace with prefix block hashes: what a cache that never evicts would serve.
    public var prefixReuse: PrefixReuse?

    /// How much of the trace's prompts repeat an earlier prompt's leading blocks.
    public struct PrefixReuse: Sendable, Equatable {
        public var blockTokens: Int
        public var blocks = 0
        /// Leading blocks an earlier request had already sent.
        public var reusedBlocks = 0
        /// The prompt tokens those blocks cover (a prompt's last block may be partial).
        public var reusedTokens = 0
        public var requestsReusing = 0
        public var promptTokens = 0
        public var tokenShare: Double { promptTokens > 0 ? Double(reusedTokens) / Double(promptTokens) : 0 }
    }

    /// Mean and percentiles of a token count.
    public struct TokenSummary: Sendable, Equatable {
        public var mean: Double?
        public var p50, p90, p99, max: Int?
    }

    /// Reads `reader` to its end.
    public static func compute(_ reader: TraceReader) throws -> TraceStatistics {
        var promptHistogram = Self.histogram()
        var outputHistogram = Self.histogram()
        var promptSum = 0.0, outputSum = 0.0
        var gapCount = 0, gapMean = 0.0, gapSquares = 0.0
        var previous: Double?
        var minute = 0, inMinute = 0, peak = 0
        var rows = 0, last = 0.0
        var prefixCache = PrefixCache(PrefixCacheSpec())
        var reuse = TraceStatistics.PrefixReuse(blockTokens: prefixCache.spec.blockTokens)
        while let record = try reader.next() {
            rows += 1
            if !record.prefixBlocks.isEmpty {
                let leading = prefixCache.lookUp(record.prefixBlocks)
                reuse.blocks += record.prefixBlocks.count
                reuse.reusedBlocks += leading
                reuse.reusedTokens += prefixCache.tokens(ofBlocks: leading, promptTokens: record.promptTokens)
                reuse.promptTokens += record.promptTokens
                if leading > 0 { reuse.requestsReusing += 1 }
            }
            last = record.timeSeconds
            _ = promptHistogram.record(UInt64(record.promptTokens))
            _ = outputHistogram.record(UInt64(record.outputTokens))
            promptSum += Double(record.promptTokens)
            outputSum += Double(record.outputTokens)
            if let previous {
                // Welford's running mean and sum of squared deviations.
                let gap = record.timeSeconds - previous
                gapCount += 1
                let delta = gap - gapMean
                gapMean += delta / Double(gapCount)
                gapSquares += delta * (gap - gapMean)
            }
            previous = record.timeSeconds
            let thisMinute = Int(record.timeSeconds / 60)
            if thisMinute != minute {
                minute = thisMinute
                inMinute = 0
            }
            inMinute += 1
            peak = Swift.max(peak, inMinute)
        }
        var stats = TraceStatistics(prompt: Self.summary(promptHistogram, sum: promptSum),
                                    output: Self.summary(outputHistogram, sum: outputSum))
        stats.rows = rows
        stats.spanSeconds = last
        stats.peakPerMinute = peak
        stats.prefixReuse = reuse.blocks > 0 ? reuse : nil
        if gapCount > 1, gapMean > 0 {
            stats.interArrivalCV = (gapSquares / Double(gapCount - 1)).squareRoot() / gapMean
        }
        return stats
    }

    private static func histogram() -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 1 << 20,
                                          numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        return histogram
    }

    private static func summary(_ histogram: Histogram<UInt64>, sum: Double) -> TokenSummary {
        guard histogram.totalCount > 0 else { return TokenSummary() }
        func at(_ p: Double) -> Int { Int(histogram.valueAtPercentile(p)) }
        return TokenSummary(mean: sum / Double(histogram.totalCount), p50: at(50), p90: at(90), p99: at(99),
                            max: Int(histogram.max))
    }
}
