import FleetSim
import FleetSimKernel
import Foundation
import Testing

/// Every arrival process keeps the configured rate shape as its mean and changes only how bursty arrivals are
/// around it.
@Suite struct ArrivalProcessTests {
    static func traffic(
        _ rate: Double, diurnal: DiurnalShape? = nil, weekly: [Double]? = nil, arrivals: ArrivalProcess = .poisson
    ) -> TrafficSpec {
        TrafficSpec(ratePerSecond: rate, arrivals: arrivals, diurnal: diurnal, weekly: weekly,
                    classes: [RequestClass(name: "a", deployment: "d")])
    }

    static func arrivalTimes(_ curve: RateCurve, _ process: ArrivalProcess, replication: Int) -> [Double] {
        var generator = ArrivalGenerator(
            curve: curve, process: process,
            stream: RandomStream(seed: 77, source: "traffic.arrivals", replication: replication),
            burstStream: RandomStream(seed: 77, source: "traffic.bursts", replication: replication))
        var times: [Double] = []
        while let t = generator.next() { times.append(t) }
        return times
    }

    static let week = 7 * 86_400.0
    static let weekdays: [Double] = [1.2, 1.2, 1.1, 1.1, 1.0, 0.7, 0.5]

    /// The daily and weekly factors each average 1, so `rate` is the long-run mean: the curve's integral over a week
    /// is rate × one week, and each day holds rate × 86,400 × its weekly multiplier ÷ their mean. The smooth cosine
    /// is followed on a one-minute grid, whose error (≈ 2.4e-6 relative) bounds the tolerance.
    @Test func weeklyAndDailyFactorsAverageOne() {
        let curve = RateCurve(
            traffic: Self.traffic(3, diurnal: .smooth(peakHour: 14, peakToTrough: 4), weekly: Self.weekdays),
            horizon: Self.week)
        #expect(abs(curve.expectedArrivals / (3 * Self.week) - 1) < 1e-5)
        let meanDay = Self.weekdays.reduce(0, +) / 7
        for day in 0..<7 {
            let start = Double(day) * 86_400
            let count = curve.expectedArrivals(until: start + 86_400) - curve.expectedArrivals(until: start)
            let expected = 3 * 86_400 * Self.weekdays[day] / meanDay
            #expect(abs(count / expected - 1) < 1e-5, "day \(day): \(count) vs \(expected)")
        }
        // A new day starts with a step: Friday's level just before midnight, Saturday's at it.
        let saturday = 5 * 86_400.0
        let diurnalAtMidnight = DiurnalShape.smooth(peakHour: 14, peakToTrough: 4).multiplier(at: saturday)
        #expect(abs(curve.rate(at: saturday) - 3 * diurnalAtMidnight * 0.7 / meanDay) < 1e-9)
        #expect(abs(curve.rate(at: saturday - 1e-6) - 3 * diurnalAtMidnight * 1.0 / meanDay) < 1e-6)
    }

    struct Process: Sendable, CustomTestStringConvertible {
        let process: ArrivalProcess
        let testDescription: String
    }

    static let processes = [
        Process(process: .poisson, testDescription: "poisson"),
        Process(process: .deterministic, testDescription: "deterministic"),
        Process(process: .gamma(cv: 3), testDescription: "gamma cv 3"),
        Process(process: .gamma(cv: 0.4), testDescription: "gamma cv 0.4"),
        Process(process: .mmpp(MMPP(ratio: 6, highFraction: 0.1, meanBurstSeconds: 600)), testDescription: "mmpp 6×, 10 %, 10 m"),
    ]

    /// Over a week with daily and weekly cycles, the realised mean rate of 20 independent replications has a
    /// 99 % Student-t interval that covers the configured mean rate, whatever the process.
    @Test(arguments: processes)
    func realisedMeanRateMatchesTheConfiguredMean(_ process: Process) {
        let rate = 0.5
        let curve = RateCurve(
            traffic: Self.traffic(rate, diurnal: .smooth(peakHour: 14, peakToTrough: 3), weekly: Self.weekdays),
            horizon: Self.week)
        let rates = (0..<20).map { Double(Self.arrivalTimes(curve, process.process, replication: $0).count) / Self.week }
        let estimate = MeanEstimate(rates, level: 0.99)
        if case .deterministic = process.process {
            // No randomness: exactly one arrival per unit of load, so the count is the integral rounded down.
            #expect(rates.allSatisfy { abs($0 * Self.week - curve.expectedArrivals) <= 1 })
        } else {
            expectCovers(estimate, rate, "\(process.testDescription) mean rate")
        }
    }

    /// At a constant rate, the gaps of the gamma renewal process have the configured coefficient of variation: the
    /// sample CV of 20,000 gaps in each of 20 replications, with a 99 % interval over replications. The bias of a
    /// sample CV at this size (order 1/n) is far inside the interval.
    @Test(arguments: [0.4, 1.0, 2.5])
    func gammaGapsHaveTheConfiguredCV(_ cv: Double) {
        let curve = RateCurve(traffic: Self.traffic(4), horizon: 5_000)
        let cvs = (0..<200).map { replication -> Double in
            let times = Self.arrivalTimes(curve, .gamma(cv: cv), replication: replication)
            let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
            let mean = gaps.reduce(0, +) / Double(gaps.count)
            let variance = gaps.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(gaps.count - 1)
            return variance.squareRoot() / mean
        }
        expectCovers(MeanEstimate(cvs, level: 0.99), cv, "gamma inter-arrival CV")
    }

    /// Burstiness composes with the rate shape: under a daily cycle, bursty gamma arrivals still put each hour's
    /// expected share of the load in that hour. Per hour, a 99.9 % interval over 40 replications (Bonferroni over 24
    /// hours, so the family is checked at ≈ 98 %) covers the exact integral of the curve.
    @Test func burstyArrivalsFollowTheDailyCycle() {
        let curve = RateCurve(traffic: Self.traffic(1, diurnal: .smooth(peakHour: 9, peakToTrough: 5)), horizon: 86_400)
        var counts = [[Double]](repeating: [], count: 24)
        for replication in 0..<40 {
            var perHour = [Double](repeating: 0, count: 24)
            for t in Self.arrivalTimes(curve, .gamma(cv: 2), replication: replication) { perHour[Int(t / 3_600)] += 1 }
            for hour in 0..<24 { counts[hour].append(perHour[hour]) }
        }
        for hour in 0..<24 {
            let start = Double(hour) * 3_600
            let expected = curve.expectedArrivals(until: start + 3_600) - curve.expectedArrivals(until: start)
            expectCovers(MeanEstimate(counts[hour], level: 0.999), expected, "hour \(hour) count")
        }
    }

    /// An MMPP is burstier than Poisson: counts per minute have a variance-to-mean ratio well above 1 (the
    /// Poisson value), and above the 99.9 % quantile of the ratio for Poisson counts (χ²/df).
    @Test func mmppCountsAreOverdispersed() {
        let curve = RateCurve(traffic: Self.traffic(2), horizon: 86_400)
        let times = Self.arrivalTimes(curve, .mmpp(MMPP(ratio: 8, highFraction: 0.2, meanBurstSeconds: 300)), replication: 0)
        var perMinute = [Double](repeating: 0, count: 1_440)
        for t in times { perMinute[Int(t / 60)] += 1 }
        let mean = perMinute.reduce(0, +) / 1_440
        let variance = perMinute.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 1_439
        let poissonLimit = ChiSquare.quantile(0.999, degreesOfFreedom: 1_439) / 1_439
        #expect(variance / mean > poissonLimit, "dispersion \(variance / mean), Poisson 99.9 % limit \(poissonLimit)")
    }

    /// The MMPP's levels keep the mean: share × high + (1 − share) × low = 1, high = ratio × low, and calm periods
    /// last long enough for bursts to take `highFraction` of the time.
    @Test func mmppLevelsAverageOne() {
        let mmpp = MMPP(ratio: 5, highFraction: 0.25, meanBurstSeconds: 120)
        #expect(abs(0.25 * mmpp.highMultiplier + 0.75 * mmpp.lowMultiplier - 1) < 1e-12)
        #expect(abs(mmpp.highMultiplier / mmpp.lowMultiplier - 5) < 1e-12)
        #expect(abs(mmpp.meanBurstSeconds / (mmpp.meanBurstSeconds + mmpp.meanCalmSeconds) - 0.25) < 1e-12)
    }
}
