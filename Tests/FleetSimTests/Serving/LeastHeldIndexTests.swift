@testable import FleetSim
import FleetSimKernel
import Testing

/// The routing index answers what a scan of the ready replicas in readiness order answers: the first one holding the
/// fewest requests, with one excluded or none.
@Suite struct LeastHeldIndexTests {
    /// 20,000 random operations — replicas becoming ready, leaving, changing what they hold — each followed by the
    /// query with and without an exclusion, against the scan over a plain list; the index grows past its first 64
    /// leaves several times.
    @Test func answersAsTheScanDoes() {
        let stream = RandomStream(seed: 11, source: "index", replication: 0)
        var index = LeastHeldIndex()
        var ready: [Int] = []
        var held: [Int: Int] = [:]
        var next = 0
        func scan(excluding excluded: Int?) -> (Int, Int)? {
            var best: (Int, Int)?
            for replica in ready where replica != excluded {
                if best == nil || held[replica]! < best!.1 { best = (replica, held[replica]!) }
            }
            return best
        }
        for _ in 0..<20_000 {
            let choice = stream.uniform()
            if ready.isEmpty || choice < 0.2 {
                let count = stream.index(below: 5)
                index.insert(next, held: count)
                ready.append(next)
                held[next] = count
                next += 1
            } else if choice < 0.3 {
                let replica = ready.remove(at: stream.index(below: ready.count))
                index.remove(replica)
            } else {
                let replica = ready[stream.index(below: ready.count)]
                held[replica] = stream.index(below: 8)
                index.update(replica, held: held[replica]!)
            }
            let excluded = ready.isEmpty ? nil : ready[stream.index(below: ready.count)]
            let expected = scan(excluding: nil)
            let found = index.leastHeld()
            #expect(found?.replica == expected?.0 && found?.held == expected?.1)
            let expectedExcluding = scan(excluding: excluded)
            let foundExcluding = index.leastHeld(excluding: excluded)
            #expect(foundExcluding?.replica == expectedExcluding?.0 && foundExcluding?.held == expectedExcluding?.1)
        }
        #expect(next > 256, "the index grew: \(next) replicas")
    }
}
