import DequeModule

/// A FIFO of waiting requests with the deployment's capacity and client timeout (`queue: {capacity, timeout}`).
///
/// The capacity bounds the requests left waiting (decisions.md #7); a request still waiting `timeout` after it
/// arrived gives up. One timer at a time follows the head: the queue is FIFO, so the head expires first
/// (decisions.md #8). Serves as the deployment's central queue and as each replica's own queue.
struct RequestQueue {
    private(set) var requests = Deque<Request>()
    let capacity: Int?
    let timeoutSeconds: Double?
    private var timerPending = false

    init(_ spec: QueueSpec) {
        capacity = spec.capacity
        timeoutSeconds = spec.timeoutSeconds
    }

    var count: Int { requests.count }
    var isEmpty: Bool { requests.isEmpty }
    var first: Request? { requests.first }

    mutating func append(_ request: Request) { requests.append(request) }
    mutating func removeFirst() -> Request { requests.removeFirst() }
    mutating func removeLast() -> Request { requests.removeLast() }
    mutating func prepend(_ older: [Request]) { requests.insert(contentsOf: older, at: 0) }

    /// Empties the queue, returning what waited, in order.
    mutating func takeAll() -> [Request] {
        defer { requests.removeAll() }
        return Array(requests)
    }

    /// Sets the timeout timer for the head, unless one is pending.
    mutating func armTimeout<Kind: TimerKind>(_ timers: Timers<Kind>, _ kind: Kind, slot: Int = 0) {
        guard let timeoutSeconds, !timerPending, let oldest = requests.first else { return }
        timerPending = true
        timers.set(kind, slot: slot, at: max(oldest.arrival + timeoutSeconds, timers.now))
    }

    /// Sets a timeout timer for a new head that may be due before the pending one (requests queued again after a
    /// reclaim are older than the rest).
    func armTimeoutForNewHead<Kind: TimerKind>(_ timers: Timers<Kind>, _ kind: Kind) {
        guard let timeoutSeconds, let oldest = requests.first else { return }
        timers.set(kind, at: max(oldest.arrival + timeoutSeconds, timers.now))
    }

    /// The timeout timer fired: removes and returns every request that has waited `timeout` or longer, then re-arms.
    mutating func expire<Kind: TimerKind>(_ timers: Timers<Kind>, _ kind: Kind, slot: Int = 0) -> [Request] {
        timerPending = false
        guard let timeoutSeconds else { return [] }
        var expired: [Request] = []
        while let oldest = requests.first, oldest.arrival + timeoutSeconds <= timers.now {
            expired.append(requests.removeFirst())
        }
        armTimeout(timers, kind, slot: slot)
        return expired
    }
}
