import FleetSim
import FleetSimIO
import Foundation
import Testing

/// Kubernetes manifests as they are written for a cluster — an HPA from a guide verbatim, a Deployment and its HPA
/// in one file, a List, scale to zero, a KEDA ScaledObject — read as scenario policies, run, overridden, and
/// refused with the manifest's file and line when they are wrong.
@Suite struct ManifestTests {
    static func manifestPath(_ name: String) -> String {
        scenariosFolder.appendingPathComponent("manifests/\(name)").path
    }

    /// A one-deployment scenario whose autoscaler is the manifest at `manifest`, starting with `replicas`.
    static func scenario(manifest: String, name: String = "chat", replicas: Int = 2, rate: String = "20/s",
                         duration: String = "40m") -> String {
        """
        name: manifest
        duration: \(duration)
        window: 1m
        seed: 7
        traffic:
          rate: \(rate)
          spikes: [{at: 10m, duration: 10m, multiplier: 3}]
        deployments:
          \(name):
            instance: {gpu: L4, gpus: 1, onDemand: 0.8}
            service: {time: {exponential: {mean: 400ms}}}
            startup: {provision: 30s, load: 30s}
            pools: [{purchase: onDemand, count: \(replicas)}]
            autoscaler: {manifest: \(manifest)}
        """
    }

    final class Events: SimulationObserver {
        var fleet: [FleetEvent] = []
        func windowClosed(_ rows: [TimelineRow]) {}
        func fleetEvent(_ event: FleetEvent) { fleet.append(event) }
    }

    /// Runs the scenario; returns its scaling decisions and checks conservation.
    static func run(_ scenario: Scenario) -> [FleetEvent] {
        let events = Events()
        let result = Simulation(scenario: scenario, observer: events).run()
        let requests = result.total.requests
        #expect(requests.arrived == requests.completed + requests.rejected + requests.timedOut + requests.failed + requests.inFlightAtEnd)
        return events.fleet.filter { [.scaleUp, .scaleDown].contains($0.kind) }
    }

    /// The guide's manifest, verbatim: DCGM's GPU utilization as an External AverageValue metric.
    @Test func theDCGMManifestRunsAsWritten() throws {
        let scenario = try ScenarioLoader.decode(
            yaml: Self.scenario(manifest: Self.manifestPath("llm-serving-dcgm.yaml"), name: "llm-serving"), file: "s.yaml")
        var scaleUp = HPA.Rules.defaultScaleUp
        scaleUp.stabilizationWindowSeconds = 60
        scaleUp.policies = [HPA.Policy(.pods, 2, periodSeconds: 60)]
        var scaleDown = HPA.Rules.defaultScaleDown
        scaleDown.policies = [HPA.Policy(.pods, 1, periodSeconds: 120)]
        let expected = HPASpec(
            minReplicas: 2, maxReplicas: 20, metrics: [MetricTarget(.totalGPUUtilization, target: 70)],
            behavior: HPA.Behavior(scaleUp: scaleUp, scaleDown: scaleDown))
        #expect(scenario.deployments[0].autoscaler?.policy == .hpa(expected))
        #expect(scenario.deployments[0].autoscaler?.metrics == .prometheus)
        let changes = Self.run(scenario)
        // 20/s of 400 ms requests is 8 busy replicas' worth, the spike triples it, and it ends at 20 min.
        let ups = changes.filter { $0.kind == .scaleUp }
        #expect(ups.count >= 3, "\(changes.map(\.detail))")
        #expect(ups.first?.detail.contains("totalGPUUtilization") == true, "\(ups.first?.detail ?? "")")
        #expect(changes.contains { $0.kind == .scaleDown })
        // The policies hold over every sliding period, not only per decision: at most +2 pods within any 60 s and
        // −1 within any 120 s.
        for change in changes {
            let window = change.kind == .scaleUp ? 60.0 : 120
            let moved = changes.filter { $0.kind == change.kind && $0.timeSeconds > change.timeSeconds - window && $0.timeSeconds <= change.timeSeconds }
                .reduce(0) { $0 + abs($1.replicasAfter - $1.replicasBefore) }
            #expect(moved <= (change.kind == .scaleUp ? 2 : 1), "\(change.timeSeconds): \(moved) within \(window) s")
        }
    }

    @Test func aDeploymentAndItsHPAInOneFile() throws {
        let scenario = try ScenarioLoader.decode(yaml: Self.scenario(manifest: Self.manifestPath("deployment-and-hpa.yaml")), file: "s.yaml")
        let expected = HPASpec(minReplicas: 2, maxReplicas: 12, metrics: [MetricTarget(.running, target: 24)], behavior: nil)
        #expect(scenario.deployments[0].autoscaler?.policy == .hpa(expected))
    }

    @Test func aList() throws {
        let scenario = try ScenarioLoader.decode(yaml: Self.scenario(manifest: Self.manifestPath("list.yaml")), file: "s.yaml")
        let expected = HPASpec(minReplicas: 1, maxReplicas: 10, metrics: [MetricTarget(.utilization, target: 0.6)], behavior: nil)
        #expect(scenario.deployments[0].autoscaler?.policy == .hpa(expected))
        #expect(scenario.deployments[0].autoscaler?.metrics == .metricsServer)
        #expect(!Self.run(scenario).isEmpty)
    }

    /// minReplicas 0 with an External metric: from 0 replicas the waiting requests bring the deployment up, and
    /// once they are gone it goes back to 0 after the 300 s scale-down stabilization.
    @Test func scaleToZeroWithAnExternalMetric() throws {
        let scenario = try ScenarioLoader.decode(
            yaml: Self.scenario(manifest: Self.manifestPath("scale-to-zero.yaml"), replicas: 0, rate: "2/s", duration: "1h")
                .replacingOccurrences(of: "multiplier: 3", with: "multiplier: 0"),
            file: "s.yaml")
        guard case .hpa(let hpa) = scenario.deployments[0].autoscaler?.policy else { Issue.record("not an HPA"); return }
        #expect(hpa.minReplicas == 0 && hpa.metrics == [MetricTarget(.totalQueueLength, target: 10)])
        let changes = Self.run(scenario)
        #expect(changes.first?.replicasBefore == 0 && changes.first?.kind == .scaleUp, "\(changes.map(\.detail))")
        // The traffic stops at 10 min (multiplier 0 for 10 min) and the deployment drains to 0 within it.
        #expect(changes.contains { $0.replicasAfter == 0 && $0.timeSeconds > 600 && $0.timeSeconds < 1200 },
                "\(changes.map { "\($0.timeSeconds) \($0.replicasAfter)" })")
    }

    @Test func aKEDAScaledObject() throws {
        let scenario = try ScenarioLoader.decode(
            yaml: Self.scenario(manifest: Self.manifestPath("keda-queue.yaml"), replicas: 0, rate: "4/s"), file: "s.yaml")
        var behavior = HPA.Behavior()
        behavior.scaleDown.stabilizationWindowSeconds = 120
        let expected = QueueScalerSpec(
            metric: .totalQueueLength, targetPerReplica: 8, activationThreshold: 1, minReplicas: 0, maxReplicas: 10,
            pollingSeconds: 30, cooldownSeconds: 300, behavior: behavior)
        #expect(scenario.deployments[0].autoscaler?.policy == .queue(expected))
        let changes = Self.run(scenario)
        #expect(changes.first?.replicasBefore == 0 && changes.first?.replicasAfter == 1, "\(changes.map(\.detail))")
    }

    /// The manifest is the scenario's `hpa` tree: `--set` reaches its target, and a variant's `hpa` keys lie over it.
    @Test func overridesReachAManifestsKeys() throws {
        let yaml = Self.scenario(manifest: Self.manifestPath("llm-serving-dcgm.yaml"))
        let overridden = try ScenarioLoader.decode(yaml: yaml, file: "s.yaml", overrides: [
            try Override("deployments.chat.autoscaler.hpa.metrics[0].totalGPUUtilization=50"),
            try Override("deployments.chat.autoscaler.hpa.maxReplicas=8"),
        ])
        guard case .hpa(let hpa) = overridden.deployments[0].autoscaler?.policy else { Issue.record("not an HPA"); return }
        #expect(hpa.metrics == [MetricTarget(.totalGPUUtilization, target: 50)] && hpa.maxReplicas == 8)
        #expect(hpa.behavior?.scaleUp.stabilizationWindowSeconds == 60)

        let scratch = try ScratchFolder()
        let base = try scratch.write("base.yaml", yaml)
        let variant = try scratch.write("variant.yaml", "deployments: {chat: {autoscaler: {hpa: {minReplicas: 4}}}}")
        let varied = try ScenarioLoader.load(path: base, overlay: variant)
        guard case .hpa(let variedHPA) = varied.deployments[0].autoscaler?.policy else { Issue.record("not an HPA"); return }
        #expect(variedHPA.minReplicas == 4 && variedHPA.maxReplicas == 20)
    }

    /// A variant or `--set` that names a manifest replaces the base's policy; a variant with another kind of
    /// policy replaces a base's manifest.
    @Test func aManifestReplacesAPolicyAndIsReplaced() throws {
        let scratch = try ScratchFolder()
        let hpaBase = try scratch.write("base.yaml", Self.scenario(manifest: "x").replacingOccurrences(
            of: "autoscaler: {manifest: x}",
            with: "autoscaler: {hpa: {minReplicas: 3, maxReplicas: 9, metric: {utilization: 50%}, behavior: {}}}"))
        let toManifest = try scratch.write("v1.yaml", "deployments: {chat: {autoscaler: {manifest: \(Self.manifestPath("list.yaml"))}}}")
        let listHPA = HPASpec(minReplicas: 1, maxReplicas: 10, metrics: [MetricTarget(.utilization, target: 0.6)], behavior: nil)
        #expect(try ScenarioLoader.load(path: hpaBase, overlay: toManifest).deployments[0].autoscaler?.policy == .hpa(listHPA))
        let overridden = try ScenarioLoader.load(
            path: hpaBase, overrides: [try Override("deployments.chat.autoscaler.manifest=\(Self.manifestPath("list.yaml"))")])
        #expect(overridden.deployments[0].autoscaler?.policy == .hpa(listHPA))

        let manifestBase = try scratch.write("m.yaml", Self.scenario(manifest: Self.manifestPath("llm-serving-dcgm.yaml")))
        let toFixed = try scratch.write("v2.yaml", "deployments: {chat: {autoscaler: {fixed: 4}}}")
        #expect(try ScenarioLoader.load(path: manifestBase, overlay: toFixed).deployments[0].autoscaler?.policy == .fixed(4))
    }

    /// A ScaledObject over a deployment that starts with replicas and load: the first polls, before any sample is
    /// visible, decide nothing, and the deployment is not scaled to zero while requests arrive.
    @Test func aScaledObjectDoesNotDropABusyDeploymentAtItsFirstPoll() throws {
        let scenario = try ScenarioLoader.decode(
            yaml: Self.scenario(manifest: Self.manifestPath("keda-queue.yaml"), replicas: 3, rate: "20/s"), file: "s.yaml")
        let changes = Self.run(scenario)
        #expect(!changes.contains { $0.replicasAfter == 0 && $0.timeSeconds < 1_200 }, "\(changes.map { "\($0.timeSeconds) \($0.replicasAfter) \($0.detail)" })")
    }

    @Test(arguments: [
        ("sum(vllm:num_requests_waiting{model_name=\"llama-8b\"})", true),
        ("sum by (model_name) (vllm:num_requests_waiting{model_name=\"x\"})", true),
        ("vllm:num_requests_waiting", true),
        ("sum(DCGM_FI_DEV_GPU_UTIL{pod=~\"chat-.*\"})", true),
        ("sum(rate(vllm:num_requests_waiting[1m]))", false),
        ("sum(vllm:num_requests_waiting) / count(vllm:num_requests_waiting)", false),
        ("avg(vllm:num_requests_waiting)", false),
        ("sum(vllm:num_requests_waiting) + sum(vllm:num_requests_running)", false),
    ])
    func aScaledObjectsQueryMustBeATotal(_ query: String, _ accepted: Bool) throws {
        let text = try String(contentsOfFile: Self.manifestPath("keda-queue.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "sum(vllm:num_requests_waiting{model_name=\"llama-8b\"})", with: query)
        let scratch = try ScratchFolder()
        let manifest = try scratch.write("so.yaml", text)
        let yaml = Self.scenario(manifest: manifest)
        if accepted {
            #expect(throws: Never.self) { _ = try ScenarioLoader.decode(yaml: yaml, file: scratch.path("s.yaml")) }
        } else {
            let error = #expect(throws: ScenarioError.self) { _ = try ScenarioLoader.decode(yaml: yaml, file: scratch.path("s.yaml")) }
            #expect(error?.file == manifest && error?.keyPath == "spec.triggers[0].metadata.query", "\(error?.description ?? "")")
        }
    }

    @Test(arguments: [
        ("averageValue: \"70\"", "averageValue: \"-70\"", 17, "spec.metrics[0].external.target.averageValue", "a Kubernetes quantity"),
        ("name: dcgm_fi_dev_gpu_util", "name: dcgm_fi_dev_mem_copy_util", 15, "spec.metrics[0].external.metric.name",
         "FleetSim measures: "),
        ("value: 2, periodSeconds: 60", "value: 2, periodSeconds: soon", 21, "spec.behavior.scaleUp.policies[0].periodSeconds",
         "expected"),
        ("  minReplicas: 2", "  minReplicas: 0", 9, "spec.minReplicas", "External"),
        ("averageValue: \"70\"", "averageValue: \"0.0001\"", 17, "spec.metrics[0].external.target.averageValue", "from 0.001"),
    ])
    func badManifestsNameTheirFileAndLine(_ original: String, _ replacement: String, _ line: Int, _ keyPath: String,
                                          _ message: String) throws {
        let text = try String(contentsOfFile: Self.manifestPath("llm-serving-dcgm.yaml"), encoding: .utf8)
        #expect(text.contains(original))
        var broken = text.replacingOccurrences(of: original, with: replacement)
        if original.contains("minReplicas") {
            // minReplicas 0 is refused only without an External metric.
            broken = broken.replacingOccurrences(of: "type: External", with: "type: Pods")
                .replacingOccurrences(of: "external:", with: "pods:")
        }
        let scratch = try ScratchFolder()
        let manifest = try scratch.write("hpa.yaml", broken)
        let error = #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.decode(yaml: Self.scenario(manifest: manifest), file: scratch.path("s.yaml"))
        }
        #expect(error?.file == manifest, "\(error?.description ?? "")")
        #expect(error?.line == line, "\(error?.description ?? "")")
        #expect(error?.keyPath == keyPath, "\(error?.description ?? "")")
        #expect(error?.message.contains(message) == true, "\(error?.description ?? "")")
    }

    /// metrics-server serves no GPU resource: such an HPA never scales on a cluster, so it is refused, with the way out.
    @Test func aGPUResourceMetricIsRefused() throws {
        let text = try String(contentsOfFile: Self.manifestPath("list.yaml"), encoding: .utf8)
        let scratch = try ScratchFolder()
        let manifest = try scratch.write("gpu.yaml", text.replacingOccurrences(of: "name: cpu", with: "name: nvidia.com/gpu"))
        let error = #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.decode(yaml: Self.scenario(manifest: manifest), file: scratch.path("s.yaml"))
        }
        #expect(error?.file == manifest && error?.line == 14 && error?.message.contains("DCGM_FI_DEV_GPU_UTIL") == true,
                "\(error?.description ?? "")")
    }

    @Test func aScaledObjectsCPUTriggerIsRefusedByName() throws {
        let text = try String(contentsOfFile: Self.manifestPath("keda-queue.yaml"), encoding: .utf8)
        let scratch = try ScratchFolder()
        let manifest = try scratch.write("so.yaml", text.replacingOccurrences(of: "type: prometheus", with: "type: cpu"))
        let error = #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.decode(yaml: Self.scenario(manifest: manifest), file: scratch.path("s.yaml"))
        }
        #expect(error?.file == manifest && error?.keyPath == "spec.triggers[0].type", "\(error?.description ?? "")")
        #expect(error?.message.contains("a cpu trigger is a Resource metric") == true)
    }

    @Test func aFileWithSeveralHPAsPicksTheDeployments() throws {
        let one = try String(contentsOfFile: Self.manifestPath("list.yaml"), encoding: .utf8)
            .components(separatedBy: "items:\n")[1]
            .split(separator: "\n").map { $0.dropFirst(2) }.joined(separator: "\n")
        let two = one.replacingOccurrences(of: "name: chat", with: "name: search")
            .replacingOccurrences(of: "maxReplicas: 10", with: "maxReplicas: 33")
        let scratch = try ScratchFolder()
        let manifest = try scratch.write("both.yaml", one + "\n---\n" + two)
        let chat = try ScenarioLoader.decode(yaml: Self.scenario(manifest: manifest, name: "chat"), file: scratch.path("s.yaml"))
        let search = try ScenarioLoader.decode(yaml: Self.scenario(manifest: manifest, name: "search"), file: scratch.path("s.yaml"))
        guard case .hpa(let chatHPA) = chat.deployments[0].autoscaler?.policy,
              case .hpa(let searchHPA) = search.deployments[0].autoscaler?.policy
        else { Issue.record("not HPAs"); return }
        #expect(chatHPA.maxReplicas == 10 && searchHPA.maxReplicas == 33)
        let error = #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.decode(yaml: Self.scenario(manifest: manifest, name: "other"), file: scratch.path("s.yaml"))
        }
        #expect(error?.message.contains("scaleTargetRef.name other") == true, "\(error?.description ?? "")")
    }
}
