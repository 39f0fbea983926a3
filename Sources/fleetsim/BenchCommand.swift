import ArgumentParser
import FleetSim
import FleetSimKernel
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the kernel and the model: events per second and peak memory.",
        discussion: """
            hold: the event queue alone (hold model, 1,000 pending events). mmc: an M/M/c run end to end \
            (c = 16, ρ = 0.8, --customers arrivals), with histograms and timeline windows. Build in release mode.
            """)

    @Option(help: "Hold operations for the kernel benchmark.")
    var operations = 20_000_000

    @Option(help: "Customers (arrivals) in the M/M/c benchmark.")
    var customers = 10_000_000

    @Option(help: "Which benchmarks: hold, mmc or all.")
    var only = "all"

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
        print("peak resident memory: \(String(format: "%.1f", peakResidentMiB())) MiB")
    }

    private func elapsed(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private func report(_ name: String, events: Double, seconds: Double, note: String) {
        print(String(format: "%-5@ %12.0f events  %7.3f s  %6.2f M events/s  (%@)",
                     name as NSString, events, seconds, events / seconds / 1e6, note as NSString))
    }

    private func peakResidentMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024  // Linux reports kilobytes
    }
}
