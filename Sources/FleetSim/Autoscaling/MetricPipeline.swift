import DequeModule

/// One replica's metrics in one scrape.
struct PodReading {
    var replica: Int
    /// Whether the replica serves (and so exports per-request metrics); a replica loading its model reports only
    /// utilization.
    var serving: Bool
    var utilization: Double
    var concurrency: Double
    var running: Double
    var queueLength: Double
    var requestsPerSecond: Double

    func value(of metric: ScalingMetric) -> Double {
        switch metric {
        case .utilization: return utilization
        case .gpuUtilization: return utilization * 100
        case .concurrency: return concurrency
        case .running: return running
        case .queueLength: return queueLength
        case .requestsPerSecond: return requestsPerSecond
        case .totalQueueLength, .totalInFlight, .totalRunning, .totalGPUUtilization:
            preconditionFailure("\(metric) is deployment-wide")
        }
    }
}

/// Everything one scrape measured.
struct MetricSample {
    var time: Double
    /// Replicas that report metrics: ready ones, and (utilization only) those loading their model. Replicas still
    /// provisioning have no metric yet.
    var pods: [PodReading]
    var totalQueueLength: Double
    var totalInFlight: Double
    var arrivalsPerSecond: Double
    /// GPUs per replica: DCGM reports one utilization series per GPU.
    var gpusPerReplica: Int

    func total(_ metric: ScalingMetric) -> Double {
        switch metric {
        case .totalQueueLength: return totalQueueLength
        case .totalInFlight: return totalInFlight
        case .totalRunning: return totalInFlight - totalQueueLength
        case .totalGPUUtilization: return pods.reduce(0) { $0 + $1.utilization } * 100 * Double(gpusPerReplica)
        default: preconditionFailure("\(metric) is per replica")
        }
    }
}

/// Holds the scrapes an autoscaler can still see: those of the last window, `lag` late.
struct MetricPipeline {
    let spec: MetricPipelineSpec
    private var samples = Deque<MetricSample>()

    init(_ spec: MetricPipelineSpec) {
        self.spec = spec
    }

    mutating func publish(_ sample: MetricSample) {
        samples.append(sample)
        let oldestNeeded = sample.time - spec.lagSeconds - spec.windowSeconds - spec.scrapeSeconds
        while let first = samples.first, first.time < oldestNeeded { samples.removeFirst() }
    }

    /// The samples visible at `now`, oldest first: scraped at or before `now − lag`, within one window of the latest.
    func visible(at now: Double) -> [MetricSample] {
        let horizon = now - spec.lagSeconds + 1e-9
        guard let latest = samples.last(where: { $0.time <= horizon }) else { return [] }
        return samples.filter { $0.time <= latest.time && $0.time > latest.time - spec.windowSeconds + 1e-9 }
    }
}
