import FleetSimKernel

/// What a deployment is: replicas on instances, a per-token API, or a router in front of other deployments.
public enum DeploymentKind: Sendable, Equatable {
    case replicas
    case api(APISpec)
    case router(RouterSpec)

    /// The kind's name in scenario files and outputs.
    public var name: String {
        switch self {
        case .replicas: "replicas"
        case .api: "api"
        case .router: "router"
        }
    }
}

/// A model served by a provider and billed per token: its prices, how fast it answers, and the rate limits the
/// provider applies to the account.
public struct APISpec: Sendable, Equatable {
    /// The price catalog's `provider/model`, when the prices came from it.
    public var model: String?
    public var prices: TokenPrices
    /// Time from sending the request to the first token, queueing at the provider included.
    public var ttft: Distribution
    /// Output tokens streamed per second after the first (drawn per request, at least one).
    public var outputTokensPerSecond: Distribution
    public var limits: RateLimits
    public var retry: RetryPolicy

    /// Provider latency when the scenario gives none: a median TTFT of 600 ms and 80 output tokens per second, the
    /// figures of the issue that introduced API deployments (an assumption the run lists).
    public static let defaultTTFT = Distribution.lognormal(median: 0.6, sigma: 0.4)
    public static let defaultOutputTokensPerSecond = Distribution.normal(mean: 80, sd: 15, truncatedAtZero: true)

    public init(
        model: String? = nil, prices: TokenPrices, ttft: Distribution = defaultTTFT,
        outputTokensPerSecond: Distribution = defaultOutputTokensPerSecond, limits: RateLimits = RateLimits(),
        retry: RetryPolicy = RetryPolicy()
    ) {
        self.model = model
        self.prices = prices
        self.ttft = ttft
        self.outputTokensPerSecond = outputTokensPerSecond
        self.limits = limits
        self.retry = retry
    }
}

/// USD per million tokens. Cached input is what a prompt prefix served from the provider's prompt cache costs; it
/// defaults to the input price (no discount) where a provider publishes none.
public struct TokenPrices: Sendable, Equatable {
    public var input: Double
    public var output: Double
    public var cachedInput: Double

    public init(input: Double, output: Double, cachedInput: Double? = nil) {
        self.input = input
        self.output = output
        self.cachedInput = cachedInput ?? input
    }

    /// What one request costs: its uncached prompt at the input price, its cached prompt at the cached-input price,
    /// its output at the output price.
    public func cost(promptTokens: Int, cachedTokens: Int, outputTokens: Int) -> Double {
        (Double(promptTokens - cachedTokens) * input + Double(cachedTokens) * cachedInput
            + Double(outputTokens) * output) / 1e6
    }
}

/// A provider's per-minute limits, each a token bucket that holds a minute's allowance and refills continuously
/// (how OpenAI and Anthropic document theirs). Tokens count prompt and output.
public struct RateLimits: Sendable, Equatable {
    public var requestsPerMinute: Double?
    public var tokensPerMinute: Double?

    public init(requestsPerMinute: Double? = nil, tokensPerMinute: Double? = nil) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
    }
}

/// What the client does with a 429: retry after an exponential backoff with jitter, at most `maxRetries` times,
/// then give up (the request fails). The defaults are the OpenAI Python client's: 2 retries, 0.5 s doubling to at most
/// 8 s, less up to 25 % jitter.
public struct RetryPolicy: Sendable, Equatable {
    public var maxRetries: Int
    public var initialDelaySeconds: Double
    public var maxDelaySeconds: Double

    public init(maxRetries: Int = 2, initialDelaySeconds: Double = 0.5, maxDelaySeconds: Double = 8) {
        self.maxRetries = maxRetries
        self.initialDelaySeconds = initialDelaySeconds
        self.maxDelaySeconds = maxDelaySeconds
    }

    /// The wait before retry number `retry` (1 for the first), with `jitter` uniform in [0, 1).
    func delay(retry: Int, jitter: Double) -> Double {
        min(initialDelaySeconds * Double(1 << min(retry - 1, 30)), maxDelaySeconds) * (1 - 0.25 * jitter)
    }
}

/// A router: each request goes to the first rule that matches it, to one of its targets by share or by free capacity.
public struct RouterSpec: Sendable, Equatable {
    public var rules: [RouteRule]
    /// The classifier that scores difficulty, when a rule reads the score: its latency is added to every request's,
    /// its price to the API cost.
    public var classifier: Classifier?

    public init(rules: [RouteRule], classifier: Classifier? = nil) {
        self.rules = rules
        self.classifier = classifier
    }

    /// Whether a rule reads the request's difficulty.
    public var readsDifficulty: Bool { rules.contains { $0.condition.difficulty != nil } }
}

public struct Classifier: Sendable, Equatable {
    public var latencySeconds: Double
    public var costPerRequest: Double

    public init(latencySeconds: Double = 0, costPerRequest: Double = 0) {
        self.latencySeconds = latencySeconds
        self.costPerRequest = costPerRequest
    }
}

public struct RouteRule: Sendable, Equatable {
    public struct Target: Sendable, Equatable {
        public var name: String
        public var share: Double
        public init(name: String, share: Double = 1) {
            self.name = name
            self.share = share
        }
    }

    /// How a rule with several targets picks one.
    public enum Balance: String, Sendable, Equatable, CaseIterable {
        /// Drawn at random by the targets' shares.
        case share
        /// The target whose replicas have the most of their serving slots free: the least requests held (queued
        /// or in service) per slot of its replicas taking work, counting the request being placed, so that an idle
        /// larger tier comes before an idle smaller one. Tiers of different instance types behind one router
        /// (heterogeneous serving): a faster tier frees its slots sooner and so takes more of the load. Targets
        /// must be replica deployments.
        case freeCapacity
    }

    /// Every condition set must hold; a rule with none matches every request.
    public var condition: RouteCondition
    public var targets: [Target]
    public var balance: Balance

    public init(condition: RouteCondition = RouteCondition(), targets: [Target], balance: Balance = .share) {
        self.condition = condition
        self.targets = targets
        self.balance = balance
    }
}

public struct RouteCondition: Sendable, Equatable {
    /// Request classes by name.
    public var classes: [String]?
    public var promptTokens: Threshold?
    public var difficulty: Threshold?

    public init(classes: [String]? = nil, promptTokens: Threshold? = nil, difficulty: Threshold? = nil) {
        self.classes = classes
        self.promptTokens = promptTokens
        self.difficulty = difficulty
    }

    public var isEmpty: Bool { classes == nil && promptTokens == nil && difficulty == nil }
}

/// `above` and `below` are strict: a value matches when it is greater than `above` and less than `below`.
public struct Threshold: Sendable, Equatable {
    public var above: Double?
    public var below: Double?

    public init(above: Double? = nil, below: Double? = nil) {
        self.above = above
        self.below = below
    }

    @inlinable
    public func matches(_ value: Double) -> Bool {
        (above.map { value > $0 } ?? true) && (below.map { value < $0 } ?? true)
    }
}

/// A cascade step: an answer from this tier goes on to `to` (paying both, waiting for both) when the request's
/// difficulty passes the threshold, or with a probability.
public struct EscalationSpec: Sendable, Equatable {
    public enum Rule: Sendable, Equatable {
        case difficulty(Threshold)
        case probability(Double)
    }

    public var to: String
    public var rule: Rule

    public init(to: String, rule: Rule) {
        self.to = to
        self.rule = rule
    }
}

/// Hybrid serving: an arrival goes to `to` instead when any condition holds at that moment.
public struct OverflowSpec: Sendable, Equatable {
    public var to: String
    /// Requests already waiting in the queue (central and at replicas) at or above which arrivals overflow.
    public var queueLength: Int?
    /// How long the oldest waiting request has waited, at or above which arrivals overflow (central queue).
    public var queueWaitSeconds: Double?
    /// Overflow while the fleet is short of capacity: replicas are starting (cold starts, replacements of reclaimed
    /// spot instances) or none is ready.
    public var whileStarting: Bool

    public init(to: String, queueLength: Int? = nil, queueWaitSeconds: Double? = nil, whileStarting: Bool = false) {
        self.to = to
        self.queueLength = queueLength
        self.queueWaitSeconds = queueWaitSeconds
        self.whileStarting = whileStarting
    }
}
