/// Where one deployment's statistics go: the current timeline window, the run's totals, and the totals of each
/// request class it serves. Every part records through it, so a request is counted in all three in one place.
///
/// A class shared by the deployment's parts (identity is the point: there is one window per deployment). The run's
/// totals and the class totals leave out the warm-up's latencies and SLO counts; the window keeps them.
final class Recorder {
    var window = Accumulator(.window)
    var total = Accumulator(.run)
    /// Run totals per request class, when the deployment serves more than one; `classSlot` maps a class index to its
    /// slot (-1 for classes served elsewhere). With one class, the deployment's totals are the class's.
    var classTotals: [Accumulator] = []
    let classSlot: [Int]
    let slo: SLOSpec?
    let warmupSeconds: Double
    /// Whether time per output token is measured (LLM profiles); the generic mode answers whole.
    let measuresTokens: Bool

    init(deployment: String, classes: [RequestClass], slo: SLOSpec?, warmupSeconds: Double, measuresTokens: Bool) {
        let served = classes.indices.filter { classes[$0].deployment == deployment }
        var slots = [Int](repeating: -1, count: classes.count)
        for (slot, classIndex) in served.enumerated() { slots[classIndex] = slot }
        classSlot = slots
        if served.count > 1 {
            classTotals = served.map { _ in Accumulator(.run) }
        }
        self.slo = slo
        self.warmupSeconds = warmupSeconds
        self.measuresTokens = measuresTokens
        if !measuresTokens {
            // In the generic mode the first token is the whole answer: TTFT is the e2e latency, recorded once.
            window.ttftIsE2E = true
            total.ttftIsE2E = true
            for index in classTotals.indices { classTotals[index].ttftIsE2E = true }
        }
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

    func completed(_ request: Request, e2eSeconds: Double, ttftSeconds: Double) {
        let met = slo?.check(e2eSeconds: e2eSeconds, ttftSeconds: ttftSeconds) ?? (false, false)
        let perToken: Double? = measuresTokens && request.outputTokens > 1
            ? (e2eSeconds - ttftSeconds) / Double(request.outputTokens - 1) : nil
        let afterWarmup = request.arrival >= warmupSeconds
        window.recordCompletion(request, e2e: e2eSeconds, ttft: ttftSeconds, tpot: perToken, latencies: true)
        total.recordCompletion(request, e2e: e2eSeconds, ttft: ttftSeconds, tpot: perToken, latencies: afterWarmup)
        forClass(request) {
            $0.recordCompletion(request, e2e: e2eSeconds, ttft: ttftSeconds, tpot: perToken, latencies: afterWarmup)
        }
        countForSLO(request, met: met)
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
