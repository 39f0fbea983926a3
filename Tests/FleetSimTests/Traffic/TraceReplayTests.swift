import FleetSim
import FleetSimKernel
import Foundation
import Testing

/// Trace replay: exact timestamps at speed-up 1, compressed time, windows, loops and scaling.
@Suite struct TraceReplayTests {
    /// 2,000 records with irregular gaps starting at 0 (times measured from the first record, as readers give them).
    static let times: [Double] = {
        let stream = RandomStream(seed: 5, source: "test.trace")
        var t = 0.0
        return (0..<2_000).map { index in
            if index > 0 { t += stream.unitExponential() * 0.8 }
            return t
        }
    }()

    /// Records at `times`; record i has i + 1 prompt tokens, so a replayed copy tells which record it came from.
    static func records(_ times: [Double]) -> InMemoryTrace {
        InMemoryTrace(times.enumerated().map { TraceRecord(timeSeconds: $1, promptTokens: $0 + 1, outputTokens: 1) })
    }

    static func replay(_ replay: TraceReplay, horizon: Double = 1e9, source: InMemoryTrace = records(times))
        -> [TraceReplayGenerator.Arrival]
    {
        var generator = TraceReplayGenerator(
            replay: replay, source: source, horizon: horizon, stream: RandomStream(seed: 9, source: "traffic.trace"))
        var arrivals: [TraceReplayGenerator.Arrival] = []
        while let arrival = generator.next() { arrivals.append(arrival) }
        return arrivals
    }

    @Test func speedupOneReproducesEveryRecordExactly() {
        let arrivals = Self.replay(TraceReplay(path: "t"))
        #expect(arrivals.map(\.time) == Self.times)
        #expect(arrivals.map(\.record.promptTokens) == Array(1...2_000))
    }

    @Test func speedupTwoHalvesTheSpan() {
        let arrivals = Self.replay(TraceReplay(path: "t", speedup: 2))
        #expect(arrivals.count == Self.times.count)
        #expect(arrivals.map(\.time) == Self.times.map { $0 / 2 })
        #expect(arrivals.last!.time == Self.times.last! / 2)
    }

    @Test func aWindowIsCutInTraceTimeAndShiftedToZero() {
        let arrivals = Self.replay(TraceReplay(path: "t", speedup: 4, startSeconds: 300, durationSeconds: 600))
        let inWindow = Self.times.filter { $0 >= 300 && $0 < 900 }
        #expect(arrivals.map(\.time) == inWindow.map { ($0 - 300) / 4 })
    }

    @Test func loopingRepeatsTheWindowShiftedByThePeriodUntilTheHorizon() {
        let source = Self.records(Self.times)
        let period = Self.times.last! + 1
        let arrivals = Self.replay(TraceReplay(path: "t", loopPeriodSeconds: period), horizon: 2.5 * period, source: source)
        let expected = (0..<3).flatMap { pass in Self.times.map { $0 + Double(pass) * period } }.filter { $0 < 2.5 * period }
        #expect(arrivals.map(\.time) == expected)
        #expect(source.restarts == 2)
    }

    @Test func theHorizonEndsTheReplay() {
        let arrivals = Self.replay(TraceReplay(path: "t"), horizon: 100)
        #expect(arrivals.map(\.time) == Self.times.filter { $0 < 100 })
    }

    /// Thinning keeps each record with probability `scale`: the count is Binomial(2,000, s), checked against its
    /// 99.9 % normal bound; replication by 2.6 gives 2 copies plus a third with probability 0.6. Copies stay sorted
    /// and inside the gap before the next record, so the shape of the load is kept.
    @Test(arguments: [0.3, 2.6])
    func scalingThinsOrReplicatesWithinTheGaps(_ scale: Double) {
        let arrivals = Self.replay(TraceReplay(path: "t", scale: scale))
        let n = Double(Self.times.count)
        let fraction = scale - scale.rounded(.down)
        let expected = n * scale
        let sd = (n * fraction * (1 - fraction)).squareRoot()
        #expect(abs(Double(arrivals.count) - expected) <= StandardNormal.quantile(0.9995) * sd,
                "\(arrivals.count) arrivals, expected \(expected) ± \(sd)")
        #expect(zip(arrivals, arrivals.dropFirst()).allSatisfy { $0.time <= $1.time })
        for arrival in arrivals {
            let index = arrival.record.promptTokens - 1
            let gapEnd = index + 1 < Self.times.count ? Self.times[index + 1] : .infinity
            #expect(arrival.time >= Self.times[index] && arrival.time <= gapEnd)
        }
    }
}
