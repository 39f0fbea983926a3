import ArgumentParser
import FleetSim
import FleetSimIO
import FleetSimKernel
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the kernel and the model: events per second and peak memory.",
        discussion: """
            hold: the event queue alone (hold model, 1,000 pending events). mmc: an M/M/c run end to end \
            (c = 16, ρ = 0.8, --customers arrivals), with histograms and timeline windows. traffic: --requests \
            synthetic arrivals (daily, weekly and spike shape, gamma arrivals, two token draws each). replay: a \
            --requests-row CSV trace written to a temporary file, then checked and replayed as a scenario would. \
            llm: one simulated day at 100 requests/s on 20 continuous-batching replicas (about 8.6 million \
            requests, lognormal prompt and output lengths). Peak memory is the process's; run one benchmark with \
            --only to see its own. Build in release mode.
            """)

    @Option(help: "Hold operations for the kernel benchmark.")
    var operations = 20_000_000

    @Option(help: "Customers (arrivals) in the M/M/c benchmark.")
    var customers = 10_000_000

    @Option(help: "Requests for the traffic and replay benchmarks.")
    var requests = 10_000_000

    @Option(help: "Which benchmarks: hold, mmc, traffic, replay, llm or all.")
    var only = "all"

    static let names = ["hold", "mmc", "traffic", "replay", "llm"]

    func validate() throws {
        guard only == "all" || Self.names.contains(only) else {
            throw ValidationError("--only must be one of \(Self.names.joined(separator: ", ")) or all; found '\(only)'")
        }
    }

    func run() throws {
        if only == "all" || only == "hold" {
            let started = DispatchTime.now().uptimeNanoseconds
            let checksum = HoldBenchmark.run(pending: 1_000, operations: operations)
            let seconds = elapsed(since: started)
            report("hold", events: Double(operations), seconds: seconds, note: "checksum \(Int(checksum) % 1000)")
        }
        if only == "all" || only == "mmc" {
            let servers = 16
            let arrivalRate = 16 * 0.8
            let duration = Double(customers) / arrivalRate
            let scenario = Scenario.textbook(
                name: "bench-mmc", servers: servers, arrivalRate: arrivalRate, service: .exponential(mean: 1),
                durationSeconds: duration, windowSeconds: 60)
            let started = DispatchTime.now().uptimeNanoseconds
            let result = Simulation(scenario: scenario).run()
            let seconds = elapsed(since: started)
            report("mmc", events: Double(result.events), seconds: seconds,
                   note: "\(result.total.requests.arrived) customers, mean wait \(String(format: "%.4f", result.total.queueWait.mean ?? 0)) s")
        }
        if only == "all" || only == "llm" {
            benchmarkContinuousBatching()
        }
        if only == "all" || only == "traffic" {
            benchmarkTraffic()
        }
        if only == "all" || only == "replay" {
            try benchmarkReplay()
        }
        print("peak resident memory: \(String(format: "%.1f", peakResidentMiB())) MiB")
    }

    /// A day of LLM traffic through continuous batching, end to end.
    private func benchmarkContinuousBatching() {
        let profile = PerformanceProfile(
            prefillTokensPerSecond: 40_000, prefillBaseSeconds: 0.005,
            decodeStep: .linear(baseSeconds: 0.020, perSequenceSeconds: 0.0003), maxConcurrency: 64)
        let instance = InstanceType(gpu: "A100", gpus: 1, onDemandPerHour: 4.1)
        let scenario = Scenario(
            name: "bench-llm", durationSeconds: 86_400, windowSeconds: 60,
            traffic: TrafficSpec(ratePerSecond: 100, classes: [RequestClass(
                name: "chat", deployment: "llm", promptTokens: .lognormal(median: 500, sigma: 0.8),
                outputTokens: .lognormal(median: 150, sigma: 0.6))]),
            deployments: [DeploymentSpec(
                name: "llm", instance: instance, profile: profile, batching: .continuous,
                queue: QueueSpec(timeoutSeconds: 60),
                pools: [PoolSpec(purchase: .onDemand, count: 20, pricePerHour: instance.onDemandPerHour)])])
        let started = DispatchTime.now().uptimeNanoseconds
        let result = Simulation(scenario: scenario).run()
        let seconds = elapsed(since: started)
        let d = result.total
        report("llm", events: Double(result.events), seconds: seconds, note: String(
            format: "%d requests in %.1f s, TTFT p99 %.3f s, TPOT p50 %.1f ms, utilization %.0f%%", d.requests.arrived,
            seconds, d.ttft.p99 ?? 0, (d.tpot.p50 ?? 0) * 1000, d.utilization * 100))
    }

    /// Synthetic arrivals alone: the rate curve (built inside the timing), time rescaling and token draws.
    private func benchmarkTraffic() {
        let rate = 100.0
        let traffic = TrafficSpec(
            ratePerSecond: rate, arrivals: .gamma(cv: 2), diurnal: .smooth(peakHour: 14, peakToTrough: 3),
            weekly: [1.1, 1.1, 1.1, 1.1, 1, 0.8, 0.6],
            spikes: [Spike(atSeconds: 3_600, durationSeconds: 1_800, multiplier: 3, rampSeconds: 300)],
            classes: [RequestClass(name: "chat", deployment: "chat")])
        let prompt = Distribution.lognormal(median: 1_000, sigma: 0.8)
        let output = Distribution.lognormal(median: 200, sigma: 0.6)
        let started = DispatchTime.now().uptimeNanoseconds
        let curve = RateCurve(traffic: traffic, horizon: Double(requests) / rate)
        var generator = ArrivalGenerator(curve: curve, process: traffic.arrivals, stream: RandomStream(seed: 1, source: "traffic.arrivals"))
        let tokens = RandomStream(seed: 1, source: "traffic.tokens")
        var count = 0
        var tokenSum = 0.0
        while generator.next() != nil {
            count += 1
            tokenSum += prompt.sample(tokens) + output.sample(tokens)
        }
        let seconds = elapsed(since: started)
        report("traffic", events: Double(count), seconds: seconds,
               note: String(format: "%.3f s per million requests, mean tokens %.0f", seconds / Double(count) * 1e6, tokenSum / Double(max(count, 1))))
    }

    /// A recorded trace: the check pass a scenario makes before running, then the streamed replay.
    private func benchmarkReplay() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fleetsim-bench-\(getpid()).csv").path
        try writeTrace(path: path, rows: requests)
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
        var started = DispatchTime.now().uptimeNanoseconds
        let scenario = try ScenarioLoader.decode(yaml: yaml, file: "bench.yaml")
        let checkSeconds = elapsed(since: started)
        report("check", events: Double(requests), seconds: checkSeconds,
               note: String(format: "%.3f s per million rows", checkSeconds / Double(requests) * 1e6))
        started = DispatchTime.now().uptimeNanoseconds
        let replay = scenario.traffic.trace!
        var generator = TraceReplayGenerator(
            replay: replay, source: try ScenarioRunner.openTrace(replay), horizon: scenario.durationSeconds,
            stream: RandomStream(seed: 1, source: "traffic.trace"))
        var count = 0
        while generator.next() != nil { count += 1 }
        let seconds = elapsed(since: started)
        report("replay", events: Double(count), seconds: seconds,
               note: String(format: "%.3f s per million requests", seconds / Double(max(count, 1)) * 1e6))
    }

    /// A FleetSim CSV trace of `rows` requests, 100 per second on average.
    private func writeTrace(path: String, rows: Int) throws {
        guard let file = fopen(path, "w") else { throw Failure(message: "cannot write \(path)") }
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

    private func elapsed(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private func report(_ name: String, events: Double, seconds: Double, note: String) {
        print(String(format: "%-7@ %12.0f events  %7.3f s  %6.2f M events/s  (%@)",
                     name as NSString, events, seconds, events / seconds / 1e6, note as NSString))
    }

    private func peakResidentMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024  // Linux reports kilobytes
    }
}
