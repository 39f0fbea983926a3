import ArgumentParser
import FleetSim
import FleetSimIO
import Foundation

struct HPACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hpa",
        abstract: "The Kubernetes HPA's decisions alone.",
        subcommands: [HPAReplayCommand.self])
}

struct HPAReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "What a HorizontalPodAutoscaler would have decided on a recorded load.",
        discussion: """
            LOAD is a CSV with the header time_s,total: a piecewise-constant total of the metric over all pods \
            (for a Resource utilization metric in pods' worth at 100 %, so 3.5 is three and a half pods fully busy; \
            for AverageValue metrics the sum over pods, or the External value). With several metrics, name one column \
            per metric instead (time_s,utilization,totalQueueLength). Every pod is ready and a replica change takes \
            effect at once. Prints time_s,replicas_before,recommendation,replicas_after for every sync from 0 to the \
            last time; the recommendation is the replica calculation before stabilization and rate limits. \
            The decisions are those of the simulation's HPA (docs/autoscaling.md, "fleetsim hpa replay").
            """)

    @Argument(help: "An autoscaling/v2 HorizontalPodAutoscaler manifest (may hold other objects, or be a List).")
    var manifest: String

    @Option(help: "The recorded load (CSV: time_s,total).")
    var load: String

    @Option(help: "Replicas at 0 s (default: the manifest's minReplicas).")
    var replicas: Int?

    @Option(help: "The HPA's sync period (--horizontal-pod-autoscaler-sync-period).")
    var sync: String = "15s"

    @Option(help: "The HPA to replay, by scaleTargetRef.name, when the manifest holds several.")
    var target: String?

    @Flag(help: "Add a column basis: each decision in words.")
    var explain = false

    func run() throws {
        try reportingFailures {
            guard let syncSeconds = HPAReplayInput.seconds(sync) else {
                throw Failure(message: "--sync: expected a duration above 0 such as 15s, found \"\(sync)\"")
            }
            let spec = try HPAReplayInput.spec(manifest: manifest, target: target)
            // Outside [min, max] is allowed: the controller's first move is then the jump to the bound.
            if let replicas, !(0...100_000).contains(replicas) {
                throw Failure(message: "--replicas: expected 0 to 100000, found \(replicas)")
            }
            let points = try HPAReplayInput.load(path: load, metrics: spec.metrics.map(\.metric))
            let rows = HPAReplay.run(
                spec: spec, load: points, initialReplicas: replicas ?? spec.minReplicas, syncSeconds: syncSeconds)
            FileHandle.standardOutput.write(Data(HPAReplayInput.csv(rows, explain: explain).utf8))
        }
    }
}
