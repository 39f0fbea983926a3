import CGSL
import Foundation

/// The waiting time of a stationary multi-server queue, from closed forms: Erlang C for the chance to wait, and the
/// Allen–Cunneen correction for arrival and service variability (Allen, *Probability, Statistics, and Queueing
/// Theory*, 1990, §6.3; exact for M/M/c, within a few per cent for moderate variability).
enum QueueingApproximation {
    /// The probability that an arrival waits in an M/M/c queue with `servers` servers and offered load `load`
    /// (arrival rate × mean service time, in servers); 1 when the queue is not stable.
    ///
    /// Erlang B is P(N = c) / P(N ≤ c) for N Poisson with mean `load` (Jagerman 1974), read from GSL's Poisson pmf
    /// and distribution function, which stay accurate at millions of servers where the textbook recursion would
    /// take millions of steps; Erlang C follows as B / (1 − ρ(1 − B)).
    static func probabilityOfWait(servers: Int, load: Double) -> Double {
        guard servers > 0, load > 0 else { return servers > 0 ? 0 : 1 }
        let rho = load / Double(servers)
        guard rho < 1 else { return 1 }
        let k = UInt32(clamping: servers)
        let cdf = gsl_cdf_poisson_P(k, load)
        guard cdf > 0 else { return 1 }
        let erlangB = gsl_ran_poisson_pdf(k, load) / cdf
        return min(max(erlangB / (1 - rho * (1 - erlangB)), 0), 1)
    }

    /// The mean wait of those who wait: Erlang C's 1 / (cμ − λ), scaled by the Allen–Cunneen factor
    /// (c²ₐ + c²ₛ) / 2. `holdSeconds` is the mean service time; infinite when the queue is not stable.
    static func meanConditionalWait(
        servers: Int, load: Double, holdSeconds: Double, arrivalSCV: Double, serviceSCV: Double
    ) -> Double {
        let spare = Double(servers) - load
        guard spare > 0 else { return .infinity }
        return holdSeconds / spare * (arrivalSCV + serviceSCV) / 2
    }
}
