/// A pending-event set: a binary min-heap of small value-type entries ordered by (time, sequence).
///
/// ```swift
/// var queue = EventQueue<MyEvent>()
/// queue.schedule(.arrival, at: 1.5)
/// while let (time, event) = queue.popNext(notAfter: horizon) { … }
/// ```
///
/// The sequence number makes events at the same instant leave in the order they were scheduled, so runs are
/// deterministic and ties are FIFO. Entries are plain structs in one contiguous array: scheduling allocates nothing
/// once the array has grown to the model's working size.
///
/// Complexity: `schedule` and `popNext` are O(log n). Keep `n` small — one pending arrival per source, one completion
/// per busy replica — and cancel by epoch (skip stale events when they fire) instead of removing from the middle.
public struct EventQueue<Event> {
    @usableFromInline
    struct Entry {
        @usableFromInline var time: Double
        @usableFromInline var sequence: UInt64
        @usableFromInline var event: Event

        @inlinable
        init(time: Double, sequence: UInt64, event: Event) {
            self.time = time
            self.sequence = sequence
            self.event = event
        }

        @inlinable
        func precedes(_ other: Entry) -> Bool {
            time < other.time || (time == other.time && sequence < other.sequence)
        }
    }

    @usableFromInline var heap: ContiguousArray<Entry> = []
    @usableFromInline var nextSequence: UInt64 = 0

    /// The simulation clock: the time of the event most recently taken from the queue.
    @inlinable public var now: Double { clock }
    @usableFromInline var clock: Double = 0

    /// How many events have been taken from the queue so far.
    @inlinable public var processed: UInt64 { processedCount }
    @usableFromInline var processedCount: UInt64 = 0

    @inlinable
    public init() {}

    /// The number of pending events.
    @inlinable
    public var count: Int { heap.count }

    /// The time of the earliest pending event, if any.
    @inlinable
    public var nextTime: Double? { heap.first?.time }

    /// Schedules `event` at `time`, which must not be earlier than `now`.
    @inlinable
    public mutating func schedule(_ event: Event, at time: Double) {
        precondition(time >= now, "cannot schedule into the past (\(time) < \(now))")
        let entry = Entry(time: time, sequence: nextSequence, event: event)
        nextSequence &+= 1
        heap.append(entry)
        siftUp(from: heap.count - 1)
    }

    /// Schedules `event` after `delay` seconds from `now`.
    @inlinable
    public mutating func schedule(_ event: Event, after delay: Double) {
        schedule(event, at: now + delay)
    }

    /// Removes and returns the earliest event if it is due no later than `horizon`, advancing the clock to its time.
    @inlinable
    public mutating func popNext(notAfter horizon: Double = .infinity) -> (time: Double, event: Event)? {
        guard let first = heap.first, first.time <= horizon else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap.withUnsafeMutableBufferPointer { buffer in
                Self.siftDown(last, in: buffer)
            }
        }
        clock = first.time
        processedCount &+= 1
        return (first.time, first.event)
    }

    /// Moves the clock forward to `time` without taking an event (used to close a run at its horizon).
    @inlinable
    public mutating func advanceClock(to time: Double) {
        precondition(time >= now && (heap.first.map { time <= $0.time } ?? true), "clock must not pass a pending event")
        clock = time
    }

    @inlinable
    mutating func siftUp(from start: Int) {
        heap.withUnsafeMutableBufferPointer { buffer in
            var child = start
            let moving = buffer[child]
            while child > 0 {
                let parent = (child - 1) >> 1
                guard moving.precedes(buffer[parent]) else { break }
                buffer[child] = buffer[parent]
                child = parent
            }
            buffer[child] = moving
        }
    }

    /// Places `moving` into the hole at the root, moving smaller children up (the "hole" variant saves swaps).
    @inlinable
    static func siftDown(_ moving: Entry, in buffer: UnsafeMutableBufferPointer<Entry>) {
        let count = buffer.count
        var hole = 0
        while true {
            var child = 2 * hole + 1
            if child >= count { break }
            if child + 1 < count && buffer[child + 1].precedes(buffer[child]) { child += 1 }
            guard buffer[child].precedes(moving) else { break }
            buffer[hole] = buffer[child]
            hole = child
        }
        buffer[hole] = moving
    }
}

extension EventQueue {
    /// Checks the heap property; tests call it after every operation.
    public func checkInvariants() -> Bool {
        for index in 1..<max(heap.count, 1) where heap[index].precedes(heap[(index - 1) >> 1]) {
            return false
        }
        return true
    }
}
