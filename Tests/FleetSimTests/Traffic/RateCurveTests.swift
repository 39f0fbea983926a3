import FleetSim
import FleetSimKernel
import Foundation
import Testing

/// The rate curve is the expected-arrivals function every arrival process is built on: its integral must be the
/// load the scenario describes, and its inverse must be the inverse of its integral.
@Suite struct RateCurveTests {
    static func traffic(
        _ rate: Double, diurnal: DiurnalShape? = nil, spikes: [Spike] = []
    ) -> TrafficSpec {
        TrafficSpec(ratePerSecond: rate, diurnal: diurnal, spikes: spikes, classes: [RequestClass(name: "a", deployment: "d")])
    }

    @Test func constantRateIntegratesToRateTimesTime() {
        let curve = RateCurve(traffic: Self.traffic(7.5), horizon: 10_000)
        #expect(abs(curve.expectedArrivals - 75_000) < 1e-9)
        for t in stride(from: 0.0, through: 10_000, by: 137.25) {
            #expect(abs(curve.expectedArrivals(until: t) - 7.5 * t) < 1e-9)
            #expect(curve.rate(at: t) == 7.5)
        }
    }

    /// A ramped spike is a trapezoid on top of the base rate: its extra load is base × (m − 1) × (duration − ramp).
    @Test(arguments: [(0.0, 3.0), (60, 3), (300, 3), (300, 0.5), (0, 0)])
    func rampedSpikeAddsItsTrapezoid(_ ramp: Double, _ multiplier: Double) {
        let spike = Spike(atSeconds: 1_000, durationSeconds: 600, multiplier: multiplier, rampSeconds: ramp)
        let curve = RateCurve(traffic: Self.traffic(4, spikes: [spike]), horizon: 3_600)
        let extra = 4 * (multiplier - 1) * (600 - ramp)
        #expect(abs(curve.expectedArrivals - (4 * 3_600 + extra)) < 1e-9)
        // Before and after the spike the curve is the base rate; on the plateau it is base × m.
        #expect(abs(curve.expectedArrivals(until: 1_000) - 4_000) < 1e-9)
        #expect(curve.rate(at: 999) == 4 && curve.rate(at: 1_601) == 4)
        #expect(abs(curve.rate(at: 1_300) - 4 * multiplier) < 1e-12)
    }

    /// Two spikes that overlap while both ramp multiply into a quadratic, which the curve must follow on its grid
    /// like any curved shape rather than draw one straight line across the overlap.
    ///
    /// Bound: linear interpolation of f on a grid of h errs in the integral by at most |f''|·h²/12 per unit of time;
    /// here f'' = ±2·((m − 1)/ramp)² = ±3.2e-5 wherever both spikes ramp (750 s), so the error is at most
    /// 750 × 3.2e-5 × 60² / 12 = 7.2 requests out of about 4,458. Without the grid it was 41.7.
    @Test func overlappingRampsFollowTheProductOfTheSpikes() {
        let spikes = [
            Spike(atSeconds: 0, durationSeconds: 1_000, multiplier: 3, rampSeconds: 500),
            Spike(atSeconds: 250, durationSeconds: 1_000, multiplier: 3, rampSeconds: 500),
        ]
        let curve = RateCurve(traffic: Self.traffic(1, spikes: spikes), horizon: 1_500)
        // The exact integral, by Simpson's rule with nodes on every breakpoint (exact for the quadratic pieces).
        let exact = Self.simpson(0, 1_500, intervals: 6_000) { t in spikes.reduce(1) { $0 * $1.multiplier(at: t) } }
        let h = RateCurve.gridSeconds
        let bound = 750 * 2 * pow(2.0 / 500, 2) * h * h / 12
        #expect(abs(curve.expectedArrivals - exact) <= bound, "curve \(curve.expectedArrivals), exact \(exact)")
    }

    /// A day of an hourly profile or a smooth cycle averages to the base rate, and the curve passes through the
    /// profile at every hour.
    @Test func diurnalShapesAverageToTheBaseRateOverADay() {
        let values: [Double] = [3, 2, 1, 1, 1, 2, 4, 6, 8, 9, 10, 10, 9, 9, 10, 10, 9, 8, 7, 6, 5, 5, 4, 3]
        let mean = values.reduce(0, +) / 24
        let hourly = RateCurve(traffic: Self.traffic(2, diurnal: .hourly(values)), horizon: 86_400)
        #expect(abs(hourly.expectedArrivals - 2 * 86_400) < 1e-6)
        for hour in 0..<24 {
            #expect(abs(hourly.rate(at: Double(hour) * 3_600) - 2 * values[hour] / mean) < 1e-12)
        }
        // The cosine is drawn as a one-minute polyline: relative error ≤ (2π·60/86400)²/8 ≈ 2.4e-6.
        let smooth = RateCurve(traffic: Self.traffic(2, diurnal: .smooth(peakHour: 14, peakToTrough: 4)), horizon: 86_400)
        #expect(abs(smooth.expectedArrivals - 2 * 86_400) <= 2.4e-6 * 2 * 86_400)
        #expect(abs(smooth.rate(at: 14 * 3_600) / smooth.rate(at: 2 * 3_600) - 4) < 1e-9)
    }

    /// `time(reaching:)` inverts `expectedArrivals(until:)` on a curve with a cycle, a ramped spike and a step.
    @Test func timeReachingInvertsTheIntegral() {
        let curve = RateCurve(
            traffic: Self.traffic(
                3, diurnal: .smooth(peakHour: 9, peakToTrough: 2.5),
                spikes: [
                    Spike(atSeconds: 7_200, durationSeconds: 1_800, multiplier: 4, rampSeconds: 300),
                    Spike(atSeconds: 20_000, durationSeconds: 600, multiplier: 0.2),
                ]),
            horizon: 43_200)
        var segment = 0
        for target in stride(from: 0.5, to: curve.expectedArrivals, by: 97.3) {
            guard let t = curve.time(reaching: target, from: &segment) else {
                Issue.record("no time for \(target) below the total \(curve.expectedArrivals)")
                return
            }
            #expect(abs(curve.expectedArrivals(until: t) - target) <= 1e-9 * target)
        }
        #expect(curve.time(reaching: curve.expectedArrivals + 1, from: &segment) == nil)
    }

    static func simpson(_ a: Double, _ b: Double, intervals n: Int, _ f: (Double) -> Double) -> Double {
        let h = (b - a) / Double(n)
        var sum = f(a) + f(b)
        for i in 1..<n { sum += f(a + Double(i) * h) * (i % 2 == 1 ? 4 : 2) }
        return sum * h / 3
    }
}
