import FleetSim
import Testing

/// The Kubernetes HPA decision against the reference cases of kubernetes' `pkg/controller/podautoscaler` tests
/// (replica_calculator_test.go, horizontal_test.go): the expected replica counts after one sync must match exactly.
@Suite struct HPAReferenceTests {
    typealias Pod = HPA.PodSample

    static func cpu(_ millicores: [Double], ready: [Bool]? = nil, requests: [Double]? = nil) -> [Pod] {
        millicores.indices.map { i in
            Pod(value: millicores[i], ready: ready?[i] ?? true, request: requests?[i] ?? 1_000)
        }
    }

    @Test func utilizationRatioScalesUp() {
        // 3 pods at 300/500/700 m of 1 CPU, target 30 %: 50 % / 30 % × 3 = 5.
        #expect(HPA.desiredReplicas(current: 3, samples: Self.cpu([300, 500, 700]), target: .utilization(0.3)) == 5)
    }

    @Test func anUnreadyPodCountsAsIdleWhenScalingUp() {
        // Pod 0 unready: the ready pods say 60 % (×2); counting the unready one at 0 gives 40 % / 30 % × 3 → 4.
        let pods = Self.cpu([300, 500, 700], ready: [false, true, true])
        #expect(HPA.desiredReplicas(current: 3, samples: pods, target: .utilization(0.3)) == 4)
    }

    @Test func unreadyPodsThatReverseTheDirectionMeanNoChange() {
        // [ready, unready, unready] at 400/500/700: the ready pod says scale up (40 % > 30 %); with the unready ones
        // at 0 the ratio drops below 1, so the controller keeps 3.
        let pods = Self.cpu([400, 500, 700], ready: [true, false, false])
        #expect(HPA.desiredReplicas(current: 3, samples: pods, target: .utilization(0.3)) == 3)
    }

    @Test func scaleDownIgnoresUnreadyPods() {
        // 5 pods at 100/300/500/250/250 m, target 50 %: 28 % / 50 % × 5 → 3.
        #expect(HPA.desiredReplicas(current: 5, samples: Self.cpu([100, 300, 500, 250, 250]), target: .utilization(0.5)) == 3)
        // The last two unready: they are left out when scaling down: 30 % / 50 % × 3 → 2.
        let pods = Self.cpu([100, 300, 500, 250, 250], ready: [true, true, true, false, false])
        #expect(HPA.desiredReplicas(current: 5, samples: pods, target: .utilization(0.5)) == 2)
    }

    @Test func withinToleranceNothingChanges() {
        // Requests 0.9/1.0/1.1 CPU, usage 1010/1030/1020 m: 102 % of a 100 % target, inside the 10 % tolerance.
        let pods = Self.cpu([1_010, 1_030, 1_020], requests: [900, 1_000, 1_100])
        #expect(HPA.desiredReplicas(current: 3, samples: pods, target: .utilization(1.0)) == 3)
    }

    @Test func podsMetricAverages() {
        // A Pods metric at 20/10/30 with target 15: 20 / 15 × 3 → 4.
        let pods = [20.0, 10, 30].map { Pod(value: $0) }
        #expect(HPA.desiredReplicas(current: 3, samples: pods, target: .averageValue(15)) == 4)
    }

    @Test func missingMetricsAreCautious() {
        // Scaling down, a pod without a metric counts at the target (100 %): 2 pods at 10 % of 1 CPU, one missing,
        // target 50 %: (100 + 100 + 500) / 3000 = 23.3 % → 0.467 × 3 → 2.
        let pods = [Pod(value: 100, request: 1_000), Pod(value: 100, request: 1_000), Pod(value: nil, request: 1_000)]
        #expect(HPA.desiredReplicas(current: 3, samples: pods, target: .utilization(0.5)) == 2)
        // Scaling up, it counts at 0: (900 + 900 + 0) / 3000 = 60 % of 50 % → 1.2 × 3 → 4.
        let busy = [Pod(value: 900, request: 1_000), Pod(value: 900, request: 1_000), Pod(value: nil, request: 1_000)]
        #expect(HPA.desiredReplicas(current: 3, samples: busy, target: .utilization(0.5)) == 4)
    }

    @Test func defaultBehaviorDoublesOrAddsFour() {
        // Default scale-up: max(4 pods, 100 %) per 15 s. 10 → desired 50 → 20.
        var controller = HPA.Controller(minReplicas: 1, maxReplicas: 100)
        #expect(controller.decide(now: 0, current: 10, desired: 50) == 20)
    }

    @Test func podsAndPercentPoliciesTakeTheLarger() {
        // Pods 100 and Percent 100 per 60 s: 10 → 500 → max(110, 20) = 110.
        let up = HPA.Rules(stabilizationWindowSeconds: 0, policies: [
            HPA.Policy(.pods, 100, periodSeconds: 60), HPA.Policy(.percent, 100, periodSeconds: 60)])
        var controller = HPA.Controller(minReplicas: 1, maxReplicas: 1_000, behavior: HPA.Behavior(scaleUp: up))
        #expect(controller.decide(now: 0, current: 10, desired: 500) == 110)
    }

    @Test func percentPolicyScalesByItsShare() {
        // Percent 200 per 60 s: 10 → 50 → ceil(10 × 3) = 30.
        let up = HPA.Rules(stabilizationWindowSeconds: 0, policies: [HPA.Policy(.percent, 200, periodSeconds: 60)])
        var controller = HPA.Controller(minReplicas: 1, maxReplicas: 1_000, behavior: HPA.Behavior(scaleUp: up))
        #expect(controller.decide(now: 0, current: 10, desired: 50) == 30)
    }

    @Test(arguments: [(20, 80), (2, 98)])
    func scaleDownPoliciesTakeTheBiggestChange(_ pods: Int, _ expected: Int) {
        // Scale-down Pods n and Percent 1 per 60 s, no stabilization: 100 → 2 → min(100 − n, 99).
        let down = HPA.Rules(stabilizationWindowSeconds: 0, policies: [
            HPA.Policy(.pods, pods, periodSeconds: 60), HPA.Policy(.percent, 1, periodSeconds: 60)])
        var controller = HPA.Controller(minReplicas: 1, maxReplicas: 1_000, behavior: HPA.Behavior(scaleDown: down))
        #expect(controller.decide(now: 0, current: 100, desired: 2) == expected)
    }

    /// With constant load asking for 40 and default behavior, 15 s syncs go 3 → 7 → 14 → 28 → 40: each sync may
    /// add the larger of 4 pods and 100 % of the replicas at the start of its 15 s period.
    @Test func consecutiveSyncsFollowTheDefaultRate() {
        var controller = HPA.Controller(minReplicas: 1, maxReplicas: 100)
        var replicas = 3
        var seen = [replicas]
        for sync in 1...4 {
            replicas = controller.decide(now: Double(sync) * 15, current: replicas, desired: 40)
            seen.append(replicas)
        }
        #expect(seen == [3, 7, 14, 28, 40])
    }

    /// Scale-down waits for the stabilization window: the highest recommendation of the last 300 s holds.
    @Test func scaleDownIsStabilized() {
        var controller = HPA.Controller(minReplicas: 1, maxReplicas: 100)
        #expect(controller.decide(now: 0, current: 10, desired: 10) == 10)
        #expect(controller.decide(now: 15, current: 10, desired: 4) == 10)
        #expect(controller.decide(now: 299, current: 10, desired: 4) == 10)
        #expect(controller.decide(now: 301, current: 10, desired: 4) == 4)
    }

    /// Without behavior (autoscaling/v1), scale-up is bounded by max(2 × current, 4) and scale-down by the highest
    /// recommendation of the last 5 minutes; a target at 0 replicas with min > 0 is left alone.
    @Test func legacyRulesAndDisabledScaling() {
        var legacy = HPA.Controller(minReplicas: 1, maxReplicas: 100, behavior: nil)
        #expect(legacy.decide(now: 0, current: 1, desired: 10) == 4)
        #expect(legacy.decide(now: 15, current: 4, desired: 10) == 8)
        #expect(legacy.decide(now: 30, current: 8, desired: 2) == 10)
        var off = HPA.Controller(minReplicas: 2, maxReplicas: 10)
        #expect(off.decide(now: 0, current: 0, desired: 5) == 0)
    }

    /// External metrics with an AverageValue target: ⌈total ÷ target⌉, unless total ÷ (target × current) is within
    /// tolerance of 1.
    @Test func externalAverageValue() {
        #expect(HPA.desiredReplicas(current: 4, externalTotal: 100, targetPerReplica: 10) == 10)
        #expect(HPA.desiredReplicas(current: 10, externalTotal: 105, targetPerReplica: 10) == 10)
        #expect(HPA.desiredReplicas(current: 10, externalTotal: 111, targetPerReplica: 10) == 12)
        #expect(HPA.desiredReplicas(current: 3, externalTotal: 0, targetPerReplica: 10) == 0)
    }

    /// Per-direction tolerances: a 5 % rise acts when the scale-up tolerance is 2 %, a 5 % fall does not when the
    /// scale-down tolerance is 10 %.
    @Test func perDirectionTolerance() {
        let tolerance = HPA.Tolerance(scaleUp: 0.02, scaleDown: 0.1)
        let up = (0..<10).map { _ in HPA.PodSample(value: 1.05) }
        let down = (0..<10).map { _ in HPA.PodSample(value: 0.95) }
        #expect(HPA.desiredReplicas(current: 10, samples: up, target: .averageValue(1), tolerance: tolerance) == 11)
        #expect(HPA.desiredReplicas(current: 10, samples: down, target: .averageValue(1), tolerance: tolerance) == 10)
        #expect(HPA.desiredReplicas(current: 10, samples: up, target: .averageValue(1)) == 10)
    }
}
