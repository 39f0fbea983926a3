import FleetSim
import FleetSimKernel
import Foundation

/// The benchmarks `fleetsim bench` runs: whole workloads timed on the wall clock, each reporting the events (or
/// requests) it processed per second, for the release binary users run (decisions.md #3).
///
/// `hold` is the kernel alone; `mmc` the model end to end on the queue `Benchmarks/reference/mmc.c` simulates in C,
/// so the two are compared in the same run (`make bench-paired`); `llm` continuous batching; `traffic` and `replay`
/// the request sources.
public enum BenchmarkSuite {
    public static let names = ["hold", "mmc", "llm", "analytic", "traffic", "replay"]

    public struct Sizes: Sendable {
        /// Hold operations for the kernel benchmark.
        public var operations = 20_000_000
        /// Arrivals in the M/M/c benchmark, and its servers.
        public var customers = 10_000_000
        public var servers = 8
        /// Requests for the traffic and replay benchmarks.
        public var requests = 10_000_000
        /// Replicas in the continuous-batching benchmark (5 requests/s each), and how requests queue for them.
        public var replicas = 20
        public var queueing = Queueing.central

        public init() {}
    }

    public struct Measurement: Sendable {
        public var name: String
        /// What was counted (`unit`), how many, and in how long.
        public var events: Double
        public var seconds: Double
        public var note: String
        public var unit = "events"

        public var eventsPerSecond: Double { events / seconds }
    }

    public static func run(_ name: String, sizes: Sizes) throws -> [Measurement] {
        switch name {
        case "hold": return [hold(sizes)]
        case "mmc": return [mmc(sizes)]
        case "llm": return [continuousBatching(sizes)]
        case "analytic": return [analytic()]
        case "traffic": return [traffic(sizes)]
        case "replay": return try replay(sizes)
        default: preconditionFailure("unknown benchmark \(name)")
        }
    }

    /// The event queue alone: the hold model with 1,000 pending events.
    static func hold(_ sizes: Sizes) -> Measurement {
        let started = now()
        let checksum = HoldBenchmark.run(pending: 1_000, operations: sizes.operations)
        return Measurement(name: "hold", events: Double(sizes.operations), seconds: elapsed(since: started),
                           note: "checksum \(Int(checksum) % 1000)")
    }

    /// M/M/c at load 0.8, service rate 1, one-hour windows: the queue of the C reference, through the whole model
    /// (histograms, windows, cost). Its figure is customers per second, as the reference reports.
    static func mmc(_ sizes: Sizes) -> Measurement {
        let arrivalRate = Double(sizes.servers) * 0.8
        let scenario = Scenario.textbook(
            name: "bench-mmc", servers: sizes.servers, arrivalRate: arrivalRate, service: .exponential(mean: 1),
            durationSeconds: Double(sizes.customers) / arrivalRate, windowSeconds: 3600)
        let started = now()
        let result = Simulation(scenario: scenario).run()
        let seconds = elapsed(since: started)
        let customers = Double(result.total.requests.arrived)
        return Measurement(
            name: "mmc", events: customers, seconds: seconds,
            note: String(format: "M/M/%d at load 0.8, %d events, mean wait %.4f s", sizes.servers,
                         Int(result.events), result.total.queueWait.mean ?? 0), unit: "customers")
    }

    /// Continuous batching at 5 requests/s per replica, about 8.6 million requests whatever the fleet's size: by
    /// default a day at 100 requests/s on 20 replicas; with more replicas the same requests in less simulated time,
    /// so events/s shows what the fleet's size costs per event (routing, admission).
    static func continuousBatching(_ sizes: Sizes) -> Measurement {
        let scenario = llmScenario(replicas: sizes.replicas, queueing: sizes.queueing,
                                   durationSeconds: 86_400 * 20 / Double(sizes.replicas))
        let started = now()
        let result = Simulation(scenario: scenario).run()
        let seconds = elapsed(since: started)
        let d = result.total
        return Measurement(name: "llm", events: Double(result.events), seconds: seconds, note: String(
            format: "%d replicas, %@ queue, %d requests in %.1f s, TTFT p99 %.3f s, TPOT p50 %.1f ms, utilization %.0f%%",
            sizes.replicas, sizes.queueing.rawValue as NSString, d.requests.arrived, seconds, d.ttft.p99 ?? 0, (d.tpot.p50 ?? 0) * 1000, d.utilization * 100))
    }

    /// The analytic engine on the same deployment at 100,000 requests/s (20,000 replicas) for one simulated hour in
    /// one-minute windows: its figure is steps per second, and its cost does not depend on the rate.
    static func analytic() -> Measurement {
        var scenario = llmScenario(replicas: 20_000, queueing: .central, durationSeconds: 3_600)
        scenario.engine = .analytic(stepSeconds: SimulationEngine.defaultStep(windowSeconds: scenario.windowSeconds))
        let started = now()
        let result = Simulation(scenario: scenario).run()
        let seconds = elapsed(since: started)
        let steps = Double(result.analytic?.steps ?? 0)
        return Measurement(name: "analytic", events: steps, seconds: seconds, note: String(
            format: "20000 replicas, 100000 requests/s, 1 h in %.2f s: %d requests, TTFT p99 %.3f s, TPOT p50 %.1f ms",
            seconds, result.total.requests.arrived, result.total.ttft.p99 ?? 0, (result.total.tpot.p50 ?? 0) * 1000),
            unit: "steps")
    }

    /// The continuous-batching benchmark's deployment: 5 requests/s per replica of chat on an A100-like profile.
    static func llmScenario(replicas: Int, queueing: Queueing, durationSeconds: Double) -> Scenario {
        let profile = PerformanceProfile(
            prefillTokensPerSecond: 40_000, prefillBaseSeconds: 0.005,
            decodeStep: .linear(baseSeconds: 0.020, perSequenceSeconds: 0.0003), maxConcurrency: 64)
        let instance = InstanceType(gpu: "A100", gpus: 1, onDemandPerHour: 4.1)
        return Scenario(
            name: "bench-llm", durationSeconds: durationSeconds, windowSeconds: 60,
            traffic: TrafficSpec(ratePerSecond: 5 * Double(replicas), classes: [RequestClass(
                name: "chat", deployment: "llm", promptTokens: .lognormal(median: 500, sigma: 0.8),
                outputTokens: .lognormal(median: 150, sigma: 0.6))]),
            deployments: [DeploymentSpec(
                name: "llm", instance: instance, profile: profile, batching: .continuous, queueing: queueing,
                queue: QueueSpec(timeoutSeconds: 60),
                pools: [PoolSpec(purchase: .onDemand, count: replicas, pricePerHour: instance.onDemandPerHour)])])
    }

    /// Synthetic arrivals alone: the rate curve (built inside the timing), time rescaling and token draws.
    static func traffic(_ sizes: Sizes) -> Measurement {
        let rate = 100.0
        let traffic = TrafficSpec(
            ratePerSecond: rate, arrivals: .gamma(cv: 2), diurnal: .smooth(peakHour: 14, peakToTrough: 3),
            weekly: [1.1, 1.1, 1.1, 1.1, 1, 0.8, 0.6],
            spikes: [Spike(atSeconds: 3_600, durationSeconds: 1_800, multiplier: 3, rampSeconds: 300)],
            classes: [RequestClass(name: "chat", deployment: "chat")])
        let prompt = Distribution.lognormal(median: 1_000, sigma: 0.8)
        let output = Distribution.lognormal(median: 200, sigma: 0.6)
        let started = now()
        let curve = RateCurve(traffic: traffic, horizon: Double(sizes.requests) / rate)
        var generator = ArrivalGenerator(curve: curve, process: traffic.arrivals, stream: RandomStream(seed: 1, source: "traffic.arrivals"))
        let tokens = RandomStream(seed: 1, source: "traffic.tokens")
        var count = 0
        var tokenSum = 0.0
        while generator.next() != nil {
            count += 1
            tokenSum += prompt.sample(tokens) + output.sample(tokens)
        }
        let seconds = elapsed(since: started)
        return Measurement(name: "traffic", events: Double(count), seconds: seconds, note: String(
            format: "%.3f s per million requests, mean tokens %.0f", seconds / Double(count) * 1e6, tokenSum / Double(max(count, 1))),
            unit: "requests")
    }

    /// A recorded trace: the check pass a scenario makes before running, then the streamed replay.
    static func replay(_ sizes: Sizes) throws -> [Measurement] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fleetsim-bench-\(getpid()).csv").path
        try writeTrace(path: path, rows: sizes.requests)
        defer { unlink(path) }
        let yaml = """
            duration: 366d
            traffic:
              trace: {file: \(path)}
            deployments:
              api:
                instance: {gpu: T4, gpus: 1, onDemand: 0.5}
                service: {time: 1s}
                pools: [{purchase: onDemand, count: 1}]
            """
        var started = now()
        let scenario = try ScenarioLoader.decode(yaml: yaml, file: "bench.yaml")
        let checkSeconds = elapsed(since: started)
        let check = Measurement(name: "check", events: Double(sizes.requests), seconds: checkSeconds,
                                note: String(format: "%.3f s per million rows", checkSeconds / Double(sizes.requests) * 1e6), unit: "rows")
        started = now()
        let trace = scenario.traffic.trace!
        var generator = TraceReplayGenerator(
            replay: trace, source: try ScenarioRunner.openTrace(trace), horizon: scenario.durationSeconds,
            stream: RandomStream(seed: 1, source: "traffic.trace"))
        var count = 0
        while generator.next() != nil { count += 1 }
        let seconds = elapsed(since: started)
        return [check, Measurement(name: "replay", events: Double(count), seconds: seconds, note: String(
            format: "%.3f s per million requests", seconds / Double(max(count, 1)) * 1e6), unit: "requests")]
    }

    /// A FleetSim CSV trace of `rows` requests, 100 per second on average.
    static func writeTrace(path: String, rows: Int) throws {
        guard let file = fopen(path, "w") else {
            throw ScenarioError(file: path, line: nil, keyPath: "", message: "cannot be written")
        }
        defer { fclose(file) }
        let stream = RandomStream(seed: 2, source: "bench.trace")
        fputs("time_s,prompt_tokens,output_tokens\n", file)
        var microseconds = 0
        for _ in 0..<rows {
            microseconds += Int((stream.unitExponential() * 10_000).rounded())
            let fraction = String(microseconds % 1_000_000)
            let padding = String(repeating: "0", count: 6 - fraction.utf8.count)
            let line = "\(microseconds / 1_000_000).\(padding)\(fraction),\(1 + stream.index(below: 4_000)),\(1 + stream.index(below: 800))\n"
            fputs(line, file)
        }
    }

    /// The process's peak resident memory, MiB.
    public static func peakResidentMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024  // Linux reports kilobytes
    }

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    private static func elapsed(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
