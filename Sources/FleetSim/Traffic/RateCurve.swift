/// The arrival rate over the horizon as a piecewise-linear function, with its integral (the expected number of
/// arrivals) in closed form.
///
/// The curve passes through the exact rate shape at every breakpoint of every factor (spike ramps, hourly profile
/// points, midnights of a weekly cycle) and, where a factor is curved (the smooth diurnal cosine, or a product of two
/// sloped factors), at least every `gridSeconds`. Between points it is linear; for a one-minute grid the largest relative departure from the
/// cosine is (2π·60/86400)²/8 ≈ 2.4e-6. Arrival processes are exact for this curve: the expected count over any
/// interval is its integral, and arrival times are found by inverting it (time rescaling).
public struct RateCurve: Sendable {
    public let times: [Double]
    public let rates: [Double]
    /// Expected arrivals from 0 to `times[i]`.
    public let cumulative: [Double]
    /// Each segment's slope, and for a flat one the denominator `time(reaching:)` divides by (the same value it
    /// would compute; NaN where the segment slopes). Arrivals on a constant rate then take no square root.
    private let slopes: [Double]
    private let flatDenominators: [Double]

    public static let gridSeconds: Double = 60

    /// The curve of `traffic`'s synthetic rate shape with `spikes` (its scheduled spikes plus any realised random
    /// ones) over [0, horizon].
    public init(traffic: TrafficSpec, horizon: Double, spikes: [Spike]? = nil) {
        let spikes = (spikes ?? traffic.spikes).sorted { $0.atSeconds < $1.atSeconds }
        var points: [Double] = [0, horizon]
        for spike in spikes {
            points += spike.breakpoints
        }
        if traffic.weekly != nil {
            points += stride(from: 0, through: horizon, by: 86_400).map { $0 }
        }
        let curved: Bool
        switch traffic.diurnal {
        case .smooth?, .peaked?:
            curved = true
        case .hourly?:
            points += stride(from: 0, through: horizon, by: 3600).map { $0 }
            curved = spikes.contains { $0.rampSeconds > 0 }
        case nil:
            // Two spikes whose ramps overlap multiply into a quadratic.
            curved = spikes.count > 1
        }
        if curved {
            points += stride(from: 0, through: horizon, by: Self.gridSeconds).map { $0 }
        }
        // A step (a spike without ramp, a change of weekday) is two points at the same instant: the rate just
        // before and just after. Spikes are visited in start order, keeping only those that touch `t`, so a year
        // with a spike a day costs no more per point than a day with one.
        var times: [Double] = []
        var rates: [Double] = []
        var nextSpike = 0
        var active: [Spike] = []
        for t in Set(points.filter { $0 >= 0 && $0 <= horizon }).sorted() {
            while nextSpike < spikes.count && spikes[nextSpike].atSeconds <= t {
                active.append(spikes[nextSpike])
                nextSpike += 1
            }
            active.removeAll { $0.endSeconds < t }
            let daily = traffic.ratePerSecond * (traffic.diurnal?.multiplier(at: t) ?? 1)
            let dayAfter = Int((t / 86_400).rounded(.down))
            let dayBefore = max(Int((t / 86_400).rounded(.up)) - 1, 0)
            let before = daily * traffic.weeklyMultiplier(day: dayBefore)
                * active.reduce(1) { $0 * $1.multiplier(justBefore: t) }
            let after = daily * traffic.weeklyMultiplier(day: dayAfter) * active.reduce(1) { $0 * $1.multiplier(at: t) }
            if t > 0 && before != after {
                times.append(t)
                rates.append(before)
            }
            times.append(t)
            rates.append(after)
        }
        self.init(times: times, rates: rates)
    }

    /// A curve through explicit points (times ascending, starting at 0).
    public init(times: [Double], rates: [Double]) {
        precondition(times.count == rates.count && times.count >= 2, "a rate curve needs two or more points")
        self.times = times
        self.rates = rates
        var cumulative = [0.0]
        cumulative.reserveCapacity(times.count)
        for index in 1..<times.count {
            let area = (rates[index - 1] + rates[index]) / 2 * (times[index] - times[index - 1])
            cumulative.append(cumulative[index - 1] + area)
        }
        self.cumulative = cumulative
        let slopes = (0..<times.count - 1).map { segment in
            let width = times[segment + 1] - times[segment]
            return width > 0 ? (rates[segment + 1] - rates[segment]) / width : 0
        }
        self.slopes = slopes
        flatDenominators = slopes.indices.map { segment in
            let r0 = rates[segment]
            return slopes[segment] == 0 ? r0 + max(r0 * r0, 0).squareRoot() : .nan
        }
    }

    public var horizon: Double { times[times.count - 1] }

    /// The expected number of arrivals over the whole horizon.
    public var expectedArrivals: Double { cumulative[cumulative.count - 1] }

    /// The rate at `t` (requests per second).
    public func rate(at t: Double) -> Double {
        let segment = segmentIndex(containing: t)
        return rate(inSegment: segment, at: t)
    }

    /// The expected number of arrivals in [0, t].
    public func expectedArrivals(until t: Double) -> Double {
        let segment = segmentIndex(containing: t)
        let dt = t - times[segment]
        let r0 = rates[segment]
        let slope = self.slope(segment)
        return cumulative[segment] + r0 * dt + slope * dt * dt / 2
    }

    /// The time at which the expected count reaches `target`, searching forward from `segment` (a cursor the caller
    /// keeps between calls, so a whole run walks the curve once). Nil when the horizon comes first.
    public func time(reaching target: Double, from segment: inout Int) -> Double? {
        let last = times.count - 1
        while segment < last && cumulative[segment + 1] < target {
            segment += 1
        }
        guard segment < last else { return nil }
        let remaining = target - cumulative[segment]
        let slope = slopes[segment]
        let denominator: Double
        if slope == 0 {
            denominator = flatDenominators[segment]
        } else {
            // Solve r0·Δ + slope·Δ²/2 = remaining in the form that stays accurate when slope is near 0.
            let r0 = rates[segment]
            denominator = r0 + max(r0 * r0 + 2 * slope * remaining, 0).squareRoot()
        }
        let delta = denominator > 0 ? 2 * remaining / denominator : 0
        return min(times[segment] + delta, times[segment + 1])
    }

    func slope(_ segment: Int) -> Double { slopes[segment] }

    func rate(inSegment segment: Int, at t: Double) -> Double {
        rates[segment] + slope(segment) * (t - times[segment])
    }

    /// The index of the segment [times[i], times[i+1]] holding `t`, by binary search.
    func segmentIndex(containing t: Double) -> Int {
        var low = 0
        var high = times.count - 2
        while low < high {
            let middle = (low + high + 1) / 2
            if times[middle] <= t { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
