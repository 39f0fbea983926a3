import FleetSimKernel

/// Produces arrival times one at a time by time rescaling: gaps drawn in operational time (one expected arrival per
/// unit) are mapped through the inverse of the rate curve's integral.
///
/// With exponential gaps this is an exact non-homogeneous Poisson process for the curve (Çinlar's construction);
/// with unit gaps it is deterministic; other renewal processes plug in as other gap distributions. Only the next
/// arrival is ever pending, so memory does not grow with the number of requests.
public struct ArrivalGenerator {
    let curve: RateCurve
    let process: ArrivalProcess
    let stream: RandomStream
    var operationalTime: Double = 0
    var segment = 0

    public init(curve: RateCurve, process: ArrivalProcess, stream: RandomStream) {
        self.curve = curve
        self.process = process
        self.stream = stream
    }

    /// The next arrival time, or nil once the horizon is reached.
    public mutating func next() -> Double? {
        let gap: Double
        switch process {
        case .poisson: gap = stream.unitExponential()
        case .deterministic: gap = 1
        }
        operationalTime += gap
        guard let time = curve.time(reaching: operationalTime, from: &segment), time < curve.horizon else {
            return nil
        }
        return time
    }
}
