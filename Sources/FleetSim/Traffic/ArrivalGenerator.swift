import FleetSimKernel

/// Produces synthetic arrival times one at a time by time rescaling: gaps drawn in operational time (one expected
/// arrival per unit) are mapped through the inverse of the rate curve's integral.
///
/// With exponential gaps this is an exact non-homogeneous Poisson process for the curve (Çinlar's construction);
/// with unit gaps it is deterministic; with gamma gaps of mean 1 it is a renewal process of the given burstiness
/// whose mean still follows the curve. The MMPP multiplies the curve by a two-level factor that switches at
/// exponential wall-clock times; between switches it is Poisson, so a gap that crosses a switch is redrawn there
/// (exact, since the exponential has no memory). Only the next arrival is ever pending, so memory does not grow
/// with the number of requests.
public struct ArrivalGenerator {
    let curve: RateCurve
    let process: ArrivalProcess
    let stream: RandomStream
    /// The MMPP's own stream for its switching times, so bursts do not shift the gaps drawn between them.
    let burstStream: RandomStream?
    /// Λ at the last arrival (or MMPP switch).
    var operationalTime: Double = 0
    var segment = 0
    var bursting = false
    var burstStateEnds = Double.infinity

    public init(curve: RateCurve, process: ArrivalProcess, stream: RandomStream, burstStream: RandomStream? = nil) {
        self.curve = curve
        self.process = process
        self.stream = stream
        self.burstStream = burstStream
        if case .mmpp(let mmpp) = process {
            precondition(burstStream != nil, "an MMPP needs a stream for its switching times")
            // Start in the stationary distribution, so the mean rate is right from the first second.
            bursting = burstStream!.uniform() < mmpp.highFraction
            burstStateEnds = sojourn(mmpp)
        }
    }

    /// The next arrival time, or nil once the horizon is reached.
    public mutating func next() -> Double? {
        switch process {
        case .poisson: return advance(by: stream.unitExponential())
        case .deterministic: return advance(by: 1)
        case .gamma(let cv): return advance(by: stream.gamma(shape: 1 / (cv * cv), scale: cv * cv))
        case .mmpp(let mmpp): return nextModulated(mmpp)
        }
    }

    private mutating func advance(by gap: Double) -> Double? {
        operationalTime += gap
        guard let time = curve.time(reaching: operationalTime, from: &segment), time < curve.horizon else {
            return nil
        }
        return time
    }

    private mutating func nextModulated(_ mmpp: MMPP) -> Double? {
        while true {
            let level = bursting ? mmpp.highMultiplier : mmpp.lowMultiplier
            let target = operationalTime + stream.unitExponential() / level
            guard burstStateEnds < curve.horizon else { return advance(by: target - operationalTime) }
            let atSwitch = curve.expectedArrivals(until: burstStateEnds)
            if target <= atSwitch {
                return advance(by: target - operationalTime)
            }
            operationalTime = atSwitch
            bursting.toggle()
            burstStateEnds += sojourn(mmpp)
        }
    }

    private func sojourn(_ mmpp: MMPP) -> Double {
        let mean = bursting ? mmpp.meanBurstSeconds : mmpp.meanCalmSeconds
        return burstStream!.unitExponential() * mean
    }
}
