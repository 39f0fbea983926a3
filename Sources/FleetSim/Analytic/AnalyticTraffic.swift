import FleetSimKernel

/// The analytic engine's traffic: the requests a step is offered, from the same rate curve (random spikes realised
/// from the same stream) as the discrete-event engine's arrivals.
///
/// A step's expected arrivals are the curve's integral over it. An MMPP's bursts are sampled — their switching
/// times drawn from the same stream, `traffic.bursts`, as in the discrete-event engine — and the integral is taken
/// at the burst or calm level, piece by piece. The count offered is then drawn around that mean with the process's
/// variability: Poisson, a gamma of variance c²·mean for gamma gaps (a renewal process's counts over many gaps), or
/// exactly the mean for deterministic arrivals. One draw per step, so the cost does not grow with the rate, and the
/// autoscaler reads metrics as noisy as the traffic makes them, not a smooth mean it would never see.
struct AnalyticTraffic {
    let curve: RateCurve
    let process: ArrivalProcess
    private let countStream: RandomStream
    private let burstStream: RandomStream?
    private var bursting = false
    private var burstStateEnds = Double.infinity

    init(curve: RateCurve, process: ArrivalProcess, stream: (String) -> RandomStream) {
        self.curve = curve
        self.process = process
        countStream = stream("traffic.arrivals")
        if case .mmpp(let mmpp) = process {
            let burstStream = stream("traffic.bursts")
            bursting = burstStream.uniform() < mmpp.highFraction
            self.burstStream = burstStream
            burstStateEnds = burstStream.unitExponential() * (bursting ? mmpp.meanBurstSeconds : mmpp.meanCalmSeconds)
        } else {
            burstStream = nil
        }
    }

    /// The squared coefficient of variation of the gaps between arrivals, for the Allen–Cunneen waits; an MMPP is
    /// Poisson within each of its sampled levels.
    var arrivalSCV: Double {
        switch process {
        case .poisson, .mmpp: 1
        case .deterministic: 0
        case .gamma(let cv): cv * cv
        }
    }

    /// The requests offered from `start` to `end`: the expectation, and the count drawn around it. The formulas
    /// take the expectation — Erlang C already holds the arrivals' randomness, and a drawn count above capacity
    /// would count it twice as overload — the counts and the autoscaler's metrics take the draw.
    mutating func arrivals(from start: Double, to end: Double) -> (expected: Double, drawn: Double) {
        let mean = expectedArrivals(from: start, to: end)
        guard mean > 0 else { return (0, 0) }
        switch process {
        case .poisson, .mmpp: return (mean, Double(countStream.poisson(mean: mean)))
        case .deterministic: return (mean, mean)
        case .gamma(let cv): return (mean, countStream.gamma(shape: mean / (cv * cv), scale: cv * cv))
        }
    }

    /// The requests expected from `start` to `end`.
    mutating func expectedArrivals(from start: Double, to end: Double) -> Double {
        guard case .mmpp(let mmpp) = process, let burstStream else {
            return curve.expectedArrivals(until: end) - curve.expectedArrivals(until: start)
        }
        var total = 0.0
        var from = start
        while from < end {
            let until = min(end, burstStateEnds)
            let level = bursting ? mmpp.highMultiplier : mmpp.lowMultiplier
            total += level * (curve.expectedArrivals(until: until) - curve.expectedArrivals(until: from))
            from = until
            if burstStateEnds <= end {
                bursting.toggle()
                burstStateEnds += burstStream.unitExponential() * (bursting ? mmpp.meanBurstSeconds : mmpp.meanCalmSeconds)
            }
        }
        return total
    }
}
