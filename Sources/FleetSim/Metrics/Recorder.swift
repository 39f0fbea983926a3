/// Where one deployment's statistics go: the current timeline window, the run's totals, and the totals of each
/// request class it serves. Every part records through it, so a request is counted in all three in one place.
///
/// A class shared by the deployment's parts (identity is the point: there is one window per deployment). The run's
/// totals and the class totals leave out the warm-up's latencies and SLO counts; the window keeps them.
final class Recorder {
    var window = Accumulator(.window)
    var total = Accumulator(.run)
    /// Run totals per request class, when more than one class reaches the deployment; `classSlot` maps a class index
    /// to its slot (-1 for classes that never reach it). With one class, the deployment's totals are the class's.
    var classTotals: [Accumulator] = []
    let classSlot: [Int]
    /// The classes whose requests can reach the deployment (directly or handed on), in class order.
    let reachingClasses: [Int]
    let slo: SLOSpec?
    let warmupSeconds: Double
    /// Whether time per output token is measured (LLM profiles, APIs); the generic mode answers whole.
    let measuresTokens: Bool
    /// The quality of the deployment's answers, counted for every request it completes.
    let quality: Double?
    /// How the deployment's prefix cache serves prompts, for counting the prompt tokens it served.
    let promptCaching: PromptCaching
    /// A cascade: answers that go on to the next tier instead of ending here.
    var cascade: Cascade?

    init(reachingClasses: [Int], classCount: Int, slo: SLOSpec?, warmupSeconds: Double, measuresTokens: Bool,
         quality: Double? = nil, promptCaching: PromptCaching = .off) {
        var slots = [Int](repeating: -1, count: classCount)
        for (slot, classIndex) in reachingClasses.enumerated() { slots[classIndex] = slot }
        classSlot = slots
        self.reachingClasses = reachingClasses
        if reachingClasses.count > 1 {
            classTotals = reachingClasses.map { _ in Accumulator(.run) }
        }
        self.slo = slo
        self.warmupSeconds = warmupSeconds
        self.measuresTokens = measuresTokens
        self.quality = quality
        self.promptCaching = promptCaching
        if !measuresTokens {
            // In the generic mode the first token is the whole answer: TTFT is the e2e latency, recorded once.
            window.ttftIsE2E = true
            total.ttftIsE2E = true
            for index in classTotals.indices { classTotals[index].ttftIsE2E = true }
        }
    }

    /// The run totals of one class's requests here; nil when the class never reaches this deployment.
    func totals(forClass classIndex: Int) -> Accumulator? {
        let slot = classSlot[classIndex]
        guard slot >= 0 else { return nil }
        return classTotals.isEmpty ? total : classTotals[slot]
    }

    func arrived(_ request: Request) {
        window.requests.arrivals += 1
        total.requests.arrivals += 1
        forClass(request) { $0.requests.arrivals += 1 }
    }

    /// Counts the time a request waited before service.
    func waited(_ request: Request, now: Double) {
        let wait = now - request.arrival
        window.queueWait.record(wait)
        if wait > 0 { window.requests.waited += 1 }
        if request.arrival >= warmupSeconds {
            total.queueWait.record(wait)
            if wait > 0 { total.requests.waited += 1 }
            forClass(request) {
                $0.queueWait.record(wait)
                if wait > 0 { $0.requests.waited += 1 }
            }
        }
    }

    /// A request answered here, `e2eSeconds` after it arrived here; its latencies count from the client's send. A
    /// cascade may send the answer on instead: the request then ends at the next tier.
    func completed(_ request: Request, e2eSeconds here: Double, ttftSeconds ttftHere: Double) {
        if let cascade, cascade.escalates(request) {
            escalate(request, now: request.arrival + here, to: cascade)
            return
        }
        answered(request, e2eSeconds: here, ttftSeconds: ttftHere)
    }

    /// A request ends here, answered.
    private func answered(_ request: Request, e2eSeconds here: Double, ttftSeconds ttftHere: Double) {
        let upstream = Double(request.upstreamSeconds)
        let e2eSeconds = here + upstream
        let ttftSeconds = ttftHere + upstream
        let met = slo?.check(e2eSeconds: e2eSeconds, ttftSeconds: ttftSeconds) ?? (false, false)
        let perToken: Double? = measuresTokens && request.outputTokens > 1
            ? (e2eSeconds - ttftSeconds) / Double(request.outputTokens - 1) : nil
        let afterWarmup = request.arrival >= warmupSeconds
        let cached = request.cachedPromptTokens(promptCaching)
        window.recordCompletion(request, cachedPromptTokens: cached, e2e: e2eSeconds, ttft: ttftSeconds, tpot: perToken,
                                latencies: true)
        total.recordCompletion(request, cachedPromptTokens: cached, e2e: e2eSeconds, ttft: ttftSeconds, tpot: perToken,
                               latencies: afterWarmup)
        forClass(request) {
            $0.recordCompletion(request, cachedPromptTokens: cached, e2e: e2eSeconds, ttft: ttftSeconds, tpot: perToken,
                                latencies: afterWarmup)
        }
        countForSLO(request, met: met)
        if let quality {
            count(\.requests.qualityCount)
            window.requests.qualitySum += quality
            total.requests.qualitySum += quality
            forClass(request) {
                $0.requests.qualityCount += 1
                $0.requests.qualitySum += quality
            }
        }
    }

    /// How a request was handed on to another deployment.
    enum HandOff {
        case routed, escalated, overflowed
    }

    /// Counts a request handed on (it arrives at the next deployment, which counts it again).
    func forwarded(_ request: Request, _ how: HandOff) {
        count(\.requests.forwarded)
        forClass(request) { $0.requests.forwarded += 1 }
        switch how {
        case .routed: break
        case .escalated:
            count(\.requests.escalated)
            forClass(request) { $0.requests.escalated += 1 }
        case .overflowed:
            count(\.requests.overflowed)
            forClass(request) { $0.requests.overflowed += 1 }
        }
    }

    /// The cache looked the request up; a hit is answered now, after the lookup's latency.
    func lookedUp(_ request: Request, hit: Bool, cache: CacheSpec) {
        count(\.requests.cacheLookups)
        forClass(request) { $0.requests.cacheLookups += 1 }
        if cache.lookupCost != 0 { addAPICost(cache.lookupCost) }
        guard hit else { return }
        count(\.requests.cacheHits)
        forClass(request) { $0.requests.cacheHits += 1 }
        var answered = request
        answered.outputTokens = 0  // a cached answer costs no generation; its tokens are not served here
        answered.promptTokens = 0
        answered.cachedPrefixTokens = 0
        self.answered(answered, e2eSeconds: cache.lookupSeconds, ttftSeconds: cache.lookupSeconds)
    }

    /// Money a deployment pays per call (API tokens, cache lookups, classifier calls), in the current window.
    func addAPICost(_ usd: Double) {
        window.cost.api += usd
        spentSinceBudgetLook += usd
    }

    /// Per-call money spent since the budget watch last took it (it accrues at instants, not as a rate).
    var spentSinceBudgetLook = 0.0

    private func escalate(_ request: Request, now: Double, to cascade: Cascade) {
        // The tier served it: its tokens count here, its answer is not the end.
        window.requests.promptTokens += Int(request.promptTokens)
        window.requests.outputTokens += Int(request.outputTokens)
        total.requests.promptTokens += Int(request.promptTokens)
        total.requests.outputTokens += Int(request.outputTokens)
        forClass(request) {
            $0.requests.promptTokens += Int(request.promptTokens)
            $0.requests.outputTokens += Int(request.outputTokens)
        }
        forwarded(request, .escalated)
        cascade.path.send(request.handedOn(at: now), to: cascade.target)
    }

    /// How a request ended without being served.
    enum Unserved {
        /// Refused on arrival: the queue was full, or it could never fit a replica's KV budget.
        case rejected
        /// Gave up waiting (client timeout).
        case timedOut
        /// Lost with a reclaimed instance, not retried.
        case failed
    }

    func ended(_ request: Request, _ how: Unserved) {
        switch how {
        case .rejected:
            window.requests.rejected += 1
            total.requests.rejected += 1
            forClass(request) { $0.requests.rejected += 1 }
        case .timedOut:
            window.requests.timedOut += 1
            total.requests.timedOut += 1
            forClass(request) { $0.requests.timedOut += 1 }
        case .failed:
            window.requests.failed += 1
            total.requests.failed += 1
            forClass(request) { $0.requests.failed += 1 }
        }
        countForSLO(request, met: (false, false))
    }

    /// Fleet happenings counted in the window and the run: `count(\.fleet.coldStarts)`.
    func count(_ field: WritableKeyPath<Accumulator, Int>, by amount: Int = 1) {
        window[keyPath: field] += amount
        total[keyPath: field] += amount
    }

    /// Applies `update` to the run totals of the request's class, when this deployment serves several classes.
    @inline(__always)
    private func forClass(_ request: Request, _ update: (inout Accumulator) -> Void) {
        guard !classTotals.isEmpty else { return }
        update(&classTotals[classSlot[Int(request.classIndex)]])
    }

    /// Every request that ends counts towards SLO attainment; rejected, timed-out and failed ones count as misses.
    private func countForSLO(_ request: Request, met: (e2e: Bool, ttft: Bool)) {
        window.countForSLO(met)
        if request.arrival >= warmupSeconds {
            total.countForSLO(met)
            forClass(request) { $0.countForSLO(met) }
        }
    }
}
