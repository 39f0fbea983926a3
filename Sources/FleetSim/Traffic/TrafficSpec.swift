import Foundation

/// The offered load of a scenario: a rate shape, an arrival process and the request classes it is split into.
///
/// The rate shape is `ratePerSecond × diurnal(t) × Π spikes(t)`. The diurnal factor averages 1 over a day, so
/// `ratePerSecond` is the long-run mean rate when there are no spikes; spikes add load on top.
public struct TrafficSpec: Sendable, Equatable {
    public var ratePerSecond: Double
    public var arrivals: ArrivalProcess
    public var diurnal: DiurnalShape?
    public var spikes: [Spike]
    public var classes: [RequestClass]

    public init(
        ratePerSecond: Double,
        arrivals: ArrivalProcess = .poisson,
        diurnal: DiurnalShape? = nil,
        spikes: [Spike] = [],
        classes: [RequestClass]
    ) {
        self.ratePerSecond = ratePerSecond
        self.arrivals = arrivals
        self.diurnal = diurnal
        self.spikes = spikes
        self.classes = classes
    }
}

/// How arrivals are spaced in "operational time", where the rate shape has been flattened to one per unit.
public enum ArrivalProcess: String, Sendable, Equatable, CaseIterable {
    /// Exponential gaps: a (non-homogeneous) Poisson process.
    case poisson
    /// Equal gaps in operational time: exactly one arrival per unit of expected load.
    case deterministic
}

/// A daily cycle of the rate, normalised to average 1 over 24 hours.
public enum DiurnalShape: Sendable, Equatable {
    /// A cosine with its maximum at `peakHour` (0–24, fractional allowed) and max/min = `peakToTrough`.
    case smooth(peakHour: Double, peakToTrough: Double)
    /// Multipliers at the start of each hour 0…23, interpolated linearly (23 wraps to 0) and scaled to mean 1.
    case hourly([Double])

    /// The multiplier at `seconds` since the scenario start (which is midnight, hour 0).
    public func multiplier(at seconds: Double) -> Double {
        let hour = (seconds / 3600).truncatingRemainder(dividingBy: 24)
        switch self {
        case .smooth(let peakHour, let peakToTrough):
            let amplitude = (peakToTrough - 1) / (peakToTrough + 1)
            return 1 + amplitude * cos(2 * Double.pi * (hour - peakHour) / 24)
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

    /// The instants where the factor changes slope.
    var breakpoints: [Double] {
        [atSeconds, atSeconds + rampSeconds, atSeconds + durationSeconds - rampSeconds, atSeconds + durationSeconds]
    }

    /// The factor at `t`. Without a ramp the spike is a step: the factor applies on [at, at + duration), so this
    /// is the value just after `t`; `multiplier(justBefore:)` is the value just before it.
    public func multiplier(at t: Double) -> Double {
        let end = atSeconds + durationSeconds
        guard t >= atSeconds, t < end else { return 1 }
        return plateauOrRamp(t, end: end)
    }

    /// The factor's limit from the left at `t` (differs from `multiplier(at:)` only at the edges of a step).
    public func multiplier(justBefore t: Double) -> Double {
        let end = atSeconds + durationSeconds
        guard t > atSeconds, t <= end else { return 1 }
        return plateauOrRamp(t, end: end)
    }

    private func plateauOrRamp(_ t: Double, end: Double) -> Double {
        let intoRamp = min(t - atSeconds, end - t)
        if rampSeconds > 0 && intoRamp < rampSeconds {
            return 1 + (multiplier - 1) * intoRamp / rampSeconds
        }
        return multiplier
    }
}

/// A kind of request: its share of the traffic and the deployment that serves it.
public struct RequestClass: Sendable, Equatable {
    public var name: String
    public var weight: Double
    public var deployment: String

    public init(name: String, weight: Double = 1, deployment: String) {
        self.name = name
        self.weight = weight
        self.deployment = deployment
    }
}
