import Foundation

/// Closed-form results of classical queueing theory that the simulator must reproduce.
enum QueueingFormulas {
    /// Erlang's B (loss) formula by the recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)), which never forms
    /// aᶜ or c! and so is stable for any number of servers (Kleinrock, Queueing Systems Vol. 1, §3.7).
    static func erlangB(servers c: Int, offeredLoad a: Double) -> Double {
        var b = 1.0
        for k in stride(from: 1, through: c, by: 1) {
            b = a * b / (Double(k) + a * b)
        }
        return b
    }

    /// Erlang's C formula: the probability that an arrival to an M/M/c queue has to wait,
    /// C = c·B / (c − a·(1 − B)), for offered load a = λ/μ < c.
    static func erlangC(servers c: Int, offeredLoad a: Double) -> Double {
        precondition(a < Double(c), "Erlang C needs a stable queue (a < c)")
        let b = erlangB(servers: c, offeredLoad: a)
        return Double(c) * b / (Double(c) - a * (1 - b))
    }

    /// Mean wait in queue of M/M/c: Wq = C(c, a) / (cμ − λ).
    static func mmcMeanWait(servers c: Int, arrivalRate lambda: Double, serviceRate mu: Double) -> Double {
        erlangC(servers: c, offeredLoad: lambda / mu) / (Double(c) * mu - lambda)
    }

    /// The p-quantile of the M/M/1 (FIFO) sojourn time, which is exponential with rate μ − λ: −ln(1 − p)/(μ − λ).
    static func mm1SojournQuantile(_ p: Double, arrivalRate lambda: Double, serviceRate mu: Double) -> Double {
        -log(1 - p) / (mu - lambda)
    }

    /// Pollaczek–Khinchine mean wait in queue of M/G/1: Wq = λ·E[S²] / (2(1 − ρ)); for constant service S this is
    /// ρ·S / (2(1 − ρ)).
    static func md1MeanWait(arrivalRate lambda: Double, serviceSeconds s: Double) -> Double {
        let rho = lambda * s
        return rho * s / (2 * (1 - rho))
    }
}
