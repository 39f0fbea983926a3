import FleetSimKernel
import Testing

/// The pending-event set must hand events out in (time, scheduling order): earliest first, and FIFO among events at
/// the same instant — the order vidur intended and, with a key and a comparison that disagreed, never applied.
@Suite struct EventQueueTests {
    /// An event that remembers when it was scheduled, to check the order it comes back in.
    struct Tagged: Equatable {
        let time: Double
        let order: Int
    }

    /// Many events on few distinct instants, scheduled in a shuffled order: they must come back sorted by time, and
    /// by scheduling order within a time.
    @Test func popsByTimeThenInSchedulingOrder() {
        let stream = RandomStream(seed: 1, source: "test.eventqueue")
        var queue = EventQueue<Tagged>()
        for order in 0..<5_000 {
            let time = Double(stream.index(below: 20)) * 0.5
            queue.schedule(Tagged(time: time, order: order), at: time)
            #expect(queue.checkInvariants())
        }
        var popped: [Tagged] = []
        while let (time, event) = queue.popNext() {
            #expect(time == event.time && queue.now == time)
            popped.append(event)
            #expect(queue.checkInvariants())
        }
        #expect(popped.count == 5_000)
        #expect(queue.processed == 5_000 && queue.count == 0)
        #expect(zip(popped, popped.dropFirst()).allSatisfy { a, b in
            a.time < b.time || (a.time == b.time && a.order < b.order)
        })
    }

    /// Random interleavings of schedule and pop, against a plain list kept in the same order by linear search.
    @Test(arguments: [2, 3, 4])
    func randomOperationsMatchAReferenceAndKeepTheHeap(_ seed: UInt64) {
        let stream = RandomStream(seed: seed, source: "test.eventqueue.ops")
        var queue = EventQueue<Tagged>()
        var reference: [Tagged] = []
        var order = 0
        for _ in 0..<4_000 {
            if reference.isEmpty || stream.uniform() < 0.55 {
                // Delays of 0 (a tie with now), a few fixed values (ties between pending events) or continuous.
                let delay = [0, 0.25, 1, stream.unitExponential()][stream.index(below: 4)]
                let time = queue.now + delay
                queue.schedule(Tagged(time: time, order: order), after: delay)
                reference.append(Tagged(time: time, order: order))
                order += 1
            } else {
                let next = reference.indices.min { reference[$0].time < reference[$1].time
                    || (reference[$0].time == reference[$1].time && reference[$0].order < reference[$1].order) }!
                let expected = reference.remove(at: next)
                let popped = queue.popNext()
                #expect(popped?.event == expected)
                #expect(queue.now == expected.time)
            }
            #expect(queue.checkInvariants())
            #expect(queue.count == reference.count)
            #expect(queue.nextTime == reference.map(\.time).min())
        }
    }

    @Test func popNextStopsAtTheHorizonAndTheClockCanAdvanceToIt() {
        var queue = EventQueue<Int>()
        queue.schedule(1, at: 1)
        queue.schedule(2, at: 2)
        queue.schedule(3, at: 3)
        #expect(queue.popNext(notAfter: 2)?.event == 1)
        #expect(queue.popNext(notAfter: 2)?.event == 2)  // an event at the horizon is due
        #expect(queue.popNext(notAfter: 2) == nil)
        #expect(queue.now == 2 && queue.count == 1)
        queue.advanceClock(to: 2.5)
        #expect(queue.now == 2.5)
        queue.schedule(4, after: 0.5)  // at 3.0, after the event already pending there
        #expect(queue.popNext()?.event == 3)
        #expect(queue.popNext().map { ($0.time, $0.event) } ?? (0, 0) == (3, 4))
        #expect(queue.processed == 4)
    }
}
