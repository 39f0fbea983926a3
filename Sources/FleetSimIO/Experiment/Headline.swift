import FleetSim
import FleetSimKernel

/// The numbers an experiment compares across runs: spend, latency, objectives and fleet size, for the whole run
/// (all deployments). A metric a run cannot give (no SLO, no tokens) is NaN, written as an empty cell.
public enum Headline {
    public struct Metric: Sendable {
        public let name: String
        let value: @Sendable (DeploymentResult) -> Double?
    }

    public static let metrics: [Metric] = [
        Metric(name: "cost_total_usd") { $0.cost.total },
        Metric(name: "cost_per_million_tokens_usd") { $0.costPerMillionTokens },
        Metric(name: "e2e_p50_s") { $0.e2e.p50 },
        Metric(name: "e2e_p99_s") { $0.e2e.p99 },
        Metric(name: "ttft_p99_s") { $0.ttft.p99 },
        Metric(name: "queue_wait_mean_s") { $0.queueWait.mean },
        Metric(name: "slo_attainment") { $0.slo?.attainment },
        Metric(name: "replicas_mean") { $0.replicasMean },
        Metric(name: "gpu_hours_total") { $0.gpuHoursTotal },
        Metric(name: "completed") { Double($0.requests.completed) },
        Metric(name: "rejected") { Double($0.requests.rejected) },
        Metric(name: "timed_out") { Double($0.requests.timedOut) },
        Metric(name: "failed") { Double($0.requests.failed) },
        Metric(name: "cost_api_usd") { $0.cost.api },
        Metric(name: "quality_mean") { $0.quality },
        Metric(name: "cost_reserved_usd") { $0.cost.reserved },
        Metric(name: "cost_on_demand_usd") { $0.cost.onDemand },
        Metric(name: "cost_spot_usd") { $0.cost.spot },
        Metric(name: "replicas_max") { Double($0.replicasMax) },
        Metric(name: "cold_starts") { Double($0.fleet.coldStarts) },
        Metric(name: "spot_reclaims") { Double($0.fleet.spotReclaims) },
        Metric(name: "slo_met") { $0.slo?.met.map { $0 ? 1 : 0 } },
    ]

    public static var names: [String] { metrics.map(\.name) }

    /// The smallest difference a metric can resolve at `value`: a percentile is read from a run-wide histogram of
    /// three significant digits (buckets up to 1/1,024 of the value wide) in whole microseconds, so two runs whose
    /// percentiles differ by less may share a bucket, or sit in neighbouring ones, by rounding alone. Other metrics
    /// are exact (0).
    public static func resolution(of name: String, at value: Double) -> Double {
        guard name.contains("_p50_") || name.contains("_p99_") else { return 0 }
        return max(abs(value) / 1_024, 1e-6)
    }

    /// Whether a paired difference's 95 % interval shows a difference: it excludes 0 and lies beyond the metric's
    /// resolution at the base's value, so that a constant one-bucket difference is not read as significant.
    public static func significant(_ name: String, interval: (lower: Double, upper: Double)?, base: Double) -> Bool {
        guard let interval else { return false }
        let resolution = Self.resolution(of: name, at: base)
        return interval.lower > resolution || interval.upper < -resolution
    }

    /// The run's value of every headline metric, in `metrics` order.
    public static func values(_ result: SimulationResult) -> [Double] {
        metrics.map { $0.value(result.total) ?? .nan }
    }
}

/// One metric over replications: the mean with its Student-t interval (GSL quantiles). NaN observations (a run
/// without the metric) are left out.
public struct MetricSummary: Sendable, Equatable {
    public let estimate: MeanEstimate

    public init(_ values: [Double], level: Double = 0.95) {
        estimate = MeanEstimate(values.filter { !$0.isNaN }, level: level)
    }

    /// Per metric, over rows of `Headline.values`.
    public static func columns(_ rows: [[Double]], level: Double = 0.95) -> [MetricSummary] {
        Headline.metrics.indices.map { metric in MetricSummary(rows.map { $0[metric] }, level: level) }
    }

    /// Paired differences `variant − base`, replication by replication (common random numbers make each pair see
    /// the same traffic), per metric.
    public static func pairedDifferences(_ variant: [[Double]], _ base: [[Double]], level: Double = 0.95) -> [MetricSummary] {
        Headline.metrics.indices.map { metric in
            MetricSummary(zip(variant, base).map { $0[metric] - $1[metric] }, level: level)
        }
    }
}

/// Runs independent simulations on up to `jobs` threads at once, each single-threaded, and returns their results
/// in index order, so the outcome does not depend on `jobs`.
public enum ParallelRuns {
    public static func map<T: Sendable>(
        _ count: Int, jobs: Int, _ body: @escaping @Sendable (Int) throws -> T
    ) async throws -> [T] {
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            var next = 0
            func launch() {
                let index = next
                group.addTask { (index, try body(index)) }
                next += 1
            }
            while next < min(max(jobs, 1), count) { launch() }
            var results = [T?](repeating: nil, count: count)
            while let (index, value) = try await group.next() {
                results[index] = value
                if next < count { launch() }
            }
            return results.map { $0! }
        }
    }
}
