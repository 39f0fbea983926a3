import FleetSim
import FleetSimKernel
import Testing

/// A generic deployment with exponential service, no batching and c replicas is an M/M/c queue: its mean wait and
/// probability of waiting must match Erlang C, and with one replica its sojourn time must be exponential.
///
/// Every tolerance is a 99.9 % Student-t confidence interval over independent replications (replication r draws
/// from its own streams), one statistic per replication, after a warm-up of more than 20 relaxation times
/// (1/(μ(1 − √ρ)²) ≈ 90 s for the slowest case, M/M/1 at ρ = 0.8) so that starting empty biases nothing visible.
/// Seeds are fixed, so each test is deterministic; at 99.9 % each check of a correct model would fail for about
/// one seed in a thousand.
@Suite struct MMcTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let servers: Int
        let utilization: Double
        let durationSeconds: Double
        var testDescription: String { "M/M/\(servers) at ρ = \(utilization)" }

        /// Service rate μ: the mean service time is one second.
        let serviceRate = 1.0
        var arrivalRate: Double { utilization * Double(servers) * serviceRate }

        var scenario: Scenario {
            Scenario.textbook(
                name: "mmc", servers: servers, arrivalRate: arrivalRate, service: .exponential(mean: 1 / serviceRate),
                durationSeconds: durationSeconds, warmupSeconds: 2_000, seed: 20_251_123)
        }
    }

    static let replications = 25
    static let level = 0.999

    static let cases = [
        Case(servers: 1, utilization: 0.5, durationSeconds: 100_000),
        Case(servers: 1, utilization: 0.8, durationSeconds: 100_000),
        Case(servers: 4, utilization: 0.7, durationSeconds: 50_000),
        Case(servers: 16, utilization: 0.9, durationSeconds: 30_000),
    ]

    @Test(arguments: cases)
    func meanWaitAndProbabilityOfWaitingMatchErlangC(_ c: Case) {
        let runs = Replications(c.scenario, count: Self.replications)

        let wait = runs.estimate(level: Self.level) { $0.deployments[0].queueWait.mean ?? .nan }
        let expectedWait = QueueingFormulas.mmcMeanWait(
            servers: c.servers, arrivalRate: c.arrivalRate, serviceRate: c.serviceRate)
        expectCovers(wait, expectedWait, "\(c.testDescription) Wq")

        // P(wait > 0) = C(c, a) for every arrival (PASTA); a request that finds a replica idle waits exactly 0.
        let waited = runs.estimate(level: Self.level) { $0.deployments[0].fractionWaited ?? .nan }
        let expectedWaited = QueueingFormulas.erlangC(servers: c.servers, offeredLoad: c.arrivalRate / c.serviceRate)
        expectCovers(waited, expectedWaited, "\(c.testDescription) P(wait > 0)")

        // Busy replica-time over ready replica-time is the offered load per replica, ρ.
        let utilization = runs.estimate(level: Self.level) { $0.deployments[0].utilization }
        expectCovers(utilization, c.utilization, "\(c.testDescription) utilization")
    }

    /// In M/M/1 (FIFO) the sojourn time is exponential with rate μ − λ, so its 99th percentile is ln(100)/(μ − λ).
    ///
    /// Each replication's p99 comes from an HdrHistogram with three significant digits, which reports a value up to
    /// 0.1 % above the exact order statistic; the 99.9 % interval is widened by that 0.1 % of the closed form.
    @Test(arguments: cases.filter { $0.servers == 1 })
    func singleServerP99SojournIsExponential(_ c: Case) {
        let runs = Replications(c.scenario, count: Self.replications)
        let p99 = runs.estimate(level: Self.level) { $0.deployments[0].e2e.p99 ?? .nan }
        let expected = QueueingFormulas.mm1SojournQuantile(0.99, arrivalRate: c.arrivalRate, serviceRate: c.serviceRate)
        expectCovers(p99, expected, slack: 0.001 * expected, "\(c.testDescription) e2e p99")

        // The mean sojourn is 1/(μ − λ) as well (exact sum, no histogram).
        let mean = runs.estimate(level: Self.level) { $0.deployments[0].e2e.mean ?? .nan }
        let expectedMean = 1 / (c.serviceRate - c.arrivalRate)
        expectCovers(mean, expectedMean, "\(c.testDescription) e2e mean")
    }

    /// The Erlang C implementation itself, against values computed independently from the textbook formula
    /// C = (aᶜ/c!)(c/(c − a)) / (Σₖ<c aᵏ/k! + (aᶜ/c!)(c/(c − a))).
    @Test func erlangCMatchesTheDirectFormula() {
        for (c, a) in [(1, 0.5), (2, 1.0), (4, 2.8), (16, 14.4)] {
            var term = 1.0, partial = 0.0
            for k in 0..<c {
                partial += term
                term *= a / Double(k + 1)
            }
            let top = term * Double(c) / (Double(c) - a)
            let direct = top / (partial + top)
            #expect(abs(QueueingFormulas.erlangC(servers: c, offeredLoad: a) - direct) < 1e-12)
        }
        // M/M/1: C = ρ.
        #expect(abs(QueueingFormulas.erlangC(servers: 1, offeredLoad: 0.8) - 0.8) < 1e-15)
    }
}
