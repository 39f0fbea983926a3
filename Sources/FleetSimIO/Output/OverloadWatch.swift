import FleetSim

/// Watches a run's timeline for the ways a result can look fine while the fleet was not coping: a sustained
/// overload (a backlog that grew or lost requests for at least `sustainedSeconds`, said together with whether the
/// fleet was already at the most replicas it may have), and a queue still growing when the run ended. Each becomes a
/// warning in `summary.json` and on the terminal (decisions.md #76).
///
/// A window is overloaded when more than one request per ready replica waits on average and the window either lost
/// requests (timed out or rejected) or its mean queue is at least one request per ready replica above the previous
/// window's (a backlog growing steadily, however large it already is).
final class OverloadWatch: SimulationObserver {
    struct Episode {
        var start: Double
        var end: Double
        var lost = 0
        var peakQueue = 0.0
        var readySum = 0.0
        var windows = 0
    }

    let scenario: Scenario
    let sustainedSeconds: Double
    private var previousQueue: [String: Double] = [:]
    private var open: [String: Episode] = [:]
    private(set) var episodes: [(deployment: String, episode: Episode)] = []
    /// The last three windows' mean queues, per deployment, for the growth at the end.
    private var recentQueues: [String: [Double]] = [:]
    private var lastReady: [String: Double] = [:]
    private let forward: SimulationObserver

    init(scenario: Scenario, forwardingTo forward: SimulationObserver, sustainedSeconds: Double = 600) {
        self.scenario = scenario
        self.forward = forward
        self.sustainedSeconds = sustainedSeconds
    }

    func windowClosed(_ rows: [TimelineRow]) {
        forward.windowClosed(rows)
        for row in rows {
            let name = row.deployment
            let previous = previousQueue[name] ?? 0
            let backlog = row.queueDepthMean > max(1, row.replicasReady)
            let grew = row.queueDepthMean >= previous + max(1, row.replicasReady)
            let overloaded = backlog && (row.timedOut + row.rejected > 0 || grew)
            if overloaded {
                var episode = open[name] ?? Episode(start: row.windowStartSeconds, end: row.windowEndSeconds)
                episode.end = row.windowEndSeconds
                episode.lost += row.timedOut + row.rejected
                episode.peakQueue = max(episode.peakQueue, row.queueDepthMean)
                episode.readySum += row.replicasReady
                episode.windows += 1
                open[name] = episode
            } else if let episode = open.removeValue(forKey: name) {
                close(name, episode)
            }
            previousQueue[name] = row.queueDepthMean
            recentQueues[name, default: []].append(row.queueDepthMean)
            if recentQueues[name]!.count > 3 { recentQueues[name]!.removeFirst() }
            lastReady[name] = row.replicasReady
        }
    }

    func fleetEvent(_ event: FleetEvent) {
        forward.fleetEvent(event)
    }

    private func close(_ name: String, _ episode: Episode) {
        if episode.end - episode.start >= sustainedSeconds - 1e-9 { episodes.append((name, episode)) }
    }

    /// The warnings, once the run is over.
    func warnings(_ result: SimulationResult) -> [String] {
        for (name, episode) in open { close(name, episode) }
        open = [:]
        var warnings: [String] = []
        for (name, episode) in episodes.sorted(by: { $0.episode.start < $1.episode.start }) {
            let ready = episode.readySum / Double(episode.windows)
            let maximum = scenario.deployments.first { $0.name == name }.flatMap(Self.maximumReplicas)
            let limit: String
            if let maximum, ready >= Double(maximum) - 0.5 {
                limit = "with the fleet at its maximum of \(maximum) replica\(maximum == 1 ? "" : "s"): it cannot serve the offered load"
            } else {
                limit = "with \(String(format: "%.1f", ready)) replicas ready on average"
                    + (maximum.map { " of up to \($0)" } ?? "") + ": capacity came too late or was capped"
            }
            warnings.append("\(name): overloaded for \(Quantities.readable(seconds: episode.end - episode.start)) from "
                + "\(Self.clock(episode.start)): up to \(SummaryTable.grouped(Int(episode.peakQueue.rounded()))) requests waiting, "
                + "\(SummaryTable.grouped(episode.lost)) timed out or rejected, \(limit)")
        }
        for deployment in result.deployments {
            let queues = recentQueues[deployment.name] ?? []
            let ready = lastReady[deployment.name] ?? 0
            guard queues.count == 3, queues[0] < queues[1], queues[1] < queues[2], queues[2] > max(1, ready),
                  deployment.requests.inFlightAtEnd > 0 else { continue }
            warnings.append("\(deployment.name): the queue was still growing when the run ended "
                + "(\(SummaryTable.grouped(deployment.requests.inFlightAtEnd)) requests in flight): their latencies are "
                + "not in the results, so the percentiles understate the backlog; run longer or add capacity")
        }
        return warnings
    }

    /// The most replicas the deployment may have: the policy's maximum (or a schedule's floor above it), within
    /// what its pools allow; a fleet without an autoscaler keeps its count. Nil when a pool replays a capacity
    /// trace, whose node count the trace decides.
    static func maximumReplicas(_ deployment: DeploymentSpec) -> Int? {
        if deployment.pools.contains(where: { $0.reclaim?.trace != nil }) { return nil }
        guard let autoscaler = deployment.autoscaler else { return deployment.replicaCount }
        let policy = max(autoscaler.replicaBounds.upperBound, autoscaler.schedule.compactMap(\.minReplicas).max() ?? 0)
        // Pools without a `max` hold Int.max: the sum saturates.
        let pools = deployment.pools.reduce(0) { total, pool in
            let most = pool.isManaged ? pool.max : pool.count
            return total > Int.max - most ? Int.max : total + most
        }
        return min(policy, pools)
    }

    /// `20:05`, with the day from the second day on (`day 3 20:05`).
    static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds)
        let time = String(format: "%02d:%02d", whole / 3600 % 24, whole / 60 % 60)
        return whole >= 86_400 ? "day \(whole / 86_400 + 1) \(time)" : time
    }
}
