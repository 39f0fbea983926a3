import FleetSimKernel
import Foundation

/// The offered load of a scenario: either a synthetic rate shape with an arrival process, or a recorded trace; in
/// both cases split into request classes.
///
/// The synthetic rate is `ratePerSecond × diurnal(t) × weekly(t) × Π spikes(t)`. The diurnal factor averages 1 over a
/// day and the weekly factor over a week, so without spikes `ratePerSecond` is the long-run mean rate; spikes, scheduled
/// or random, add load on top of it.
public struct TrafficSpec: Sendable, Equatable {
    public var ratePerSecond: Double
    public var arrivals: ArrivalProcess
    public var diurnal: DiurnalShape?
    /// Seven day multipliers, the first for the day the scenario starts; normalised to mean 1.
    public var weekly: [Double]?
    public var spikes: [Spike]
    public var randomSpikes: RandomSpikes?
    public var classes: [RequestClass]
    /// When set, arrivals come from this recorded trace and the synthetic fields above are unused.
    public var trace: TraceReplay?

    public init(
        ratePerSecond: Double,
        arrivals: ArrivalProcess = .poisson,
        diurnal: DiurnalShape? = nil,
        weekly: [Double]? = nil,
        spikes: [Spike] = [],
        randomSpikes: RandomSpikes? = nil,
        classes: [RequestClass],
        trace: TraceReplay? = nil
    ) {
        self.ratePerSecond = ratePerSecond
        self.arrivals = arrivals
        self.diurnal = diurnal
        self.weekly = weekly
        self.spikes = spikes
        self.randomSpikes = randomSpikes
        self.classes = classes
        self.trace = trace
    }

    /// The weekly multiplier on day `day` (0 = the first day of the scenario).
    func weeklyMultiplier(day: Int) -> Double {
        guard let weekly else { return 1 }
        let mean = weekly.reduce(0, +) / Double(weekly.count)
        return weekly[day % weekly.count] / mean
    }
}

/// How arrivals are spaced in "operational time", where the rate shape has been flattened to one arrival per unit.
/// Every process has mean gap 1 there, so each keeps the configured rate shape as its mean and only changes how
/// bursty the arrivals are around it.
public enum ArrivalProcess: Sendable, Equatable {
    /// Exponential gaps: a (non-homogeneous) Poisson process.
    case poisson
    /// Equal gaps: exactly one arrival per unit of expected load.
    case deterministic
    /// Gamma-distributed gaps with this coefficient of variation: a renewal process, burstier than Poisson when
    /// cv > 1 and smoother when cv < 1.
    case gamma(cv: Double)
    /// A two-state Markov-modulated Poisson process.
    case mmpp(MMPP)

    /// The name of the process in scenario files.
    public var name: String {
        switch self {
        case .poisson: "poisson"
        case .deterministic: "deterministic"
        case .gamma: "gamma"
        case .mmpp: "mmpp"
        }
    }
}

/// A Poisson process whose rate switches between a burst and a calm level, spending exponentially distributed
/// wall-clock periods in each. The two levels are set so the long-run mean is the rate shape itself:
/// `highFraction × high + (1 − highFraction) × low = 1`, with `high = ratio × low`.
public struct MMPP: Sendable, Equatable {
    /// Burst rate over calm rate (> 1).
    public var ratio: Double
    /// The long-run fraction of time spent bursting (0 < f < 1).
    public var highFraction: Double
    /// The mean length of one burst, in seconds.
    public var meanBurstSeconds: Double

    public init(ratio: Double, highFraction: Double, meanBurstSeconds: Double) {
        self.ratio = ratio
        self.highFraction = highFraction
        self.meanBurstSeconds = meanBurstSeconds
    }

    /// The rate multiplier while calm.
    public var lowMultiplier: Double { 1 / (highFraction * ratio + 1 - highFraction) }
    /// The rate multiplier while bursting.
    public var highMultiplier: Double { ratio * lowMultiplier }
    /// The mean length of a calm period, which makes `highFraction` the stationary share of bursts.
    public var meanCalmSeconds: Double { meanBurstSeconds * (1 - highFraction) / highFraction }
}

/// A daily cycle of the rate, normalised to average 1 over 24 hours.
public enum DiurnalShape: Sendable, Equatable {
    /// A cosine with its maximum at `peakHour` (0–24, fractional allowed) and max/min = `peakToTrough`.
    case smooth(peakHour: Double, peakToTrough: Double)
    /// Multipliers at the start of each hour 0…23, interpolated linearly (23 wraps to 0) and scaled to mean 1.
    case hourly([Double])
    /// A daily peak as planners state one — the mean (the traffic's rate), the peak and the trough — which a cosine
    /// averaging 1 cannot reach beyond twice the mean: trough + (peak − trough) × ((1 + cos θ) / 2)^exponent, with
    /// the exponent that makes the day average 1 (`peaked(peakHour:peakToMean:troughToMean:)` finds it). Exponent 1
    /// is the plain cosine.
    case peaked(peakHour: Double, peakToMean: Double, troughToMean: Double, exponent: Double)

    /// The peaked shape for these ratios; nil unless trough < 1 < peak (the mean lies strictly between them).
    public static func peaked(peakHour: Double, peakToMean: Double, troughToMean: Double) -> DiurnalShape? {
        guard troughToMean >= 0, troughToMean < 1, peakToMean > 1 else { return nil }
        // The day's mean of ((1 + cos θ) / 2)^k is Γ(k + ½) / (√π Γ(k + 1)), falling from 1 at k = 0 towards 0.
        let wanted = (1 - troughToMean) / (peakToMean - troughToMean)
        func mean(_ k: Double) -> Double { exp(lgamma(k + 0.5) - lgamma(k + 1)) / Double.pi.squareRoot() }
        var low = 0.0
        var high = 1.0
        while mean(high) > wanted { high *= 2 }
        for _ in 0..<100 {
            let middle = (low + high) / 2
            if mean(middle) > wanted { low = middle } else { high = middle }
        }
        return .peaked(peakHour: peakHour, peakToMean: peakToMean, troughToMean: troughToMean, exponent: (low + high) / 2)
    }

    /// The multiplier at `seconds` since the scenario start (which is midnight, hour 0).
    public func multiplier(at seconds: Double) -> Double {
        let hour = (seconds / 3600).truncatingRemainder(dividingBy: 24)
        switch self {
        case .smooth(let peakHour, let peakToTrough):
            let amplitude = (peakToTrough - 1) / (peakToTrough + 1)
            return 1 + amplitude * cos(2 * Double.pi * (hour - peakHour) / 24)
        case .peaked(let peakHour, let peak, let trough, let exponent):
            let wave = (1 + cos(2 * Double.pi * (hour - peakHour) / 24)) / 2
            return trough + (peak - trough) * pow(wave, exponent)
        case .hourly(let values):
            let mean = values.reduce(0, +) / Double(values.count)
            let lower = Int(hour.rounded(.down)) % 24
            let fraction = hour - Double(lower)
            let value = values[lower] + (values[(lower + 1) % 24] - values[lower]) * fraction
            return value / mean
        }
    }
}

/// A scheduled burst: the rate ramps linearly from ×1 to ×`multiplier` over `rampSeconds`, holds, and ramps back to
/// ×1 so that the whole excursion lasts `durationSeconds` from `atSeconds`.
public struct Spike: Sendable, Equatable {
    public var atSeconds: Double
    public var durationSeconds: Double
    public var multiplier: Double
    public var rampSeconds: Double

    public init(atSeconds: Double, durationSeconds: Double, multiplier: Double, rampSeconds: Double = 0) {
        self.atSeconds = atSeconds
        self.durationSeconds = durationSeconds
        self.multiplier = multiplier
        self.rampSeconds = rampSeconds
    }

    var endSeconds: Double { atSeconds + durationSeconds }

    /// The instants where the factor changes slope.
    var breakpoints: [Double] {
        [atSeconds, atSeconds + rampSeconds, endSeconds - rampSeconds, endSeconds]
    }

    /// The factor at `t`. Without a ramp the spike is a step: the factor applies on [at, at + duration), so this
    /// is the value just after `t`; `multiplier(justBefore:)` is the value just before it.
    public func multiplier(at t: Double) -> Double {
        guard t >= atSeconds, t < endSeconds else { return 1 }
        return plateauOrRamp(t)
    }

    /// The factor's limit from the left at `t` (differs from `multiplier(at:)` only at the edges of a step).
    public func multiplier(justBefore t: Double) -> Double {
        guard t > atSeconds, t <= endSeconds else { return 1 }
        return plateauOrRamp(t)
    }

    private func plateauOrRamp(_ t: Double) -> Double {
        let intoRamp = min(t - atSeconds, endSeconds - t)
        if rampSeconds > 0 && intoRamp < rampSeconds {
            return 1 + (multiplier - 1) * intoRamp / rampSeconds
        }
        return multiplier
    }
}

/// Unscheduled bursts: a Poisson number per day at uniformly random instants, each with a random height and
/// length. They are drawn once per replication, from their own stream, before the first arrival.
public struct RandomSpikes: Sendable, Equatable {
    public var perDay: Double
    public var multiplier: Distribution
    public var duration: Distribution
    /// The ramp up and down of each, capped at half its duration.
    public var rampSeconds: Double

    public init(perDay: Double, multiplier: Distribution, duration: Distribution, rampSeconds: Double = 0) {
        self.perDay = perDay
        self.multiplier = multiplier
        self.duration = duration
        self.rampSeconds = rampSeconds
    }

    /// The spikes of one replication over `horizon` seconds, in start order. Each spike's start, height and length
    /// are drawn in that order, so adding a spike at the end never moves the earlier ones.
    public func realise(horizon: Double, stream: RandomStream) -> [Spike] {
        let count = stream.poisson(mean: perDay * horizon / 86_400)
        var spikes: [Spike] = []
        spikes.reserveCapacity(count)
        for _ in 0..<count {
            let at = stream.uniform() * horizon
            let height = multiplier.sample(stream)
            let length = max(duration.sample(stream), 1e-3)
            spikes.append(Spike(atSeconds: at, durationSeconds: length, multiplier: height,
                                rampSeconds: min(rampSeconds, length / 2)))
        }
        return spikes.sorted { $0.atSeconds < $1.atSeconds }
    }
}

/// A kind of request: its share of the traffic, the deployment that serves it and how long its prompts and answers
/// are (in tokens). Token lengths are optional for generic deployments, which do not look at them.
public struct RequestClass: Sendable, Equatable {
    public var name: String
    public var weight: Double
    public var deployment: String
    public var promptTokens: Distribution?
    public var outputTokens: Distribution?
    /// How hard the class's requests are, for routes and cascades that read it; uniform on 0…1 when not given.
    public var difficulty: Distribution?
    /// The share of each prompt a prefix cache already holds (a shared system prompt, say); nil for none.
    public var promptCacheShare: Double?

    public init(
        name: String, weight: Double = 1, deployment: String,
        promptTokens: Distribution? = nil, outputTokens: Distribution? = nil, difficulty: Distribution? = nil
    ) {
        self.difficulty = difficulty
        self.name = name
        self.weight = weight
        self.deployment = deployment
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
    }
}
