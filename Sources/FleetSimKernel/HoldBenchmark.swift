/// The classic "hold" benchmark of a pending-event set (Vaucher & Duval, CACM 1975): keep `pending` events in the
/// queue; repeatedly take the earliest and schedule one new event an exponential time after it.
///
/// Measures the kernel alone — event queue plus one random draw per event — so it can be compared with a plain C
/// binary heap doing the same work (Benchmarks/reference/hold.c).
public enum HoldBenchmark {
    public struct Payload {
        var source: Int32
    }

    /// Performs `operations` hold operations with `pending` events and returns a checksum of the event times (so the
    /// work cannot be optimised away).
    public static func run(pending: Int, operations: Int, seed: UInt64 = 1) -> Double {
        let stream = RandomStream(seed: seed, source: "bench.hold")
        var queue = EventQueue<Payload>()
        for index in 0..<pending {
            queue.schedule(Payload(source: Int32(index)), at: stream.unitExponential())
        }
        var checksum = 0.0
        for _ in 0..<operations {
            guard let next = queue.popNext() else { break }
            checksum += next.time
            queue.schedule(next.event, at: next.time + stream.unitExponential())
        }
        return checksum
    }
}
