import FleetSim
import FleetSimKernel
import Foundation
import Testing

/// Unscheduled spikes: a Poisson number per day, uniformly placed, with drawn heights and lengths.
@Suite struct RandomSpikesTests {
    static let spikes = RandomSpikes(
        perDay: 2, multiplier: .uniform(lower: 1.5, upper: 2.5), duration: .exponential(mean: 1_200), rampSeconds: 120)

    /// Over 500 days the number of spikes is Poisson(1,000): within the 99 % bound 1,000 ± z·√1,000. Every spike
    /// starts inside the horizon, has a height from its distribution and a ramp at most half its length.
    @Test func countPlacementAndShapeFollowTheSpec() {
        let horizon = 500 * 86_400.0
        let realised = Self.spikes.realise(horizon: horizon, stream: RandomStream(seed: 3, source: "traffic.spikes"))
        #expect(abs(Double(realised.count) - 1_000) <= StandardNormal.quantile(0.995) * 1_000.0.squareRoot())
        #expect(zip(realised, realised.dropFirst()).allSatisfy { $0.atSeconds <= $1.atSeconds })
        #expect(realised.allSatisfy { $0.atSeconds >= 0 && $0.atSeconds < horizon })
        #expect(realised.allSatisfy { (1.5...2.5).contains($0.multiplier) })
        #expect(realised.allSatisfy { $0.rampSeconds <= $0.durationSeconds / 2 && $0.rampSeconds <= 120 })
        // Uniform placement: as many in the first half of the horizon as in the second, within a 99 % binomial bound.
        let firstHalf = Double(realised.filter { $0.atSeconds < horizon / 2 }.count)
        let n = Double(realised.count)
        #expect(abs(firstHalf - n / 2) <= StandardNormal.quantile(0.995) * (n / 4).squareRoot())
    }

    /// A spike adds its excess load to the curve: an isolated spike of height m, length d and ramp r adds
    /// rate × (m − 1) × (d − r) expected arrivals (two ramps are two triangles of half the plateau's height).
    @Test func realisedSpikesAddTheirExcessLoad() {
        let spike = Spike(atSeconds: 10_000, durationSeconds: 1_800, multiplier: 3, rampSeconds: 300)
        let traffic = TrafficSpec(ratePerSecond: 2, classes: [RequestClass(name: "a", deployment: "d")])
        let curve = RateCurve(traffic: traffic, horizon: 86_400, spikes: [spike])
        #expect(abs(curve.expectedArrivals - (2 * 86_400 + 2 * 2 * (1_800 - 300))) < 1e-6)
    }

    /// A year with a spike every day builds its curve quickly and exactly: the integral equals the base load plus
    /// each spike's excess, computed spike by spike (step spikes, so overlaps multiply into a closed form only
    /// when they do not overlap; the spikes here are placed so they never do).
    @Test func aYearOfDailySpikesKeepsTheCurveExact() {
        let spikes = (0..<365).map { day in
            Spike(atSeconds: Double(day) * 86_400 + 3_600, durationSeconds: 600, multiplier: 4, rampSeconds: 60)
        }
        let traffic = TrafficSpec(ratePerSecond: 1, diurnal: .hourly(Array(repeating: 1, count: 24)),
                                  classes: [RequestClass(name: "a", deployment: "d")])
        let curve = RateCurve(traffic: traffic, horizon: 365 * 86_400, spikes: spikes)
        let expected = 365 * 86_400 + 365 * 3 * (600 - 60.0)
        #expect(abs(curve.expectedArrivals - expected) / expected < 1e-12)
    }
}
