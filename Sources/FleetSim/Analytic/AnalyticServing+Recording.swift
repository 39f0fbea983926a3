import FleetSimKernel
import Foundation

/// Recording a step: the counts as whole requests, and each latency's distribution as weighted points in the
/// histograms the discrete-event engine fills.
extension AnalyticServing {
    func record(
        completions served: Double, rework: Double, arrivals arrivedCount: Int,
        dropped: (timedOut: Double, rejected: Double), wait: QuantileGrid, now: Double
    ) {
        let completedCount = completed.add(served)
        let reworkCount = min(reworked.add(rework), completedCount)
        let count = completedCount - reworkCount
        let served = served - rework
        let timedOutCount = timedOut.add(dropped.timedOut)
        let rejectedCount = rejected.add(dropped.rejected)
        let slo = recorder.slo
        fillCells(wait: wait)
        let met = slo.map(metShares) ?? (both: 0, e2e: 0, ttft: 0)
        let waitedShare = zip(wait.values, wait.weights).reduce(0) { $0 + ($1.0 > 0 ? $1.1 : 0) }
        let counts = (
            waited: waited.add(served * waitedShare), both: metBoth.add(served * met.both),
            e2e: metE2E.add(served * met.e2e), ttft: metTTFT.add(served * met.ttft),
            prompt: promptTokens.add(served * model.meanPrompt),
            output: outputTokens.add(served * (model.usesTokens ? model.meanWork : 0)))
        let e2eUnits = Self.allocate(e2eCells, requests: count)
        let ttftUnits = recorder.measuresTokens ? Self.allocate(ttftCells, requests: count) : []
        let waitUnits = Self.allocate(zip(wait.values, wait.weights).map { ($0, $1) }, requests: count)
        let decoding = recorder.measuresTokens ? Int((Double(count) * decodingShare).rounded()) : 0
        let tokenSeconds = point.tokenSeconds
        recorder.analytic(afterWarmup: now >= recorder.warmupSeconds) { totals, latencies in
            totals.requests.arrivals += arrivedCount
            totals.requests.completed += completedCount
            totals.requests.timedOut += timedOutCount
            totals.requests.rejected += rejectedCount
            totals.requests.promptTokens += counts.prompt
            totals.requests.outputTokens += counts.output
            guard latencies else { return }
            totals.requests.waited += counts.waited
            if slo != nil {
                totals.slo.counted += count + timedOutCount + rejectedCount
                totals.slo.met += counts.both
                totals.slo.metE2E += counts.e2e
                totals.slo.metTTFT += counts.ttft
            }
            totals.e2e.record(e2eUnits, requests: count)
            if !totals.ttftIsE2E { totals.ttft.record(ttftUnits, requests: count) }
            totals.queueWait.record(waitUnits, requests: count)
            if decoding > 0 { totals.tpot.record([(tokenSeconds, UInt64(decoding) * LatencyStats.unitsPerRequest)],
                                                 requests: decoding) }
        }
    }

    /// The step's latency points: end-to-end over wait × work (× prompt), and time to first token over wait × prompt.
    private func fillCells(wait: QuantileGrid) {
        e2eCells.removeAll(keepingCapacity: true)
        ttftCells.removeAll(keepingCapacity: true)
        switch model.mode {
        case .generic:
            for (w, pw) in zip(wait.values, wait.weights) where pw > 0 {
                for (s, ps) in zip(workGrid.values, workGrid.weights) {
                    e2eCells.append((w + s, pw * ps))
                }
            }
        case .continuous(let profile, _, _):
            // Before its prefill a request waits for a slot (the queue), then to be admitted: an idle replica takes
            // it at once; otherwise the first replica to look at the central queue does — the one it was sent to at
            // its next step boundary (half a step on average), or any replica a sequence leaves, which happens at the
            // fleet's completion rate. Whoever looks admits every request waiting, so its prefill holds the prompts
            // of those that were waiting when it arrived and of those that arrived while it waited: Poisson, with
            // twice the arrivals of the mean admission wait (PASTA, then the wait itself).
            let busy = 1 - exp(-point.sequences)
            let lookRate = stepRate + (point.stepSeconds > 0 ? 2 / point.stepSeconds : .infinity)
            let admission = QuantileGrid.wait(probabilityOfWait: busy, meanWait: 1 / lookRate, offset: 0)
            let key = Int((busy * 2 * stepRate / lookRate * 200).rounded())
            if promptWithOthers[key] == nil {
                promptWithOthers[key] = promptGrid.adding(Self.together(promptSums, mean: Double(key) / 200))
            }
            let firstToken = wait.adding(admission).adding(promptWithOthers[key]!, shift: profile.prefillBaseSeconds)
            for (ttft, pt) in zip(firstToken.values, firstToken.weights) {
                ttftCells.append((ttft, pt))
                for (o, po) in zip(workGrid.values, workGrid.weights) {
                    e2eCells.append((ttft + (max(o, 1) - 1) * point.tokenSeconds, pt * po))
                }
            }
        }
    }

    /// The prefill seconds of a Poisson number of other prompts with this mean, from the sums of one to four
    /// (more is counted as four: at the means this engine meets, under 2 %).
    static func together(_ sums: [QuantileGrid], mean: Double) -> QuantileGrid {
        var grid = QuantileGrid(constant: 0)
        grid.weights = [exp(-mean)]
        var probability = exp(-mean)
        var remaining = 1 - probability
        for (index, sum) in sums.enumerated() {
            probability *= mean / Double(index + 1)
            let weight = index == sums.count - 1 ? remaining : min(probability, remaining)
            remaining -= weight
            grid.values += sum.values
            grid.weights += sum.weights.map { $0 * weight }
        }
        return grid
    }

    /// The shares of the step's requests meeting both objectives, the e2e one and the TTFT one, in one pass over the
    /// e2e points: each point's TTFT is its own value in the generic mode (the answer is the first token), and the
    /// TTFT point it was built from under continuous batching (`fillCells` makes one row of work points per TTFT
    /// point), so the two objectives are judged jointly per point.
    private func metShares(_ slo: SLOSpec) -> (both: Double, e2e: Double, ttft: Double) {
        var met = (both: 0.0, e2e: 0.0, ttft: 0.0)
        let perTTFT = workGrid.values.count
        for (index, cell) in e2eCells.enumerated() {
            let ttft = ttftCells.isEmpty ? cell.value : ttftCells[index / perTTFT].value
            let check = slo.check(e2eSeconds: cell.value, ttftSeconds: ttft)
            if check.e2e { met.e2e += cell.weight }
            if check.ttft { met.ttft += cell.weight }
            if check.e2e && check.ttft { met.both += cell.weight }
        }
        return met
    }

    /// `requests` whole requests spread over weighted points as histogram units (`LatencyStats.unitsPerRequest`
    /// each), by cumulative rounding: the units add up exactly, and a point of small weight still gets its share.
    static func allocate(_ cells: [(value: Double, weight: Double)], requests: Int) -> [(Double, UInt64)] {
        guard requests > 0 else { return [] }
        let total = cells.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return [] }
        let units = UInt64(requests) * LatencyStats.unitsPerRequest
        var result: [(Double, UInt64)] = []
        result.reserveCapacity(cells.count)
        var cumulative = 0.0
        var given: UInt64 = 0
        for (index, cell) in cells.enumerated() where cell.weight > 0 {
            cumulative += cell.weight
            let upTo = index == cells.count - 1 ? units : min(UInt64((cumulative / total * Double(units)).rounded()), units)
            if upTo > given {
                result.append((cell.value, upTo - given))
                given = upTo
            }
        }
        if given < units, !result.isEmpty { result[result.count - 1].1 += units - given }
        return result
    }
}
