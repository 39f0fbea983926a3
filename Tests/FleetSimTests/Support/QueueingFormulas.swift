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

    /// Two single-server exponential queues (rates μ₁, μ₂) fed by Poisson arrivals at λ that join the shorter queue,
    /// ties to the first: no closed form, so the continuous-time Markov chain on (n₁, n₂) is solved numerically,
    /// truncated at `cap` requests per queue (an arrival to a full queue is lost; at ρ = 0.8 and cap 60 that is a
    /// probability near ρ⁶⁰ ≈ 10⁻⁶). Gauss–Seidel sweeps on the balance equations until the largest change is below
    /// 10⁻¹³. Returns the mean sojourn time (Little's law, L/λ) and the share of arrivals that join the second queue.
    static func joinShorterQueue(
        arrivalRate lambda: Double, serviceRates mu: (Double, Double), cap: Int = 60
    ) -> (meanSojourn: Double, secondShare: Double) {
        let size = cap + 1
        func toSecond(_ i: Int, _ j: Int) -> Bool { j < i }
        var pi = [Double](repeating: 1 / Double(size * size), count: size * size)
        func outRate(_ i: Int, _ j: Int) -> Double {
            let arrival = (toSecond(i, j) ? j < cap : i < cap) ? lambda : 0
            return arrival + (i > 0 ? mu.0 : 0) + (j > 0 ? mu.1 : 0)
        }
        for _ in 0..<200_000 {
            var change = 0.0
            for i in 0..<size {
                for j in 0..<size {
                    // Inflow: an arrival from (i−1, j) or (i, j−1), a departure from (i+1, j) or (i, j+1).
                    var inflow = 0.0
                    if i > 0 && !toSecond(i - 1, j) { inflow += lambda * pi[(i - 1) * size + j] }
                    if j > 0 && toSecond(i, j - 1) { inflow += lambda * pi[i * size + j - 1] }
                    if i < cap { inflow += mu.0 * pi[(i + 1) * size + j] }
                    if j < cap { inflow += mu.1 * pi[i * size + j + 1] }
                    let updated = inflow / outRate(i, j)
                    change = max(change, abs(updated - pi[i * size + j]))
                    pi[i * size + j] = updated
                }
            }
            let total = pi.reduce(0, +)
            for k in pi.indices { pi[k] /= total }
            if change < 1e-13 { break }
        }
        var inSystem = 0.0
        var second = 0.0
        for i in 0..<size {
            for j in 0..<size {
                inSystem += Double(i + j) * pi[i * size + j]
                if toSecond(i, j) { second += pi[i * size + j] }
            }
        }
        return (inSystem / lambda, second)
    }
}
