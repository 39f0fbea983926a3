import FleetSim
import FleetSimIO
import Foundation
import Testing

/// Traffic as planners describe it: "40 req/s on average, 200 at peak", and spikes that recur every weekday.
@Suite struct TrafficShapeTests {
    static func traffic(_ body: String, duration: String = "1w") throws -> TrafficSpec {
        try ScenarioLoader.decode(yaml: validScenario
            .replacingOccurrences(of: "duration: 1h", with: "duration: \(duration)")
            .replacingOccurrences(of: "  rate: 5/s", with: body), file: "s.yaml").traffic
    }

    /// The day averages the rate exactly and reaches the peak at its hour, whatever the peak-to-mean ratio.
    @Test(arguments: [("200/s", nil as String?), ("200/s", "10/s"), ("70/s", nil), ("60/s", "30/s")])
    func aPeakAndTroughKeepTheMean(_ peak: String, _ trough: String?) throws {
        let spec = try Self.traffic("  rate: 40/s\n  diurnal: {peakHour: 14, peak: \(peak)\(trough.map { ", trough: \($0)" } ?? "")}")
        let shape = try #require(spec.diurnal)
        let samples = stride(from: 0.0, to: 86_400, by: 1).map { shape.multiplier(at: $0) }
        #expect(abs(samples.reduce(0, +) / 86_400 - 1) < 1e-9)
        let peakRate = Double(peak.dropLast(2))!
        #expect(abs(shape.multiplier(at: 14 * 3600) * 40 - peakRate) < 1e-9)
        let stated: Double? = trough.map { Double($0.dropLast(2))! }
        let troughRate: Double = stated ?? max(0, 80 - peakRate)
        #expect(abs(shape.multiplier(at: 2 * 3600) * 40 - troughRate) < 1e-9)
    }

    /// A peak a cosine can reach (at most twice the mean) without a trough is the plain cosine.
    @Test func aReachablePeakIsTheCosine() throws {
        let peaked = try #require(try Self.traffic("  rate: 40/s\n  diurnal: {peakHour: 14, peak: 60/s}").diurnal)
        let cosine = DiurnalShape.smooth(peakHour: 14, peakToTrough: 3)
        for hour in stride(from: 0.0, to: 24, by: 1.5) {
            #expect(abs(peaked.multiplier(at: hour * 3600) - cosine.multiplier(at: hour * 3600)) < 1e-9)
        }
    }

    @Test func aSpikeEveryWeekdayIsOnePerWorkingDay() throws {
        let spikes = try Self.traffic("  rate: 5/s\n  spikes: [{every: weekday, from: \"09:00\", to: \"09:30\", multiplier: 2}]").spikes
        let weekdays: [Double] = (0..<5).map { (day: Int) -> Double in Double(day) * 86_400 + 9 * 3_600 }
        #expect(spikes.map(\.atSeconds) == weekdays)
        #expect(spikes.allSatisfy { $0.durationSeconds == 1800 && $0.multiplier == 2 })
        let weekend = try Self.traffic("  rate: 5/s\n  spikes: [{every: [sat, sun], from: \"20:00\", to: \"22:00\", multiplier: 3, ramp: 10m}]",
                                       duration: "2w").spikes
        let weekends: [Double] = [5, 6, 12, 13].map { (day: Int) -> Double in Double(day) * 86_400 + 20 * 3_600 }
        #expect(weekend.map(\.atSeconds) == weekends)
    }

    @Test(arguments: [
        ("  rate: 40/s\n  diurnal: {peakHour: 14, peak: 30/s}", 5, "traffic.diurnal.peak", "the peak must be above the mean"),
        ("  rate: 40/s\n  diurnal: {peakHour: 14, peak: 90/s, trough: 50/s}", 5, "traffic.diurnal.trough", "the trough must be below the mean"),
        ("  rate: 40/s\n  diurnal: {peakHour: 14, peak: 90/s, peakToTrough: 3}", 5, "traffic.diurnal.peakToTrough", "not both"),
        ("  rate: 5/s\n  spikes: [{every: monthly, from: \"09:00\", to: \"10:00\", multiplier: 2}]", 5, "traffic.spikes[0].every",
         "day, weekday, weekend or a list of days"),
        ("  rate: 5/s\n  spikes: [{every: day, from: \"10:00\", to: \"09:00\", multiplier: 2}]", 5, "traffic.spikes[0].to",
         "a time after 'from'"),
    ])
    func mistakesAreNamed(_ body: String, _ line: Int, _ keyPath: String, _ message: String) throws {
        let error = #expect(throws: ScenarioError.self) { _ = try Self.traffic(body) }
        #expect(error?.line == line && error?.keyPath == keyPath, "\(error?.description ?? "")")
        #expect(error?.message.contains(message) == true, "\(error?.description ?? "")")
    }

    /// The resolved scenario spells the peak as ratios and reads back to the same shape.
    @Test func aPeakRoundTrips() throws {
        let scenario = try ScenarioLoader.decode(yaml: validScenario.replacingOccurrences(
            of: "  rate: 5/s", with: "  rate: 40/s\n  diurnal: {peakHour: 13.5, peak: 200/s, trough: 4/s}"), file: "s.yaml")
        #expect(try ScenarioLoader.decode(yaml: ScenarioEncoder.yaml(scenario), file: "r.yaml") == scenario)
    }
}
