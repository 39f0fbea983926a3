import FleetSimKernel

/// The file formats of recorded request traces FleetSim reads.
public enum TraceFormat: String, Sendable, CaseIterable {
    /// Azure LLM inference trace 2023: `TIMESTAMP,ContextTokens,GeneratedTokens`, timestamps
    /// `YYYY-MM-DD HH:MM:SS.fffffff` without a time zone.
    case azure
    /// Mooncake JSON lines: `timestamp` (milliseconds), `input_length`, `output_length`.
    case mooncake
    /// FleetSim's own CSV: a header naming `time_s`, `prompt_tokens`, `output_tokens` and optionally `class`.
    case csv
}

/// One recorded request; times are seconds since the trace's first request.
public struct TraceRecord: Sendable, Equatable {
    public var timeSeconds: Double
    public var promptTokens: Int
    public var outputTokens: Int
    public var className: String?
    /// Hashes of the prompt's fixed-size token blocks, each covering the prompt up to its end (Mooncake's `hash_ids`):
    /// two prompts with the same first k hashes share their first k blocks. Empty when the trace has none.
    public var prefixBlocks: [Int]

    public init(
        timeSeconds: Double, promptTokens: Int, outputTokens: Int, className: String? = nil, prefixBlocks: [Int] = []
    ) {
        self.prefixBlocks = prefixBlocks
        self.timeSeconds = timeSeconds
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
        self.className = className
    }
}

/// Where a replay reads its records: a trace file in practice (opened at the edge, by FleetSimIO), an array in tests.
/// Records come in time order; `restart` goes back to the first one for a looping replay.
public protocol TraceSource: AnyObject {
    func next() -> TraceRecord?
    func restart()
}

/// Records given in code, for replaying a handful of requests exactly (tests, examples, programmatic use).
public final class InMemoryTrace: TraceSource {
    public let records: [TraceRecord]
    private var position = 0
    /// How many times the replay went back to the start (loops).
    public private(set) var restarts = 0

    public init(_ records: [TraceRecord]) { self.records = records }

    public func next() -> TraceRecord? {
        guard position < records.count else { return nil }
        defer { position += 1 }
        return records[position]
    }

    public func restart() {
        position = 0
        restarts += 1
    }
}

/// How a recorded trace is replayed: which part of it, how fast, how often, and how much of it.
///
/// Times in the trace are measured from its first record. The window [`startSeconds`, `startSeconds + duration`) is
/// cut in trace time, then shifted to start at 0 and divided by `speedup`. With `loopPeriodSeconds` the window is
/// replayed again and again, each pass shifted by that period (in trace time), until the horizon.
public struct TraceReplay: Sendable, Equatable {
    public var path: String
    public var format: TraceFormat?
    public var speedup: Double
    public var startSeconds: Double
    public var durationSeconds: Double?
    public var loopPeriodSeconds: Double?
    /// Each record is replayed `scale` times on average: below 1 a random share is kept (thinning), above 1 the
    /// extra copies are spread uniformly over the gap to the next record, so the shape of the load is kept.
    public var scale: Double
    /// The KV cache the prompts' prefix blocks meet (a trace with `hash_ids`); nil: no prefix reuse is modelled.
    public var prefixCache: PrefixCacheSpec?

    public init(
        path: String, format: TraceFormat? = nil, speedup: Double = 1, startSeconds: Double = 0,
        durationSeconds: Double? = nil, loopPeriodSeconds: Double? = nil, scale: Double = 1
    ) {
        self.path = path
        self.format = format
        self.speedup = speedup
        self.startSeconds = startSeconds
        self.durationSeconds = durationSeconds
        self.loopPeriodSeconds = loopPeriodSeconds
        self.scale = scale
    }
}

/// Turns the records of a `TraceSource` into arrivals according to a `TraceReplay`, one at a time.
public struct TraceReplayGenerator {
    public struct Arrival: Equatable {
        public var time: Double
        public var record: TraceRecord
    }

    let replay: TraceReplay
    let source: TraceSource
    let horizon: Double
    /// Draws for thinning and replicating (`scale` ≠ 1) only.
    let stream: RandomStream
    private var pass = 0
    private var replayedThisPass = 0
    private var lookahead: Arrival?
    /// The time of the record before the current one.
    private var previousTime = 0.0
    private var exhausted = false
    /// Copies still to emit, latest first.
    private var pending: [Arrival] = []

    public init(replay: TraceReplay, source: TraceSource, horizon: Double, stream: RandomStream) {
        self.replay = replay
        self.source = source
        self.horizon = horizon
        self.stream = stream
        lookahead = nextInWindow()
    }

    /// The next arrival before the horizon, or nil when the replay is over.
    public mutating func next() -> Arrival? {
        while true {
            if let copy = pending.popLast() { return copy }
            guard let current = lookahead, current.time < horizon else { return nil }
            lookahead = nextInWindow()
            defer { previousTime = current.time }
            let copies = copyCount()
            guard copies > 0 else { continue }
            if copies == 1 { return current }
            // The copies after the first go uniformly into the gap before the next record (after the last record,
            // a gap as long as the one before it).
            let gapEnd = min(lookahead?.time ?? (2 * current.time - previousTime), horizon)
            var copiesLatestFirst = (1..<copies).map { _ in
                Arrival(time: current.time + stream.uniform() * (gapEnd - current.time), record: current.record)
            }
            copiesLatestFirst.sort { $0.time > $1.time }
            pending = copiesLatestFirst
            return current
        }
    }

    private func copyCount() -> Int {
        let scale = replay.scale
        if scale == 1 { return 1 }
        let whole = scale.rounded(.down)
        return Int(whole) + (stream.uniform() < scale - whole ? 1 : 0)
    }

    /// The next record inside the replay window, as an arrival in simulated time; nil when the trace (and its
    /// looping) is over.
    private mutating func nextInWindow() -> Arrival? {
        while !exhausted {
            let windowEnd = replay.durationSeconds.map { replay.startSeconds + $0 } ?? .infinity
            guard let record = source.next(), record.timeSeconds < windowEnd else {
                startNextPass()
                continue
            }
            if record.timeSeconds < replay.startSeconds { continue }
            let time = (passStart() + record.timeSeconds - replay.startSeconds) / replay.speedup
            if time >= horizon { break }
            replayedThisPass += 1
            return Arrival(time: time, record: record)
        }
        exhausted = true
        return nil
    }

    /// Goes back to the trace's start for the next pass, or ends the replay when it does not loop, when the next
    /// pass would start after the horizon, or when the window held no record at all.
    private mutating func startNextPass() {
        guard replay.loopPeriodSeconds != nil, replayedThisPass > 0 else {
            exhausted = true
            return
        }
        pass += 1
        replayedThisPass = 0
        source.restart()
        if passStart() / replay.speedup >= horizon { exhausted = true }
    }

    private func passStart() -> Double {
        Double(pass) * (replay.loopPeriodSeconds ?? 0)
    }
}
