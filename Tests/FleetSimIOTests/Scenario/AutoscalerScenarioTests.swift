import FleetSim
import FleetSimIO
import FleetSimKernel
import Foundation
import Testing

/// Autoscalers and fleet options in scenario files: decoding, HPA manifests, round trips, mistakes, and the
/// example scenarios' claims.
@Suite struct AutoscalerScenarioTests {
    static func deployment(_ extra: String, pools: String = "[{purchase: onDemand, count: 2}]") -> String {
        """
        name: small
        duration: 1h
        traffic:
          rate: 5/s
        deployments:
          api:
            instance: {gpu: T4, gpus: 1, onDemand: 0.5, spot: 0.2}
            service: {time: {exponential: {mean: 200ms}}}
            pools: \(pools)
        \(extra)
        """
    }

    static func hpa(_ body: String) -> String { deployment("    autoscaler:\n      hpa: \(body)") }

    @Test(arguments: [
        (hpa("{maxReplicas: 10, metric: {utilization: 0%}}"), 11, "deployments.api.autoscaler.hpa.metric.utilization",
         "expected a percentage"),
        (hpa("{maxReplicas: 10, metric: {concurrency: -2}}"), 11, "deployments.api.autoscaler.hpa.metric.concurrency",
         "expected a positive target per replica"),
        (hpa("{maxReplicas: 10, metric: {queueLength: 0.0001}}"), 11, "deployments.api.autoscaler.hpa.metric.queueLength",
         "between 0.001 and"),
        (hpa("{minReplicas: 5, maxReplicas: 2, metric: {concurrency: 4}}"), 11, "deployments.api.autoscaler.hpa.minReplicas",
         "minReplicas (5) is above maxReplicas (2)"),
        (hpa("{maxReplicas: 10, metric: {gpuTemperature: 70}}"), 11, "deployments.api.autoscaler.hpa.metric.gpuTemperature",
         "unknown key 'gpuTemperature'"),
        (hpa("{maxReplicas: 10}"), 11, "deployments.api.autoscaler.hpa",
         "expected exactly one of metric, metrics"),
        (hpa("{maxReplicas: 10, metric: {concurrency: 4}, behavior: {scaleUp: {selectPolicy: Maximum}}}"), 11,
         "deployments.api.autoscaler.hpa.behavior.scaleUp.selectPolicy", "expected Max, Min or Disabled"),
        (deployment("    autoscaler: {fixed: 2}", pools: "[{purchase: reserved, count: 2, max: 4}]"), 9,
         "deployments.api.pools[0].max", "a reserved pool is bought for the horizon and keeps its count"),
        (deployment("    autoscaler: {fixed: 2}", pools: "[{purchase: onDemand, count: 2, min: 3, max: 1}]"), 9,
         "deployments.api.pools[0].min", "min (3) is above max (1)"),
        (deployment("", pools: "[{purchase: onDemand, count: 2, max: 4}]"), 9,
         "deployments.api.pools[0]", "pool bounds (min, max) are for an autoscaler"),
        (deployment("    autoscaler: {fixed: 2}", pools: "[{purchase: onDemand, count: 2, pricePerHour: -1}]"), 9,
         "deployments.api.pools[0].pricePerHour", "expected a price in USD per hour"),
        (deployment("    autoscaler: {fixed: 2}", pools: "[{purchase: spot, count: 2, warmPool: {size: 2, start: 20s}}]"), 9,
         "deployments.api.pools[0].warmPool", "warm pools hold stopped on-demand instances"),
        (deployment("    placement: {order: [spot]}\n    autoscaler: {fixed: 2}"), 10,
         "deployments.api.placement.order[0]", "the deployment has no spot pool"),
        (deployment("    autoscaler: {hpa: {maxReplicas: 4, metric: {concurrency: 4}}}", pools: "[{purchase: onDemand, count: 0}]"),
         10, "deployments.api.autoscaler", "an HPA leaves a deployment at 0 replicas alone"),
        (deployment("    autoscaler: {queue: {target: 0, maxReplicas: 4}}"), 10,
         "deployments.api.autoscaler.queue.target", "expected a positive target per replica"),
        (deployment("    autoscaler: {scheduled: {replicas: 2, rules: [{from: \"8:00am\", to: \"20:00\", min: 4}]}}"), 10,
         "deployments.api.autoscaler.scheduled.rules[0].from", "expected a time of day as HH:MM"),
        (deployment("    autoscaler: {predictive: {forecast: {arima: {}}, requestsPerReplica: 2/s, maxReplicas: 4}}"), 10,
         "deployments.api.autoscaler.predictive.forecast.arima", "unknown key 'arima'"),
    ])
    func mistakesAreNamed(_ yaml: String, _ line: Int, _ keyPath: String, _ message: String) throws {
        let error = #expect(throws: ScenarioError.self) { _ = try ScenarioLoader.decode(yaml: yaml, file: "s.yaml") }
        #expect(error?.line == line, "\(error?.description ?? "")")
        #expect(error?.keyPath == keyPath, "\(error?.description ?? "")")
        #expect(error?.message.contains(message) == true, "\(error?.description ?? "")")
    }

    /// A model load given as weights over bandwidth: 16 GB at 2 GB/s is 8 s; 140 GiB at 500 MB/s about 300.6 s.
    @Test func modelLoadFromSizeAndBandwidth() throws {
        func load(_ text: String) throws -> Distribution {
            try ScenarioLoader.decode(yaml: Self.deployment("    startup: {load: \(text)}"), file: "s.yaml").deployments[0].startup.load
        }
        #expect(try load("{modelSize: 16GB, bandwidth: 2GB/s}") == .constant(8))
        #expect(try load("{modelSize: 140 GiB, bandwidth: 500MB/s}") == .constant(140 * 1_073_741_824 / 5e8))
        let error = #expect(throws: ScenarioError.self) { _ = try load("{modelSize: 16GB, bandwidth: 2GB}") }
        #expect(error?.keyPath == "deployments.api.startup.load.bandwidth")
    }

    // MARK: Manifests

    static let manifest = """
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: chat}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: chat}
          minReplicas: 2
          maxReplicas: 30
          metrics:
            - type: Resource
              resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}
            - type: Pods
              pods: {metric: {name: "vllm:num_requests_waiting"}, target: {type: AverageValue, averageValue: 500m}}
            - type: External
              external: {metric: {name: totalInFlight}, target: {type: AverageValue, averageValue: "12"}}
          behavior:
            scaleUp:
              stabilizationWindowSeconds: 30
              selectPolicy: Min
              tolerance: 0.05
              policies: [{type: Pods, value: 2, periodSeconds: 60}, {type: Percent, value: 50, periodSeconds: 60}]
        """

    func decodeManifest(_ text: String) throws -> Scenario {
        let scratch = try ScratchFolder()
        _ = try scratch.write("hpa.yaml", text)
        return try ScenarioLoader.decode(
            yaml: Self.deployment("    autoscaler: {manifest: hpa.yaml}"), file: scratch.path("s.yaml"))
    }

    @Test func aManifestBecomesTheHPAItDescribes() throws {
        let scenario = try decodeManifest(Self.manifest)
        let expected = HPASpec(
            minReplicas: 2, maxReplicas: 30,
            metrics: [MetricTarget(.utilization, target: 0.6), MetricTarget(.queueLength, target: 0.5),
                      MetricTarget(.totalInFlight, target: 12)],
            behavior: HPA.Behavior(scaleUp: HPA.Rules(
                stabilizationWindowSeconds: 30, selectPolicy: .min,
                policies: [HPA.Policy(.pods, 2, periodSeconds: 60), HPA.Policy(.percent, 50, periodSeconds: 60)])),
            tolerance: HPA.Tolerance(scaleUp: 0.05, scaleDown: 0.1))
        #expect(scenario.deployments[0].autoscaler?.policy == .hpa(expected))
        // The resolved scenario spells the manifest out, and reads back to the same policy.
        let reread = try ScenarioLoader.decode(yaml: try ScenarioEncoder.yaml(scenario), file: "r.yaml")
        #expect(reread == scenario)
    }

    @Test(arguments: [
        ("apiVersion: autoscaling/v2", "apiVersion: autoscaling/v1", "apiVersion", "expected apiVersion autoscaling/v2"),
        ("kind: HorizontalPodAutoscaler", "kind: Deployment", "", "holds no HorizontalPodAutoscaler or ScaledObject (found Deployment)"),
        ("- type: Resource", "- type: Object", "spec.metrics[0].type", "Object and ContainerResource are not modelled"),
        ("vllm:num_requests_waiting", "vllm:gpu_cache_usage", "spec.metrics[1].pods.metric.name",
         "unknown Pods metric \"vllm:gpu_cache_usage\""),
        ("maxReplicas: 30", "maxReplicas: 1", "spec.minReplicas", "minReplicas (2) is above maxReplicas (1)"),
    ])
    func badManifestsAreNamed(_ original: String, _ replacement: String, _ keyPath: String, _ message: String) throws {
        let error = #expect(throws: ScenarioError.self) {
            _ = try decodeManifest(Self.manifest.replacingOccurrences(of: original, with: replacement))
        }
        #expect(error?.file.hasSuffix("hpa.yaml") == true, "\(error?.description ?? "")")
        #expect(error?.keyPath == keyPath, "\(error?.description ?? "")")
        #expect(error?.message.contains(message) == true, "\(error?.description ?? "")")
    }

    // MARK: The examples

    static let policyFiles = ["fixed-at-peak", "hpa-70", "hpa-50", "queue", "scheduled", "predictive"]

    /// Every example with an autoscaler reads, and its resolved form reads back to the same scenario.
    @Test func examplesRoundTrip() throws {
        let paths = Self.policyFiles.map { scenariosFolder.appendingPathComponent("policies/\($0).yaml").path }
            + ["spike-cold-start", "spike-warm-pool"].map { scenariosFolder.appendingPathComponent("\($0).yaml").path }
        for path in paths {
            let scenario = try ScenarioLoader.load(path: path)
            #expect(scenario.deployments[0].autoscaler != nil, "\(path)")
            #expect(try ScenarioLoader.decode(yaml: ScenarioEncoder.yaml(scenario), file: "r.yaml") == scenario, "\(path)")
        }
    }

    /// The comparison is fair: every policy file has the same traffic, seed and everything else but the policy
    /// (and the initial count).
    @Test func policyFilesDifferOnlyInTheirPolicy() throws {
        let scenarios = try Self.policyFiles.map {
            try ScenarioLoader.load(path: scenariosFolder.appendingPathComponent("policies/\($0).yaml").path)
        }
        for var scenario in scenarios {
            scenario.name = scenarios[0].name
            scenario.deployments[0].autoscaler = scenarios[0].deployments[0].autoscaler
            scenario.deployments[0].pools = scenarios[0].deployments[0].pools
            #expect(scenario == scenarios[0])
        }
    }

    final class Windows: SimulationObserver {
        var rows: [TimelineRow] = []
        func windowClosed(_ rows: [TimelineRow]) { self.rows += rows }
        func fleetEvent(_ event: FleetEvent) {}
    }

    /// The spike at 2 h meets a small fleet: with cold starts (provisioning 60–120 s, model load about 60 s) the
    /// one-minute windows' TTFT p99 stays above the 5 s objective for longer than a start-up takes; with a warm
    /// pool the excursion is shorter.
    @Test func aWarmPoolShortensTheSpikesExcursion() throws {
        func excursion(_ name: String) throws -> Int {
            let scenario = try ScenarioLoader.load(path: scenariosFolder.appendingPathComponent("\(name).yaml").path)
            let windows = Windows()
            _ = Simulation(scenario: scenario, observer: windows).run()
            // Windows from the spike on until TTFT p99 is back under the objective for good.
            let after = windows.rows.filter { $0.windowStartSeconds >= 7200 && $0.windowStartSeconds < 7200 + 2700 }
            let objective = scenario.slo!.ttft!.thresholdSeconds
            return after.filter { ($0.ttft.p99 ?? 0) > objective }.count
        }
        let cold = try excursion("spike-cold-start")
        let warm = try excursion("spike-warm-pool")
        #expect(cold >= 3, "cold: \(cold) windows above the objective")
        #expect(warm < cold, "warm \(warm) vs cold \(cold)")
    }
}
