import FleetSim
import Testing

/// A spike without a ramp is a step: the rate curve must integrate to exactly base × (horizon + (m − 1) × duration).
@Suite struct SpikeStepTests {
    @Test(arguments: [0.0, 60, 300])
    func spikeAddsExactlyItsExtraLoad(_ ramp: Double) {
        let spike = Spike(atSeconds: 600, durationSeconds: 600, multiplier: 3, rampSeconds: ramp)
        let traffic = TrafficSpec(ratePerSecond: 10, spikes: [spike], classes: [RequestClass(name: "a", deployment: "d")])
        let curve = RateCurve(traffic: traffic, horizon: 2400)
        // Ramps are triangles on each side: each loses half of (m − 1) × ramp of the plateau's extra load.
        let extra = 10 * (3 - 1) * (600 - ramp)
        #expect(abs(curve.expectedArrivals - (10 * 2400 + extra)) < 1e-6)
        #expect(curve.rate(at: 599.999) == 10 || ramp > 0)
        #expect(curve.rate(at: 600 + ramp) == 30)
        #expect(curve.rate(at: 1200) == 10)
    }
}
