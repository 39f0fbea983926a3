import Histogram

/// A streaming summary of a latency: exact count, mean and maximum, and percentiles from an HdrHistogram.
///
/// Values are recorded in microseconds. Run-wide statistics keep three significant digits, so a reported percentile
/// is within 0.1 % of the exact order statistic (Tene, HdrHistogram); per-window statistics keep two (within 1 %,
/// far below the sampling noise of a percentile over one window's requests), which keeps the histogram small enough
/// to read and clear at every window boundary. Memory is fixed whatever the number of requests.
public struct LatencyStats: Sendable {
    public enum Resolution: Sendable {
        /// Three significant digits, for whole-run summaries.
        case run
        /// Two significant digits, for timeline windows.
        case window
    }

    var histogram: Histogram<UInt64>
    /// Values of exactly 0 (a request served at once waits 0 s, most of them on a fleet with room), counted here
    /// rather than in the histogram: they are its first bucket, so percentiles read them first.
    private var zeros: UInt64 = 0
    public private(set) var count = 0
    public private(set) var sumSeconds = 0.0
    public private(set) var maxSeconds = 0.0
    /// Whether values were recorded in units (the analytic engine); such a histogram is read without its iterator,
    /// whose running sum of count × value overflows 64 bits beyond about 10¹³ requests-seconds.
    private var weighted = false

    public init(_ resolution: Resolution = .run) {
        // Sized for one minute (window) or one hour (run) at microsecond resolution; it grows itself for longer values.
        switch resolution {
        case .run:
            histogram = Histogram(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000,
                                  numberOfSignificantValueDigits: .three)
        case .window:
            histogram = Histogram(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000,
                                  numberOfSignificantValueDigits: .two)
        }
        histogram.autoResize = true
    }

    public mutating func record(_ seconds: Double) {
        count += 1
        if seconds == 0 {
            zeros += 1
            return
        }
        sumSeconds += seconds
        if seconds > maxSeconds { maxSeconds = seconds }
        _ = histogram.record(Self.microseconds(seconds))
    }

    /// The analytic engine's recording (Recorder+Analytic.swift): requests counted, then their weight in units.
    mutating func addCount(_ requests: Int) {
        count += requests
    }

    mutating func addUnits(_ seconds: Double, units: UInt64) {
        guard units > 0 else { return }
        weighted = true
        if seconds == 0 {
            zeros += units
            return
        }
        sumSeconds += seconds * Double(units) / Double(Self.unitsPerRequest)
        if seconds > maxSeconds { maxSeconds = seconds }
        _ = histogram.record(Self.microseconds(seconds), count: units)
    }

    /// Seconds as whole microseconds, rounded half away from zero as `rounded()` does, without its call into libm
    /// (the fraction of a non-negative number below 2⁵³ is exact).
    @inline(__always)
    static func microseconds(_ seconds: Double) -> UInt64 {
        let value = seconds * 1e6
        guard value >= 0, value < 9e15 else { return UInt64(value.rounded()) }
        let whole = UInt64(value)
        return value - Double(whole) >= 0.5 ? whole + 1 : whole
    }

    public mutating func reset() {
        if count == 0 { return }
        histogram.reset()
        zeros = 0
        count = 0
        sumSeconds = 0
        maxSeconds = 0
    }

    public mutating func merge(_ other: LatencyStats) {
        guard other.count > 0 else { return }
        histogram.add(other.histogram)
        zeros += other.zeros
        weighted = weighted || other.weighted
        count += other.count
        sumSeconds += other.sumSeconds
        maxSeconds = max(maxSeconds, other.maxSeconds)
    }

    /// Bytes the statistic holds (its histogram's counts, mostly).
    public var footprintBytes: Int { histogram.estimatedFootprintInBytes + MemoryLayout<Self>.size }

    /// The mean, nil when nothing was recorded.
    public var mean: Double? { count > 0 ? sumSeconds / Double(count) : nil }

    /// The value at `percentile` (0–100) in seconds, nil when nothing was recorded.
    public func percentile(_ percentile: Double) -> Double? {
        percentiles([percentile])[0]
    }

    /// Several percentiles (each 0–100, ascending) in one pass over the histogram.
    ///
    /// Follows HdrHistogram's `valueAtPercentile`: the highest value equivalent to the smallest recorded value whose
    /// cumulative count reaches ⌈p·n⌉, capped at the exact maximum.
    public func percentiles(_ levels: [Double]) -> [Double?] {
        guard count > 0 else { return levels.map { _ in nil } }
        if weighted { return weightedPercentiles(levels) }
        let total = Double(histogram.totalCount + zeros)
        var results = [Double?](repeating: nil, count: levels.count)
        var next = 0
        var cumulative = zeros
        // The zeros are the bucket of value 0, which comes first; a histogram bucket at 0 (values under half a
        // microsecond) continues it.
        while zeros > 0, next < levels.count {
            let level = min(max(levels[next].nextDown, 0), 100)
            guard cumulative >= max(1, UInt64((level * total / 100).rounded(.up))) else { break }
            results[next] = 0
            next += 1
        }
        for bucket in histogram.recordedValues() where next < levels.count {
            cumulative += bucket.count
            while next < levels.count {
                let level = min(max(levels[next].nextDown, 0), 100)
                let needed = max(1, UInt64((level * total / 100).rounded(.up)))
                guard cumulative >= needed else { break }
                results[next] = min(Double(bucket.value) / 1e6, maxSeconds)
                next += 1
            }
            if next == levels.count { break }
        }
        for index in next..<levels.count {
            results[index] = maxSeconds
        }
        return results
    }

    /// The same reading as `percentiles`, through `valueAtPercentile`, which sums counts only: the count needed is
    /// found as above, less the zeros, and asked for half a unit short so that its rounding up lands on it exactly.
    private func weightedPercentiles(_ levels: [Double]) -> [Double?] {
        let recorded = histogram.totalCount
        let total = Double(recorded + zeros)
        return levels.map { level in
            let clamped = min(max(level.nextDown, 0), 100)
            let needed = max(1, UInt64((clamped * total / 100).rounded(.up)))
            guard needed > zeros, recorded > 0 else { return 0 }
            let within = min(needed - zeros, recorded)
            let percentile = 100 * (Double(within) - 0.5) / Double(recorded)
            return min(Double(histogram.valueAtPercentile(percentile)) / 1e6, maxSeconds)
        }
    }

    /// The summary block written to `summary.json` and `timeline.csv`.
    public var summary: LatencySummary {
        let values = percentiles([50, 90, 95, 99, 99.9])
        return LatencySummary(
            count: count, mean: mean, p50: values[0], p90: values[1], p95: values[2], p99: values[3],
            p999: values[4], max: count > 0 ? maxSeconds : nil)
    }
}

/// Headline percentiles of one latency, in seconds; nil where no request was measured.
public struct LatencySummary: Sendable, Equatable {
    public var count: Int
    public var mean, p50, p90, p95, p99, p999, max: Double?
}
