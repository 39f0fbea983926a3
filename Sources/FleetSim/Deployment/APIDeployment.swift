import FleetSimKernel

/// A per-token API: the provider answers every request it admits after a drawn time to first token and streams the
/// output at a drawn speed; it bills each answered request by its tokens. Requests above the account's rate limits
/// get a 429 and are retried after a backoff, or fail when the retries run out.
///
/// The provider's own capacity is not modelled beyond its latency distributions and the limits: an API never
/// queues a request on the account's behalf.
final class APIDeployment: Deployment {
    enum Timer: UInt8, TimerKind {
        case answered, retry
        static let part = Part.serving
    }

    /// A request with the provider: being answered, or waiting to retry after a 429.
    private struct Pending {
        var request: Request
        var firstTokenAt = 0.0
        var retries = 0
    }

    let spec: DeploymentSpec
    let recorder: Recorder
    private let api: APISpec
    private let cache: ResponseCache?
    private var requestBucket: TokenBucket?
    private var tokenBucket: TokenBucket?
    private let ttftStream: RandomStream
    private let speedStream: RandomStream
    private let retryStream: RandomStream
    private var pending: [Pending] = []
    private var freeSlots: [Int32] = []
    private var answering = 0
    private var waitingToRetry = 0
    private let timers: Timers<Timer>

    init(spec: DeploymentSpec, api: APISpec, context: DeploymentContext) {
        self.spec = spec
        self.api = api
        recorder = context.recorder(spec, measuresTokens: true)
        cache = context.cache(spec)
        requestBucket = api.limits.requestsPerMinute.map { TokenBucket(perMinute: $0) }
        tokenBucket = api.limits.tokensPerMinute.map { TokenBucket(perMinute: $0) }
        ttftStream = context.stream("ttft.\(spec.name)")
        speedStream = context.stream("speed.\(spec.name)")
        retryStream = context.stream("retry.\(spec.name)")
        timers = context.timers()
    }

    var inFlight: Int { answering + waitingToRetry }

    var servingSlots: Int { 0 }

    func start() {}

    func arrive(_ request: Request) {
        recorder.arrived(request)
        var request = request
        if let cache, cache.answers(&request, now: timers.now, recorder: recorder) { return }
        attempt(Pending(request: request))
    }

    func handle(_ event: Event) {
        let slot = Int(event.slot)
        switch Timer(rawValue: event.kind)! {
        case .answered:
            answered(slot)
        case .retry:
            waitingToRetry -= 1
            let retrying = pending[slot]
            release(slot)
            attempt(retrying)
        }
    }

    func integrate(over seconds: Double) -> (ready: Int, costPerSecond: Double) {
        if answering != 0 || waitingToRetry != 0 {
            recorder.window.integrate(Levels(queued: waitingToRetry, inService: answering), over: seconds)
        }
        return (0, 0)
    }

    /// Sends the request to the provider: admitted within the limits, or refused with a 429.
    private func attempt(_ request: Pending) {
        var request = request
        let now = timers.now
        let tokens = Double(request.request.promptTokens) + Double(request.request.outputTokens)
        if admits(tokens: tokens, now: now) {
            request.firstTokenAt = now + max(api.ttft.sample(ttftStream), 0)
            let output = Int(request.request.outputTokens)
            let speed = max(api.outputTokensPerSecond.sample(speedStream), 1)
            let end = request.firstTokenAt + (output > 1 ? Double(output - 1) / speed : 0)
            answering += 1
            timers.set(.answered, slot: store(request), at: end)
            return
        }
        recorder.count(\.requests.throttled)
        guard request.retries < api.retry.maxRetries else {
            recorder.ended(request.request, .failed)
            return
        }
        request.retries += 1
        recorder.count(\.requests.retries)
        waitingToRetry += 1
        let delay = api.retry.delay(retry: request.retries, jitter: retryStream.uniform())
        timers.set(.retry, slot: store(request), at: now + delay)
    }

    private func answered(_ slot: Int) {
        answering -= 1
        let done = pending[slot]
        release(slot)
        let request = done.request
        let prompt = Int(request.promptTokens)
        recorder.addAPICost(api.prices.cost(
            promptTokens: prompt, cachedTokens: request.cachedPromptTokens(spec.promptCaching),
            outputTokens: Int(request.outputTokens)))
        let now = timers.now
        recorder.completed(request, e2eSeconds: now - request.arrival, ttftSeconds: done.firstTokenAt - request.arrival)
    }

    /// Both buckets must hold the request (one request, its tokens); it then takes from both.
    private func admits(tokens: Double, now: Double) -> Bool {
        requestBucket?.refill(now: now)
        tokenBucket?.refill(now: now)
        guard requestBucket.map({ $0.level >= 1 }) ?? true, tokenBucket.map({ $0.level >= tokens }) ?? true else {
            return false
        }
        requestBucket?.level -= 1
        tokenBucket?.level -= tokens
        return true
    }

    private func store(_ request: Pending) -> Int {
        if let slot = freeSlots.popLast() {
            pending[Int(slot)] = request
            return Int(slot)
        }
        pending.append(request)
        return pending.count - 1
    }

    private func release(_ slot: Int) { freeSlots.append(Int32(slot)) }
}

/// A per-minute limit as a token bucket: it holds at most a minute's allowance and refills continuously, so a burst
/// may take a minute's worth at once and the long-run rate is the limit.
struct TokenBucket {
    let capacity: Double
    let perSecond: Double
    var level: Double
    private var updatedAt = 0.0

    init(perMinute: Double) {
        capacity = perMinute
        perSecond = perMinute / 60
        level = perMinute
    }

    mutating func refill(now: Double) {
        level = min(capacity, level + (now - updatedAt) * perSecond)
        updatedAt = now
    }
}
