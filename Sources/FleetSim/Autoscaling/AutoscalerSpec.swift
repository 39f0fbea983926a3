import FleetSimKernel

/// How a deployment's replica count is decided: a policy sampled every sync period, a metric pipeline feeding it,
/// and optional time-of-day floors and ceilings over whatever the policy decides.
public struct AutoscalerSpec: Sendable, Equatable {
    public var policy: ScalingPolicy
    public var metrics: MetricPipelineSpec
    /// Time-of-day (and day-of-week) bounds applied after the policy; the first matching rule wins.
    public var schedule: [ScheduleRule]

    /// `metrics` nil: the pipeline of a stock installation for the policy's metrics (`MetricPipelineSpec.stock`).
    public init(policy: ScalingPolicy, metrics: MetricPipelineSpec? = nil, schedule: [ScheduleRule] = []) {
        self.policy = policy
        self.metrics = metrics ?? .stock(for: policy)
        self.schedule = schedule
    }

    /// The policy's own bounds on the replica count.
    public var replicaBounds: ClosedRange<Int> {
        switch policy {
        case .fixed(let count): return count...count
        case .hpa(let hpa): return hpa.minReplicas...hpa.maxReplicas
        case .queue(let queue): return min(queue.minReplicas, queue.idleReplicas ?? queue.minReplicas)...queue.maxReplicas
        case .predictive(let predictive): return predictive.minReplicas...predictive.maxReplicas
        }
    }
}

public enum ScalingPolicy: Sendable, Equatable {
    /// A constant count: the baseline of every comparison (and, with a schedule, a scheduled fleet).
    case fixed(Int)
    /// The Kubernetes HorizontalPodAutoscaler, autoscaling/v2.
    case hpa(HPASpec)
    /// KEDA-style scaling on queue length, with activation and scale to zero.
    case queue(QueueScalerSpec)
    /// Provisioning ahead of a load forecast.
    case predictive(PredictiveSpec)

    /// How often the policy decides. (A fixed count is decided where schedule rules start and end instead; the
    /// value given for it is never used.)
    public var syncPeriodSeconds: Double {
        switch self {
        case .fixed: return 60
        case .hpa(let hpa): return hpa.syncPeriodSeconds
        case .queue(let queue): return queue.syncPeriodSeconds
        case .predictive(let predictive): return predictive.syncPeriodSeconds
        }
    }
}

/// What an autoscaler can measure. Per-replica metrics are averaged over the replicas that report them, as the HPA
/// does (Pods metrics, or a Resource metric for `utilization`); the `total…` ones are deployment-wide (Kubernetes
/// External metrics).
public enum ScalingMetric: String, Sendable, Equatable, CaseIterable {
    /// The replica's load averaged over the scrape window: for window batching (and the generic model) the fraction
    /// of time it serves a batch; for continuous batching its occupancy, the larger of running sequences ÷
    /// `maxConcurrency` and reserved KV tokens ÷ the KV budget. A Resource metric: unready replicas are handled as
    /// Kubernetes handles CPU.
    case utilization
    /// The same load in percent (0–100) as NVIDIA's DCGM exporter reports `DCGM_FI_DEV_GPU_UTIL`, as a Pods metric:
    /// no readiness rule, and replicas loading their model report it too.
    case gpuUtilization
    /// Requests a replica holds (serving, or waiting in its own queue), at the scrape.
    case concurrency
    /// Requests in service on a replica (vLLM's `num_requests_running`), at the scrape.
    case running
    /// Requests waiting, per replica: its own queue plus an equal share of the central queue, at the scrape.
    case queueLength
    /// Arrivals per second over the scrape window, shared equally among ready replicas.
    case requestsPerSecond
    /// Requests waiting in the whole deployment, at the scrape (External).
    case totalQueueLength
    /// Requests waiting or in service in the whole deployment, at the scrape (External).
    case totalInFlight
    /// Requests in service in the whole deployment (vLLM's `num_requests_running` summed), at the scrape (External).
    case totalRunning
    /// `DCGM_FI_DEV_GPU_UTIL` summed over every GPU of the replicas that report it, in percent (External): what an
    /// HPA sums when an External metric's selector matches one series per GPU.
    case totalGPUUtilization

    public var isExternal: Bool {
        switch self {
        case .totalQueueLength, .totalInFlight, .totalRunning, .totalGPUUtilization: return true
        default: return false
        }
    }

    /// Whether a replica that is still loading its model reports it (GPU counters do; serving metrics do not).
    var reportedWhileLoading: Bool { self == .utilization || self == .gpuUtilization }
}

/// One metric and its target. `utilization` targets a fraction of capacity (0.7 for 70 %); per-replica metrics an
/// average value per replica; External metrics an average value per replica (`AverageValue`).
public struct MetricTarget: Sendable, Equatable {
    public var metric: ScalingMetric
    public var target: Double

    public init(_ metric: ScalingMetric, target: Double) {
        self.metric = metric
        self.target = target
    }
}

/// How metrics reach the autoscaler: scraped every `scrapeSeconds` (each sample covers the interval since the
/// previous scrape, as metrics-server's usage window does), averaged over the samples of the last `windowSeconds`,
/// and seen `lagSeconds` late.
public struct MetricPipelineSpec: Sendable, Equatable {
    public var scrapeSeconds: Double
    public var windowSeconds: Double
    public var lagSeconds: Double

    public init(scrapeSeconds: Double = 15, windowSeconds: Double? = nil, lagSeconds: Double = 0) {
        self.scrapeSeconds = scrapeSeconds
        self.windowSeconds = windowSeconds ?? scrapeSeconds
        self.lagSeconds = lagSeconds
    }

    /// Resource metrics through metrics-server as its Helm chart deploys it (`--metric-resolution=15s`): a 15 s
    /// usage window, read by the HPA one resolution late: each sync reads the sample taken 15 s before it (on a
    /// cluster, 0–15 s old, its window ending at the kubelet's last reading, older still).
    public static let metricsServer = MetricPipelineSpec(scrapeSeconds: 15, windowSeconds: 15, lagSeconds: 15)
    /// Pods and External metrics through Prometheus as kube-prometheus-stack deploys it (30 s scrape interval),
    /// queried by prometheus-adapter or KEDA when the HPA asks: with the 15 s lag, the value the HPA reads at its
    /// 15 s syncs is 15 or 30 s old (22.5 s on average, the mean age of a 30 s scrape seen at a random instant plus
    /// half the HPA's period).
    public static let prometheus = MetricPipelineSpec(scrapeSeconds: 30, windowSeconds: 30, lagSeconds: 15)

    /// metrics-server for an HPA on `utilization` alone (and for a fixed count, which reads nothing); Prometheus
    /// for every other metric and policy (docs/model-assumptions.md).
    public static func stock(for policy: ScalingPolicy) -> MetricPipelineSpec {
        switch policy {
        case .fixed: return .metricsServer
        case .hpa(let hpa): return hpa.metrics.allSatisfy { $0.metric == .utilization } ? .metricsServer : .prometheus
        case .queue, .predictive: return .prometheus
        }
    }
}

public struct HPASpec: Sendable, Equatable {
    public var minReplicas: Int
    public var maxReplicas: Int
    /// With several metrics, the largest recommendation wins (as in Kubernetes).
    public var metrics: [MetricTarget]
    /// nil: no `behavior` given, the legacy rule applies.
    public var behavior: HPA.Behavior?
    public var tolerance: HPA.Tolerance
    public var syncPeriodSeconds: Double
    /// `--horizontal-pod-autoscaler-cpu-initialization-period`: how long after a pod starts its utilization
    /// sample must begin after its readiness to count.
    public var cpuInitializationSeconds: Double

    public init(
        minReplicas: Int = 1, maxReplicas: Int, metrics: [MetricTarget], behavior: HPA.Behavior? = HPA.Behavior(),
        tolerance: HPA.Tolerance = HPA.Tolerance(), syncPeriodSeconds: Double = 15, cpuInitializationSeconds: Double = 300
    ) {
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.metrics = metrics
        self.behavior = behavior
        self.tolerance = tolerance
        self.syncPeriodSeconds = syncPeriodSeconds
        self.cpuInitializationSeconds = cpuInitializationSeconds
    }
}

/// KEDA's model: a scaler is active while its metric exceeds `activationThreshold`; at each poll KEDA takes the
/// deployment from 0 (or `idleReplicas`) to `max(minReplicas, 1)` when it is active, and back to `idleReplicas` (or
/// 0, when `minReplicas` is 0) once `cooldownSeconds` have passed since a poll last saw it active. Between
/// `max(minReplicas, 1)` and `maxReplicas` the HPA KEDA creates scales on the metric as an External `AverageValue`
/// target, with `behavior` (nil, KEDA's default, is the HPA's legacy rule).
public struct QueueScalerSpec: Sendable, Equatable {
    /// `totalQueueLength` (KEDA's queue-length scalers), `totalInFlight`, `totalRunning` or `totalGPUUtilization`.
    public var metric: ScalingMetric
    public var targetPerReplica: Double
    public var activationThreshold: Double
    public var minReplicas: Int
    public var maxReplicas: Int
    /// KEDA's `idleReplicaCount`: the count while inactive, below `minReplicas`; nil: idle mode off.
    public var idleReplicas: Int?
    public var pollingSeconds: Double
    public var cooldownSeconds: Double
    /// KEDA's `initialCooldownPeriod`: before any poll has seen activity, the target scales down once this has
    /// passed since the start.
    public var initialCooldownSeconds: Double
    public var behavior: HPA.Behavior?
    /// The tolerance of the HPA KEDA creates (`behavior.*.tolerance` in the ScaledObject's HPA config).
    public var tolerance: HPA.Tolerance
    public var syncPeriodSeconds: Double

    public init(
        metric: ScalingMetric = .totalQueueLength, targetPerReplica: Double, activationThreshold: Double = 0,
        minReplicas: Int = 0, maxReplicas: Int, idleReplicas: Int? = nil, pollingSeconds: Double = 30,
        cooldownSeconds: Double = 300, initialCooldownSeconds: Double = 0, behavior: HPA.Behavior? = nil,
        tolerance: HPA.Tolerance = HPA.Tolerance(), syncPeriodSeconds: Double = 15
    ) {
        self.metric = metric
        self.targetPerReplica = targetPerReplica
        self.activationThreshold = activationThreshold
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.idleReplicas = idleReplicas
        self.pollingSeconds = pollingSeconds
        self.cooldownSeconds = cooldownSeconds
        self.initialCooldownSeconds = initialCooldownSeconds
        self.behavior = behavior
        self.tolerance = tolerance
        self.syncPeriodSeconds = syncPeriodSeconds
    }
}

/// Provisions for the arrival rate forecast one start-up ahead: replicas = ⌈max(forecast, now) × (1 + headroom) ÷
/// requestsPerReplica⌉, smoothed by the HPA's default behavior (scale down only after 5 minutes of lower forecasts).
public struct PredictiveSpec: Sendable, Equatable {
    public enum Forecast: Sendable, Equatable {
        /// The scenario's own rate curve (synthetic traffic only): the load the traffic model will offer.
        case shape
        /// Seasonal naive: the rate measured one period earlier.
        case seasonal(periodSeconds: Double)
        /// An exponentially weighted moving average of the measured rate, updated at each decision.
        case ewma(alpha: Double)
    }

    public var forecast: Forecast
    /// Requests per second one replica carries within the latency objective.
    public var requestsPerReplica: Double
    public var headroom: Double
    /// How far ahead to forecast; nil: the mean provisioning + model-load time plus one sync period.
    public var leadSeconds: Double?
    public var minReplicas: Int
    public var maxReplicas: Int
    public var syncPeriodSeconds: Double

    public init(
        forecast: Forecast, requestsPerReplica: Double, headroom: Double = 0.2, leadSeconds: Double? = nil,
        minReplicas: Int = 1, maxReplicas: Int, syncPeriodSeconds: Double = 60
    ) {
        self.forecast = forecast
        self.requestsPerReplica = requestsPerReplica
        self.headroom = headroom
        self.leadSeconds = leadSeconds
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.syncPeriodSeconds = syncPeriodSeconds
    }
}

/// A replica floor and/or ceiling during part of the day on some days of the week. Day 0 is the scenario's first
/// day, taken to be a Monday; `fromSeconds` ..< `toSeconds` is a time of day (a range that wraps past midnight,
/// e.g. 22:00–06:00, belongs to the day it starts on).
public struct ScheduleRule: Sendable, Equatable {
    public var days: Set<Int>
    public var fromSeconds: Double
    public var toSeconds: Double
    public var minReplicas: Int?
    public var maxReplicas: Int?

    public init(days: Set<Int> = Set(0..<7), fromSeconds: Double, toSeconds: Double, minReplicas: Int? = nil, maxReplicas: Int? = nil) {
        self.days = days
        self.fromSeconds = fromSeconds
        self.toSeconds = toSeconds
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
    }

    public func applies(at time: Double) -> Bool {
        let day = Int((time / 86_400).rounded(.down))
        let second = time - Double(day) * 86_400
        if fromSeconds < toSeconds {
            return days.contains(day % 7) && second >= fromSeconds && second < toSeconds
        }
        // Wrapping past midnight: the evening part on a listed day, the morning part on the day after one.
        return (days.contains(day % 7) && second >= fromSeconds) || (days.contains((day + 6) % 7) && second < toSeconds)
    }
}
