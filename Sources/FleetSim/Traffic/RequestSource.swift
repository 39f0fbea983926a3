import FleetSimKernel

/// Where a run's requests come from: synthetic arrivals on the scenario's rate curve, or the records of a replayed
/// trace; each gets its request class (by weight, or named by the trace) and its token lengths.
///
/// Each random source has its own stream (arrivals, MMPP bursts, random spikes, class choice, each class's prompt and
/// output lengths, trace scaling), so changing one never shifts another. Only the next request is ever made, so
/// memory does not grow with the number of requests.
struct RequestSource {
    /// Exactly one of the two is set. Two optionals rather than an enum, so each is mutated in place.
    private var synthetic: ArrivalGenerator?
    private var replay: TraceReplayGenerator?
    /// The rate curve of synthetic traffic (nil for a replay), for forecasts that know the traffic model.
    let curve: RateCurve?
    private let classStream: RandomStream
    private let classCumulativeWeights: [Double]
    private let classIndexByName: [String: Int32]
    private let tokenLengths: [(prompt: TokenLength?, output: TokenLength?)]
    private let hasTokenLengths: Bool
    /// Each class's difficulty and its stream (`traffic.difficulty.<class>`), when a route or a cascade reads it.
    private let difficulties: [(Distribution, RandomStream)]?
    /// A replayed trace's prefix blocks, looked up in arrival order (`traffic.trace.prefixCache`).
    private var prefixCache: PrefixCache?
    /// Each class's share of a prompt found in the prefix cache (`promptCache` on the class), when any class has one;
    /// a trace's prefix cache, when there is one, decides instead.
    private let classPromptCacheShares: [Double]?

    init(
        traffic: TrafficSpec, horizon: Double, trace: (any TraceSource)?, drawsDifficulty: Bool = false,
        stream: (String) -> RandomStream
    ) {
        difficulties = drawsDifficulty ? traffic.classes.map {
            ($0.difficulty ?? .uniform(lower: 0, upper: 1), stream("traffic.difficulty.\($0.name)"))
        } : nil
        if let replaySpec = traffic.trace {
            guard let trace else { preconditionFailure("the scenario replays a trace; pass its source") }
            replay = TraceReplayGenerator(replay: replaySpec, source: trace, horizon: horizon, stream: stream("traffic.trace"))
            prefixCache = replaySpec.prefixCache.map(PrefixCache.init)
            curve = nil
        } else {
            let random = traffic.randomSpikes?.realise(horizon: horizon, stream: stream("traffic.spikes")) ?? []
            let rateCurve = RateCurve(traffic: traffic, horizon: horizon, spikes: traffic.spikes + random)
            curve = rateCurve
            var burstStream: RandomStream?
            if case .mmpp = traffic.arrivals { burstStream = stream("traffic.bursts") }
            synthetic = ArrivalGenerator(
                curve: rateCurve, process: traffic.arrivals, stream: stream("traffic.arrivals"), burstStream: burstStream)
        }
        classStream = stream("traffic.classes")
        tokenLengths = traffic.classes.map { requestClass in
            (requestClass.promptTokens.map { TokenLength($0, stream("traffic.prompt.\(requestClass.name)")) },
             requestClass.outputTokens.map { TokenLength($0, stream("traffic.output.\(requestClass.name)")) })
        }
        classPromptCacheShares = traffic.classes.contains { $0.promptCacheShare != nil }
            ? traffic.classes.map { $0.promptCacheShare ?? 0 } : nil
        hasTokenLengths = tokenLengths.contains { $0.prompt != nil || $0.output != nil }
        classIndexByName = Dictionary(uniqueKeysWithValues: traffic.classes.enumerated().map { ($1.name, Int32($0)) })
        let totalWeight = traffic.classes.reduce(0) { $0 + $1.weight }
        var running = 0.0
        classCumulativeWeights = traffic.classes.map { running += $0.weight / totalWeight; return running }
    }

    /// The next request, or nil once the traffic is over.
    mutating func next() -> Request? {
        guard var request = nextRequest() else { return nil }
        if let classPromptCacheShares, prefixCache == nil {
            request.cachedPrefixTokens = Int32(Double(request.promptTokens) * classPromptCacheShares[Int(request.classIndex)])
        }
        if let difficulties {
            let (distribution, stream) = difficulties[Int(request.classIndex)]
            request.difficulty = Float(distribution.sample(stream))
        }
        return request
    }

    private mutating func nextRequest() -> Request? {
        if synthetic != nil {
            guard let time = synthetic!.next() else { return nil }
            let requestClass = pickClass()
            var request = Request(arrival: time, classIndex: Int32(requestClass))
            if hasTokenLengths {
                request.promptTokens = tokenLengths[requestClass].prompt?.draw() ?? 0
                request.outputTokens = tokenLengths[requestClass].output?.draw() ?? 0
            }
            return request
        }
        guard let arrival = replay!.next() else { return nil }
        let record = arrival.record
        // The trace names the class when it can; otherwise the weights decide, as for synthetic traffic.
        let requestClass = record.className.flatMap { classIndexByName[$0] } ?? Int32(pickClass())
        var request = Request(
            arrival: arrival.time, classIndex: requestClass,
            promptTokens: Int32(clamping: record.promptTokens), outputTokens: Int32(clamping: record.outputTokens))
        if prefixCache != nil, !record.prefixBlocks.isEmpty {
            let blocks = prefixCache!.lookUp(record.prefixBlocks)
            request.cachedPrefixTokens = Int32(prefixCache!.tokens(ofBlocks: blocks, promptTokens: Int(request.promptTokens)))
        }
        return request
    }

    private func pickClass() -> Int {
        guard classCumulativeWeights.count > 1 else { return 0 }
        let u = classStream.uniform()
        return classCumulativeWeights.firstIndex { u < $0 } ?? classCumulativeWeights.count - 1
    }
}

/// A token-length distribution with its own stream. Draws are rounded to whole tokens, at least one
/// (decisions.md #20).
struct TokenLength {
    let distribution: Distribution
    let stream: RandomStream

    init(_ distribution: Distribution, _ stream: RandomStream) {
        self.distribution = distribution
        self.stream = stream
    }

    func draw() -> Int32 {
        let value = distribution.sample(stream).rounded()
        return value >= 1 ? Int32(clamping: Int(min(value, 1e9))) : 1
    }
}
