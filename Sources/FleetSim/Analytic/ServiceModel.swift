import FleetSimKernel
import Foundation

/// What the analytic engine knows of a replica's service: for a load per replica, how many requests it holds, how
/// long each holds a serving slot, and what latencies the requests see — computed, not sampled.
///
/// Two modes, as in the discrete-event engine. **Generic** (unbatched window batching): a replica is one server with
/// the scenario's service-time distribution, an M/G/c queue. **Continuous batching**: a replica has up to
/// `slots` sequences in flight; at occupancy n a decode step takes `decodeStep(n)`, prefills of the requests
/// admitted at a step boundary pause decoding, and occupancy is the fixed point of Little's law, n = λ·hold(n).
/// A request then holds a slot for its prefill and its output tokens at the diluted step time; the slots of the
/// fleet form the servers of an M/G/c queue for the wait before admission.
struct ServiceModel {
    enum Mode {
        case generic(service: [Double])
        case continuous(profile: PerformanceProfile, prompt: [Double], output: [Double])
    }

    let mode: Mode
    /// Serving slots per replica: 1 (generic) or the sequences it can hold, by concurrency and mean KV reservation.
    let slots: Int
    /// Mean and squared coefficient of variation of the generic service time or of the output length.
    let meanWork: Double
    let workSCV: Double
    let meanPrompt: Double
    /// The KV tokens a request in flight reserves on average. A request holds its reservation (prompt plus output)
    /// for as long as it decodes, so the requests in flight are the long ones more often than arrivals are: the mean
    /// is weighted by output length, E[P] + E[O²] / E[O] (prompt and output lengths independent).
    let meanReservation: Double
    /// The mean square of that reservation, weighted the same way, for the spread of a replica's KV tokens.
    let meanSquareReservation: Double
    /// Requests per second one replica serves when kept full (the fluid capacity), and its operating point there.
    private(set) var saturationRate = 0.0
    private(set) var saturated = OperatingPoint(sequences: 0, holdSeconds: 0, tokenSeconds: 0, joiners: 1, stepSeconds: 0)

    /// Whether requests are counted in tokens (continuous batching) rather than served whole.
    var usesTokens: Bool {
        if case .continuous = mode { return true }
        return false
    }

    /// One replica's steady state at a load.
    struct OperatingPoint {
        /// Requests it holds on average (sequences running or prefilling, or the server's busy share).
        var sequences: Double
        /// How long a request holds its slot (the service time in the generic mode).
        var holdSeconds: Double
        /// Seconds per output token after the first (continuous batching).
        var tokenSeconds: Double
        /// Requests admitted together at a step boundary, whose prompts are prefilled together.
        var joiners: Double
        var stepSeconds: Double
        /// The share of time the replica prefills (decoding paused, admissions held).
        var prefillShare = 0.0
    }

    init(generic service: [Double]) {
        mode = .generic(service: service)
        slots = 1
        (meanWork, workSCV) = Self.moments(service)
        meanPrompt = 0
        meanReservation = 0
        meanSquareReservation = 0
        saturationRate = meanWork > 0 ? 1 / meanWork : .infinity
        saturated = OperatingPoint(sequences: 1, holdSeconds: meanWork, tokenSeconds: 0, joiners: 1, stepSeconds: 0)
    }

    init(profile: PerformanceProfile, prompt: [Double], output: [Double]) {
        mode = .continuous(profile: profile, prompt: prompt, output: output)
        (meanWork, workSCV) = Self.moments(output)
        meanPrompt = prompt.reduce(0, +) / Double(prompt.count)
        meanReservation = meanPrompt + meanWork * (1 + workSCV)
        // E_w[(P + O)²] with weight O: E[P²] + 2 E[P] E[O²]/E[O] + E[O³]/E[O].
        let count = Double(prompt.count)
        let promptSquare = prompt.reduce(0) { $0 + $1 * $1 } / count
        let outputSquare = output.reduce(0) { $0 + $1 * $1 } / Double(output.count)
        let outputCube = output.reduce(0) { $0 + $1 * $1 * $1 } / Double(output.count)
        meanSquareReservation = promptSquare + 2 * meanPrompt * outputSquare / meanWork + outputCube / meanWork
        var capacity = profile.maxConcurrency
        if let budget = profile.kvTokenBudget {
            // Each admitted request reserves its full length; the mean reservation in flight bounds the sequences.
            capacity = min(capacity, Int(Double(budget) / meanReservation))
        }
        slots = max(capacity, 1)
        // The rate at which a replica's occupancy reaches its slots: the largest load it holds.
        var low = 0.0
        var high = Double(slots) / max(point(rate: 1e-9, sequences: Double(slots)).holdSeconds, 1e-12)
        for _ in 0..<100 {
            let middle = (low + high) / 2
            let hold = point(rate: middle, sequences: Double(slots)).holdSeconds
            if hold.isFinite && middle * hold < Double(slots) { low = middle } else { high = middle }
        }
        saturationRate = low
        saturated = point(rate: low, sequences: Double(slots))
    }

    private static func moments(_ values: [Double]) -> (mean: Double, scv: Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return (mean, mean > 0 ? variance / (mean * mean) : 0)
    }

    /// The replica's state at `rate` requests per second when it holds `sequences` of them.
    func point(rate: Double, sequences: Double) -> OperatingPoint {
        switch mode {
        case .generic:
            return OperatingPoint(sequences: rate * meanWork, holdSeconds: meanWork, tokenSeconds: 0, joiners: 1,
                                  stepSeconds: 0)
        case .continuous(let profile, _, _):
            let step = Self.stepSeconds(profile.decodeStep, sequences: max(sequences, 1))
            let joiners = max(1, rate * step)
            let prefill = profile.prefillBaseSeconds + joiners * meanPrompt / profile.prefillTokensPerSecond
            // The share of time prefills pause decoding: one prefill per admission, each of `joiners` prompts.
            let prefillShare = rate / joiners * prefill
            guard prefillShare < 1 else {
                return OperatingPoint(sequences: sequences, holdSeconds: .infinity, tokenSeconds: .infinity,
                                      joiners: joiners, stepSeconds: step)
            }
            let tokenSeconds = step / (1 - prefillShare)
            return OperatingPoint(sequences: sequences, holdSeconds: prefill + (meanWork - 1) * tokenSeconds,
                                  tokenSeconds: tokenSeconds, joiners: joiners, stepSeconds: step,
                                  prefillShare: prefillShare)
        }
    }

    /// The operating point at `rate` requests per second per replica, below `saturationRate`: the occupancy n with
    /// n = rate × hold(n), found by bisection (hold grows with n, so the fixed point is unique).
    func operatingPoint(rate: Double) -> OperatingPoint {
        guard case .continuous = mode else { return point(rate: rate, sequences: rate * meanWork) }
        guard rate > 0 else { return point(rate: 0, sequences: 0) }
        var low = 0.0
        var high = Double(slots)
        for _ in 0..<60 {
            let middle = (low + high) / 2
            if rate * point(rate: rate, sequences: middle).holdSeconds > middle { low = middle } else { high = middle }
        }
        return point(rate: rate, sequences: (low + high) / 2)
    }

    /// A decode step at a fractional occupancy, interpolated between the whole counts around it.
    static func stepSeconds(_ step: DecodeStep, sequences: Double) -> Double {
        let lower = max(Int(sequences.rounded(.down)), 1)
        let fraction = max(sequences - Double(lower), 0)
        let base = step.seconds(sequences: lower)
        return fraction > 0 ? base + (step.seconds(sequences: lower + 1) - base) * fraction : base
    }
}

extension ServiceModel {
    /// The model of a deployment's replicas, from its serving spec and the class it serves; the work's empirical
    /// distribution is drawn from the deployment's own stream (`analytic.<deployment>`).
    static func make(_ spec: DeploymentSpec, requestClass: RequestClass?, stream: RandomStream) -> ServiceModel {
        guard case .continuous = spec.batching, let profile = spec.profile else {
            return ServiceModel(generic: EmpiricalSample.sorted {
                spec.service.time.sample(stream) + spec.service.perItemSeconds
            })
        }
        // Whole tokens, at least one, as the discrete-event engine draws them (decisions.md #20).
        func tokens(_ distribution: Distribution?) -> [Double] {
            guard let distribution else { return [1] }
            return EmpiricalSample.sorted { max(distribution.sample(stream).rounded(), 1) }
        }
        return ServiceModel(profile: profile, prompt: tokens(requestClass?.promptTokens),
                            output: tokens(requestClass?.outputTokens))
    }
}
