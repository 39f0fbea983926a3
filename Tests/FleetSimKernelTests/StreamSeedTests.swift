import FleetSimKernel
import Testing

/// Stream seeds name independent random streams: one per (scenario seed, source, replication).
@Suite struct StreamSeedTests {
    @Test func equalInputsGiveEqualSeedsAndEqualStreams() {
        #expect(StreamSeed(seed: 7, source: "traffic.arrivals", replication: 3)
            == StreamSeed(seed: 7, source: "traffic.arrivals", replication: 3))
        let a = RandomStream(seed: 7, source: "service.chat", replication: 2)
        let b = RandomStream(seed: 7, source: "service.chat", replication: 2)
        #expect((0..<1_000).allSatisfy { _ in a.uniform() == b.uniform() })
    }

    /// Over 2 seeds × 20 names × 20 replications, every seed differs. For an ideal 32-bit hash the chance of any
    /// collision among these 800 values is about 800²/2³³ ≈ 7e-5, so a collision here would point to a mixing flaw
    /// (names or replications that cancel out), not to bad luck. Seeds are never 0 (GSL would ignore them).
    @Test func seedsDifferBySeedSourceAndReplication() {
        let names = ["traffic.arrivals", "traffic.classes"] + (0..<18).map { "service.model-\($0)" }
        var seen: [UInt32: String] = [:]
        for seed: UInt64 in [1, 2] {
            for name in names {
                for replication in 0..<20 {
                    let value = StreamSeed(seed: seed, source: name, replication: replication).value
                    let key = "(\(seed), \(name), \(replication))"
                    #expect(seen[value] == nil, "\(key) collides with \(seen[value] ?? "")")
                    #expect(value != 0)
                    seen[value] = key
                }
            }
        }
        #expect(seen.count == 800)
    }

    /// Neighbouring replications and sources give uncorrelated streams: for 100,000 pairs of independent uniforms
    /// the sample correlation is approximately N(0, 1/n), so |r| ≤ z₀.₉₉₉₅/√n at 99.9 %.
    @Test(arguments: [
        (StreamSeed(seed: 1, source: "traffic.arrivals", replication: 0),
         StreamSeed(seed: 1, source: "traffic.arrivals", replication: 1)),
        (StreamSeed(seed: 1, source: "service.a", replication: 0), StreamSeed(seed: 1, source: "service.b", replication: 0)),
        (StreamSeed(seed: 1, source: "traffic.arrivals", replication: 0),
         StreamSeed(seed: 2, source: "traffic.arrivals", replication: 0)),
    ])
    func neighbouringStreamsAreUncorrelated(_ first: StreamSeed, _ second: StreamSeed) {
        let a = RandomStream(first), b = RandomStream(second)
        let n = 100_000
        var sumXY = 0.0, sumX = 0.0, sumY = 0.0, sumXX = 0.0, sumYY = 0.0
        for _ in 0..<n {
            let x = a.uniform(), y = b.uniform()
            sumX += x; sumY += y; sumXY += x * y; sumXX += x * x; sumYY += y * y
        }
        let count = Double(n)
        let covariance = sumXY / count - sumX / count * sumY / count
        let r = covariance / ((sumXX / count - pow2(sumX / count)) * (sumYY / count - pow2(sumY / count))).squareRoot()
        #expect(abs(r) <= StandardNormal.quantile(0.9995) / count.squareRoot(), "r = \(r)")
    }

    /// `index(below:)` is uniform over its range: χ² over 10 cells with 100,000 draws, at 99.9 % (9 degrees of
    /// freedom); `uniformPositive` never returns 0.
    @Test func integerDrawsAreUniform() {
        let stream = RandomStream(seed: 11, source: "test.index")
        var cells = [Double](repeating: 0, count: 10)
        for _ in 0..<100_000 { cells[stream.index(below: 10)] += 1 }
        let statistic = cells.reduce(0) { $0 + pow2($1 - 10_000) / 10_000 }
        #expect(statistic <= ChiSquare.quantile(0.999, degreesOfFreedom: 9), "χ² = \(statistic)")
        #expect((0..<100_000).allSatisfy { _ in stream.uniformPositive() > 0 })
    }
}

func pow2(_ x: Double) -> Double { x * x }
