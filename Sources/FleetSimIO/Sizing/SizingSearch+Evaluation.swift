import FleetSim
import FleetSimKernel
import Foundation

/// Running a fleet's replications and judging its objectives.
extension SizingSearch {
    /// Runs the replications of one scenario and judges its objectives.
    static func evaluate(
        _ scenario: Scenario, spec: SizingSpec, replicas: Int, jobs: Int, resources: ResourceLimits, counter: RunCounter
    ) async throws -> Evaluation {
        let name = spec.deployment.name
        let limits = try resources.simulationLimits(for: scenario, file: spec.file, concurrentRuns: min(jobs, spec.replications))
        let runs = try await ParallelRuns.map(spec.replications, jobs: jobs) { replication in
            let timeline = WindowsObserved(deployment: name)
            let result = try Experiment.simulate(scenario, replication: replication, observer: timeline, limits: limits,
                                                 resources: resources, label: "a sizing run")
            counter.add()
            return (result, timeline.arrivals,
                    SavingsPlanBill.hourly(timeline.onDemandCost, horizonSeconds: scenario.durationSeconds),
                    timeline.windowsHolding(scenario.slo!, warmupSeconds: scenario.warmupSeconds))
        }
        // A mix puts a router in the deployment's place and is the scenario's only deployment: judged on every request.
        let isMix = !scenario.deployments[spec.deploymentIndex].isReplicas
        let deployments = runs.map { isMix ? $0.0.total : $0.0.deployments[spec.deploymentIndex] }
        var objectives: [Objective] = []
        let slo = scenario.slo!
        let oneSidedLevel = 2 * spec.confidence - 1
        for (objectiveName, objective, attainment, observed) in [
            ("e2e", slo.e2e, deployments.map { $0.slo?.e2eAttainment }, deployments.map { $0.slo?.e2eObserved }),
            ("ttft", slo.ttft, deployments.map { $0.slo?.ttftAttainment }, deployments.map { $0.slo?.ttftObserved }),
        ] {
            guard let objective else { continue }
            // A run with no request to judge meets nothing.
            var values = attainment.map { $0 ?? 0 }
            if spec.perWindow != nil { values = runs.map { objectiveName == "e2e" ? $0.3.e2e : $0.3.ttft } }
            let estimate = MeanEstimate(values, level: oneSidedLevel)
            let observedValues = observed.compactMap { $0 }
            objectives.append(Objective(
                name: objectiveName, percentile: objective.percentile, thresholdSeconds: objective.thresholdSeconds,
                attainment: estimate.mean, lowerBound: estimate.halfWidth.isFinite ? estimate.lower : estimate.mean,
                observedSeconds: observedValues.isEmpty ? nil : observedValues.reduce(0, +) / Double(observedValues.count),
                windowShare: spec.perWindow))
        }
        let windows = runs.map(\.1.count).max() ?? 0
        let arrivals = (0..<windows).map { window in
            runs.reduce(0.0) { $0 + ($1.1.indices.contains(window) ? $1.1[window] : 0) } / Double(runs.count)
        }
        return Evaluation(
            replicas: replicas, objectives: objectives, costs: runs.map { $0.0.total.cost }, arrivalsPerWindow: arrivals,
            onDemandHourly: runs.map(\.2), replicasMax: deployments.map(\.replicasMax).max() ?? 0)
    }

    /// Counts runs across threads, and says what the search is doing, for the status line and the summary.
    final class RunCounter: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var count = 0
        private var doing = ""
        private let progress: @Sendable (Int, String) -> Void

        init(_ progress: @escaping @Sendable (Int, String) -> Void) { self.progress = progress }

        func add() {
            lock.lock()
            count += 1
            let (now, what) = (count, doing)
            lock.unlock()
            progress(now, what)
        }

        func step(_ what: String) {
            lock.lock()
            doing = what
            let now = count
            lock.unlock()
            progress(now, what)
        }
    }

    /// Keeps one deployment's arrivals and on-demand spend per timeline window.
    final class WindowsObserved: SimulationObserver {
        let deployment: String
        private(set) var arrivals: [Double] = []
        private(set) var onDemandCost: [(start: Double, end: Double, amount: Double)] = []
        private(set) var rows: [TimelineRow] = []

        init(deployment: String) { self.deployment = deployment }

        func windowClosed(_ rows: [TimelineRow]) {
            for row in rows where row.deployment == deployment {
                arrivals.append(Double(row.arrivals))
                onDemandCost.append((row.windowStartSeconds, row.windowEndSeconds, row.cost.onDemand))
                self.rows.append(row)
            }
        }

        /// The share of windows after the warm-up, among those with arrivals, in which each objective held: the
        /// window's percentile within the threshold, and no more requests rejected, timed out or failed than the
        /// percentile leaves room for (those have no latency, and would otherwise hide a window's misses).
        func windowsHolding(_ slo: SLOSpec, warmupSeconds: Double) -> (e2e: Double, ttft: Double) {
            let judged = rows.filter { $0.windowStartSeconds >= warmupSeconds && $0.arrivals > 0 }
            func share(_ objective: SLOSpec.Objective?, _ summary: (TimelineRow) -> LatencySummary) -> Double {
                guard let objective, !judged.isEmpty else { return 0 }
                let holding = judged.filter { row in
                    let lost = Double(row.rejected + row.timedOut + row.failed)
                    guard lost <= (1 - objective.percentile) * Double(row.arrivals) else { return false }
                    guard let value = Self.value(summary(row), at: objective.percentile) else { return lost == 0 && summary(row).count == 0 }
                    return value <= objective.thresholdSeconds
                }
                return Double(holding.count) / Double(judged.count)
            }
            return (share(slo.e2e, \.e2e), share(slo.ttft, \.ttft))
        }

        /// The percentiles a timeline row keeps; nil for others (the loader refuses `perWindow` for them).
        static func value(_ summary: LatencySummary, at percentile: Double) -> Double? {
            let kept: [(Double, Double?)] = [(0.5, summary.p50), (0.9, summary.p90), (0.95, summary.p95),
                                             (0.99, summary.p99), (0.999, summary.p999)]
            return kept.first { abs($0.0 - percentile) < 1e-9 }?.1 ?? nil
        }

        static let windowPercentiles = [0.5, 0.9, 0.95, 0.99, 0.999]

        func fleetEvent(_ event: FleetEvent) {}
    }
}
