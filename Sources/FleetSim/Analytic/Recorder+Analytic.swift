extension Recorder {
    /// Applies a step's counts to the window and the run's totals; `latencies` tells the update whether to record
    /// latencies and SLO counts (always in the window, in the totals only after the warm-up, as for requests).
    /// The analytic engine refuses deployments reached by several classes, so there are no class totals to keep.
    func analytic(afterWarmup: Bool, _ update: (inout Accumulator, _ latencies: Bool) -> Void) {
        update(&window, true)
        update(&total, afterWarmup)
    }
}

extension LatencyStats {
    /// The analytic engine records weighted points, each request spread over them in units of 1/4096: a tail point
    /// holding a ten-thousandth of a step's requests keeps its weight even when the step holds few requests. The
    /// histogram then counts units; `count` and the mean stay in requests. A run records in units or in requests,
    /// never both.
    static let unitsPerRequest: UInt64 = 4096

    /// Adds `requests` requests spread over `points` (value in seconds, units), whose units add up to
    /// `requests × unitsPerRequest`.
    mutating func record(_ points: [(Double, UInt64)], requests: Int) {
        guard requests > 0 else { return }
        addCount(requests)
        for (seconds, units) in points {
            addUnits(seconds, units: units)
        }
    }
}
