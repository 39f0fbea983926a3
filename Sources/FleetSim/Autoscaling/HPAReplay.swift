/// The HPA's decisions alone, on a recorded load (`fleetsim hpa replay`): no traffic, no serving, no start-up. Every
/// pod is ready and measured, a replica change takes effect at once, and each sync sees the load of that instant.
/// The decisions come from `HPAAutoscaler`, the code the simulation runs.
public enum HPAReplay {
    /// The load at and after `time`, until the next point: for each metric the total over all pods (for
    /// `utilization`, in pods' worth at 100 %: 3.5 is three and a half pods fully busy) or the External value.
    public struct LoadPoint: Sendable, Equatable {
        public var time: Double
        public var totals: [ScalingMetric: Double]

        public init(time: Double, totals: [ScalingMetric: Double]) {
            self.time = time
            self.totals = totals
        }
    }

    public struct Row: Sendable, Equatable {
        public var time: Double
        public var replicasBefore: Int
        /// The replica calculation before stabilization and rate limits; nil when the controller computed none (the
        /// count was outside [min, max], or scaling is off at 0 replicas).
        public var recommendation: Int?
        public var replicasAfter: Int
        /// The decision in words, as `events.csv` gives it.
        public var basis: String
    }

    /// Metrics that the replay would have to write into the same measured quantity: they cannot carry different
    /// totals in one replay.
    public static func conflictingMetrics(_ metrics: [ScalingMetric]) -> (ScalingMetric, ScalingMetric)? {
        func quantity(_ metric: ScalingMetric) -> String {
            switch metric {
            case .utilization, .gpuUtilization, .totalGPUUtilization: return "utilization"
            case .totalInFlight, .totalRunning: return "inFlight"
            default: return metric.rawValue
            }
        }
        for (index, first) in metrics.enumerated() {
            if let second = metrics[(index + 1)...].first(where: { $0 != first && quantity($0) == quantity(first) }) {
                return (first, second)
            }
        }
        return nil
    }

    /// The decision at every sync from 0 to the last point's time. `load` is sorted by time, starts at 0 and has a
    /// total for every metric of `spec` (the caller checks; `conflictingMetrics` must be nil).
    public static func run(spec: HPASpec, load: [LoadPoint], initialReplicas: Int, syncSeconds: Double) -> [Row] {
        precondition(load.first?.time == 0 && syncSeconds > 0 && conflictingMetrics(spec.metrics.map(\.metric)) == nil)
        var autoscaler = HPAAutoscaler(spec: spec)
        var replicas = initialReplicas
        var rows: [Row] = []
        var point = 0
        let end = load[load.count - 1].time
        var sync = 0
        while Double(sync) * syncSeconds <= end + 1e-9 {
            let now = Double(sync) * syncSeconds
            while point + 1 < load.count, load[point + 1].time <= now + 1e-9 { point += 1 }
            let view = view(of: load[point].totals, replicas: replicas, now: now)
            let decision = autoscaler.evaluate(now: now, view: view)
            let after = decision.outcome.replicas ?? replicas
            rows.append(Row(
                time: now, replicasBefore: replicas, recommendation: decision.recommendation, replicasAfter: after,
                basis: decision.basis))
            replicas = after
            sync += 1
        }
        return rows
    }

    /// What the autoscaler sees of `totals` spread over `replicas` ready pods: per-pod metrics as equal shares
    /// (utilization in whole millicores of a 1,000 m request, the remainder one millicore each on the first pods, so
    /// the pods sum exactly to the total), External metrics as the deployment's totals.
    static func view(of totals: [ScalingMetric: Double], replicas: Int, now: Double) -> FleetView {
        let share = { (metric: ScalingMetric) in replicas > 0 ? (totals[metric] ?? 0) / Double(replicas) : 0 }
        var utilization = Array(repeating: share(.gpuUtilization) / 100, count: replicas)
        if let total = totals[.totalGPUUtilization] { utilization = Array(repeating: replicas > 0 ? total / 100 / Double(replicas) : 0, count: replicas) }
        if let total = totals[.utilization], replicas > 0 {
            let millis = Int((total * 1_000).rounded())
            utilization = (0..<replicas).map { pod in Double(millis / replicas + (pod < millis % replicas ? 1 : 0)) / 1_000 }
        }
        let pods = (0..<replicas).map { replica in
            PodReading(
                replica: replica, serving: true, utilization: utilization[replica], concurrency: share(.concurrency),
                running: share(.running), queueLength: share(.queueLength), requestsPerSecond: share(.requestsPerSecond))
        }
        let queue = totals[.totalQueueLength] ?? 0
        let sample = MetricSample(
            time: now, pods: pods, totalQueueLength: queue,
            totalInFlight: totals[.totalInFlight] ?? queue + (totals[.totalRunning] ?? 0),
            arrivalsPerSecond: 0, gpusPerReplica: 1)
        let ready = (0..<replicas).map { FleetView.Pod(replica: $0, startedAt: -.infinity, readyAt: -.infinity) }
        return FleetView(now: now, current: replicas, pods: ready, samples: [sample], windowSeconds: 0)
    }
}
