import FleetSim
import FleetSimIO
import Foundation
import Testing

/// Spot pools in scenario files: replaying a real capacity trace, AWS interruption buckets, and bad traces.
@Suite struct SpotScenarioTests {
    static let g4dn = TraceReaderTests.shared.appendingPathComponent("spotserve/g4dn_spot_trace.csv").path

    static func scenario(_ reclaim: String, count: String = "") -> String {
        """
        name: spot
        duration: 11h
        window: 10m
        traffic: {rate: 2/s}
        deployments:
          api:
            instance: aws/g5.xlarge
            service: {time: 500ms}
            startup: {provision: 90s, load: 45s}
            pools:
              - {purchase: onDemand, count: 2}
              - {purchase: spot\(count), reclaim: \(reclaim)}
        """
    }

    /// SpotServe's AWS g4dn trace (../shared/data/spotserve): 79 nodes added and 74 removed over 10.6 hours. Replayed
    /// as a spot pool's capacity, every removal is a reclaim, each node starts cold, and requests are conserved.
    @Test func theG4dnCapacityTraceReplaysItsRemovalsAsReclaims() throws {
        try #require(FileManager.default.fileExists(atPath: Self.g4dn), "needs ../shared/data beside the checkout")
        let scenario = try ScenarioLoader.decode(yaml: Self.scenario("{trace: \(Self.g4dn), notice: 2m}"), file: "s.yaml")
        let trace = try #require(scenario.deployments[0].pools[1].reclaim?.trace)
        #expect(trace.changes.filter(\.isAdd).count == 79)
        #expect(trace.changes.filter { !$0.isAdd }.count == 74)
        let recorder = FleetEventLog()
        let d = Simulation(scenario: scenario, observer: recorder).run().deployments[0]
        #expect(d.fleet.spotReclaims == 74)
        #expect(d.fleet.coldStarts <= 79 && d.fleet.coldStarts >= 70)
        #expect(recorder.events.filter { $0.kind == .provision }.count == 79)
        let r = d.requests
        #expect(r.arrived == r.completed + r.rejected + r.timedOut + r.inFlightAtEnd)
        #expect(try ScenarioLoader.decode(yaml: ScenarioEncoder.yaml(scenario), file: "r.yaml") == scenario)
    }

    /// An AWS Spot Advisor bucket is a monthly interruption probability p (taken at the bucket's middle), turned into
    /// the constant hazard −ln(1 − p) per 730-hour month.
    @Test func awsBucketsBecomeHourlyHazards() throws {
        let scenario = try ScenarioLoader.decode(yaml: Self.scenario("{awsBucket: \"5-10%\"}", count: ", count: 4"), file: "s.yaml")
        let reclaim = try #require(scenario.deployments[0].pools[1].reclaim)
        #expect(abs(reclaim.perHour - (-log(1 - 0.075) / 730)) < 1e-15)
        #expect(reclaim.noticeSeconds == 120)
    }

    @Test(arguments: [
        ("0,add,n1\n10,remove,n2\n", 2, "node n2 is removed but was never added"),
        ("0,add,n1\nabc,remove,n1\n", 2, "time_ms: expected a non-negative number of milliseconds"),
        ("5,add,n1\n4,remove,n1\n", 2, "time goes backwards"),
        ("0,add\n", 1, "expected 3 fields"),
        ("0,grow,n1\n", 1, "expected add or remove"),
    ])
    func badCapacityTracesAreNamed(_ text: String, _ line: Int, _ message: String) throws {
        let scratch = try ScratchFolder()
        let path = try scratch.write("capacity.csv", text)
        let error = #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.decode(yaml: Self.scenario("{trace: \(path)}"), file: "s.yaml")
        }
        #expect(error?.file == path)
        #expect(error?.line == line, "\(error?.description ?? "")")
        #expect(error?.keyPath == "deployments.api.pools[1].reclaim.trace")
        #expect(error?.message.contains(message) == true, "\(error?.description ?? "")")
    }
}

/// Keeps the fleet events of a run.
final class FleetEventLog: SimulationObserver {
    private(set) var events: [FleetEvent] = []
    func windowClosed(_ rows: [TimelineRow]) {}
    func fleetEvent(_ event: FleetEvent) { events.append(event) }
}
