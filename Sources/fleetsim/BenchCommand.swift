import ArgumentParser
import FleetSim
import FleetSimIO
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the kernel and the model: events per second and peak memory.",
        discussion: """
            hold: the event queue alone (hold model, 1,000 pending events). mmc: an M/M/c run end to end \
            (c = --servers, load 0.8, --customers arrivals, one-hour windows), the queue Benchmarks/reference/mmc.c \
            simulates in C (make bench-paired compares them). traffic: --requests synthetic arrivals (daily, weekly \
            and spike shape, gamma arrivals, two token draws each). replay: a --requests-row CSV trace written to a \
            temporary file, then checked and replayed as a scenario would. llm: one simulated day at 100 requests/s \
            on 20 continuous-batching replicas (about 8.6 million requests, lognormal prompt and output lengths); \
            --replicas scales the fleet and the rate together. analytic: the analytic engine on that deployment at \
            100,000 requests/s on 20,000 replicas for one simulated hour (steps per second). Peak memory is the process's; run one benchmark with --only to see its own. Build in release mode.
            """)

    @Option(help: "Hold operations for the kernel benchmark.")
    var operations = 20_000_000

    @Option(help: "Customers (arrivals) in the M/M/c benchmark.")
    var customers = 10_000_000

    @Option(help: "Servers in the M/M/c benchmark.")
    var servers = 8

    @Option(help: "Requests for the traffic and replay benchmarks.")
    var requests = 10_000_000

    @Option(help: "Replicas in the llm benchmark (5 requests/s each; the same 8.6 million requests).")
    var replicas = 20

    @Option(help: "How the llm benchmark's requests queue: central or perReplica.")
    var queueing = "central"

    @Option(help: "Which benchmark: hold, mmc, llm, analytic, traffic, replay, or all.")
    var only = "all"

    func validate() throws {
        guard only == "all" || BenchmarkSuite.names.contains(only) else {
            throw ValidationError("--only must be one of \(BenchmarkSuite.names.joined(separator: ", ")) or all; found '\(only)'")
        }
        guard servers >= 1, customers >= 1, requests >= 1, operations >= 1, (1...100_000).contains(replicas) else {
            throw ValidationError("--servers, --customers, --requests and --operations must be at least 1, --replicas 1…100000")
        }
        guard Queueing(rawValue: queueing) != nil else {
            throw ValidationError("--queueing must be central or perReplica; found '\(queueing)'")
        }
    }

    func run() throws {
        var sizes = BenchmarkSuite.Sizes()
        sizes.operations = operations
        sizes.customers = customers
        sizes.servers = servers
        sizes.requests = requests
        sizes.replicas = replicas
        sizes.queueing = Queueing(rawValue: queueing)!
        for name in only == "all" ? BenchmarkSuite.names : [only] {
            for m in try BenchmarkSuite.run(name, sizes: sizes) {
                let unit = m.unit as NSString
                print(String(format: "%-7@ %12.0f %-9@ %7.3f s  %6.2f M %@/s  (%@)", m.name as NSString, m.events, unit,
                             m.seconds, m.eventsPerSecond / 1e6, unit, m.note as NSString))
            }
        }
        print("peak resident memory: \(String(format: "%.1f", BenchmarkSuite.peakResidentMiB())) MiB")
    }
}
