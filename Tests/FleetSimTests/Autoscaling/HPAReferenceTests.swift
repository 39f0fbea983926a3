import FleetSim
import Testing

/// The replica calculator against the table cases of kubernetes' `pkg/controller/podautoscaler`
/// (replica_calculator_test.go and the calculator-level cases of horizontal_test.go), each named after its upstream
/// test. Upstream pods have two containers; here a pod's level and request are their sums. A "hot" pod (started
/// within the CPU initialization period, its sample reaching back before readiness) is an unready sample.
@Suite struct HPAReferenceTests {
    typealias Pod = HPA.PodSample

    /// CPU pods: usage and requests in millicores (request 1,000 m unless given).
    static func cpu(_ millicores: [Double], ready: [Bool]? = nil, requests: [Double]? = nil) -> [Pod] {
        millicores.indices.map { i in
            Pod(value: millicores[i], ready: ready?[i] ?? true, request: requests?[i] ?? 1_000)
        }
    }

    static func replicas(_ current: Int, _ pods: [Pod], _ target: HPA.Target, tolerance: HPA.Tolerance = HPA.Tolerance()) -> Int? {
        HPA.desiredReplicas(current: current, samples: pods, target: target, tolerance: tolerance)
    }

    @Test func testReplicaCalcScaleUp() {
        // 300/500/700 m of 1 CPU, target 30 %: 50 % → 5.
        #expect(Self.replicas(3, Self.cpu([300, 500, 700]), .utilization(0.3)) == 5)
        #expect(HPA.usage(Self.cpu([300, 500, 700]), target: .utilization(0.3)) == 50)
    }

    @Test func testReplicaCalcScaleUpUnreadyLessScale() {
        // The first pod unready (or hot, TestReplicaCalcScaleUpHotCpuLessScale): 60 % over the ready two → 4.
        let pods = Self.cpu([300, 500, 700], ready: [false, true, true])
        #expect(Self.replicas(3, pods, .utilization(0.3)) == 4)
        #expect(HPA.usage(pods, target: .utilization(0.3)) == 60)
    }

    @Test func testReplicaCalcScaleUpUnreadyNoScale() {
        // Two unready pods counted at 0 reverse the direction (also TestReplicaCalcScaleHotCpuNoScale): keep 3.
        #expect(Self.replicas(3, Self.cpu([400, 500, 700], ready: [true, false, false]), .utilization(0.3)) == 3)
    }

    @Test func testReplicaCalcScaleUpIgnoresFailedPods() {
        // Failed and deleting pods are not passed to the calculator (FleetSim leaves draining replicas out): 2 pods
        // at 500/700 m of a 30 % target → 4.
        #expect(Self.replicas(2, Self.cpu([500, 700]), .utilization(0.3)) == 4)
    }

    @Test func testReplicaCalcScaleUpCM() {
        // A Pods metric at 20/10/30 qps, target 15: 20 / 15 × 3 → 4.
        #expect(Self.replicas(3, [20.0, 10, 30].map { Pod(value: $0) }, .averageValue(15)) == 4)
    }

    @Test func testReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale() {
        // Readiness does not matter for a Pods metric once the pod runs: 50/10/30, target 15 → 6.
        #expect(Self.replicas(3, [50.0, 10, 30].map { Pod(value: $0) }, .averageValue(15)) == 6)
    }

    @Test func testReplicaCalcScaleUpCMUnreadyHotCpuScaleWouldScaleDown() {
        // 50/15/30 qps: the mean in milli-units truncates to 31,666 → 31.666 / 15 × 3 → 7.
        let pods = [50.0, 15, 30].map { Pod(value: $0) }
        #expect(Self.replicas(3, pods, .averageValue(15)) == 7)
        #expect(HPA.usage(pods, target: .averageValue(15)) == 31.666)
    }

    @Test func testReplicaCalcScaleDown() {
        // 100/300/500/250/250 m, target 50 %: 28 % → 0.56 × 5 → 3.
        #expect(Self.replicas(5, Self.cpu([100, 300, 500, 250, 250]), .utilization(0.5)) == 3)
    }

    @Test func testReplicaCalcScaleDownExcludeUnreadyPods() {
        // The last two unready are left out when scaling down: 30 % over three → 2 (TestScaleDownIncludeUnreadyPods).
        let pods = Self.cpu([100, 300, 500, 250, 250], ready: [true, true, true, false, false])
        #expect(Self.replicas(5, pods, .utilization(0.5)) == 2)
    }

    @Test func testReplicaCalcScaleDownExcludeUnscheduledPods() {
        // Pending pods are unready whatever the metric: one running pod at 200 m of 2 CPU (10 %) of a 50 % target,
        // four Pending → 1.
        let pods = Self.cpu([200], requests: [2_000]) + (0..<4).map { _ in Pod(value: nil, ready: false, request: 2_000) }
        #expect(Self.replicas(5, pods, .utilization(0.5)) == 1)
    }

    @Test func testReplicaCalcScaleDownCM() {
        // TestScaleDownCM: 5 pods at 12 qps, target 20 → 3.
        #expect(Self.replicas(5, (0..<5).map { _ in Pod(value: 12) }, .averageValue(20)) == 3)
    }

    @Test func testReplicaCalcTolerance() {
        // Requests 0.9/1.0/1.1 CPU, usage 1010/1030/1020 m: 102 % of a 100 % target, inside the band.
        #expect(Self.replicas(3, Self.cpu([1_010, 1_030, 1_020], requests: [900, 1_000, 1_100]), .utilization(1.0)) == 3)
    }

    @Test func testConfigurableTolerance() {
        // "Scaling up because of a 1% configurable tolerance": the same 102 % acts with a 1 % scale-up tolerance.
        let pods = Self.cpu([1_010, 1_030, 1_020], requests: [900, 1_000, 1_100])
        #expect(Self.replicas(3, pods, .utilization(1.0), tolerance: HPA.Tolerance(scaleUp: 0.01, scaleDown: 0.1)) == 4)
        // "No scale-down because of a 90% configurable tolerance": 30 % of a 100 % target stays.
        #expect(Self.replicas(3, Self.cpu([300, 300, 300]), .utilization(1.0), tolerance: HPA.Tolerance(scaleUp: 0.1, scaleDown: 0.9)) == 3)
    }

    @Test func testReplicaCalcToleranceCM() {
        // 20/21/21 qps against 20 (mean 20.666): within 10 %; TestToleranceCM's 20/20.001/21 too.
        #expect(Self.replicas(3, [20.0, 21, 21].map { Pod(value: $0) }, .averageValue(20)) == 3)
        #expect(HPA.usage([20.0, 21, 21].map { Pod(value: $0) }, target: .averageValue(20)) == 20.666)
        #expect(Self.replicas(3, [20.0, 20.001, 21].map { Pod(value: $0) }, .averageValue(20)) == 3)
    }

    @Test func testReplicaCalcMissingMetrics() {
        // TestMissingMetrics (horizontal_test.go): 4 pods, metrics 400 and 95 m, target 100 %: 24 % says scale down,
        // the two missing count at 100 % of their request: (400 + 95 + 2000) / 4000 = 62 % → ceil(2.48) = 3.
        let pods = Self.cpu([400, 95]) + [Pod(value: nil, request: 1_000), Pod(value: nil, request: 1_000)]
        #expect(Self.replicas(4, pods, .utilization(1.0)) == 3)
    }

    @Test func testReplicaCalcMissingMetricsScaleDownTargetOver100() {
        // A target above 100 % fills missing pods at the target: requests 2/2/4/4 CPU, pod 0 unready at 400 m, pods
        // 1–2 at 200 m (6 %), pod 3 missing; target 300 %: (200 + 200 + 12000) / 10000 = 124 % → 0.413 × 3 → 2.
        let pods = [Pod(value: 400, ready: false, request: 2_000), Pod(value: 200, request: 2_000),
                    Pod(value: 200, request: 4_000), Pod(value: nil, request: 4_000)]
        #expect(Self.replicas(4, pods, .utilization(3.0)) == 2)
        #expect(HPA.usage(pods, target: .utilization(3.0)) == 6)
    }

    @Test func missingPodsAtFullRequestNotAtTheTarget() {
        // The case the FleetSim test used to encode wrongly: 2 pods at 100 m of 1 CPU, one missing, target 50 %:
        // (100 + 100 + 1000) / 3000 = 40 % → 0.8 × 3 → 3 (not 2, as filling at the target would give).
        let pods = Self.cpu([100, 100]) + [Pod(value: nil, request: 1_000)]
        #expect(Self.replicas(3, pods, .utilization(0.5)) == 3)
        // Scaling up, a missing pod counts at 0: (900 + 900 + 0) / 3000 = 60 % of 50 % → 4.
        #expect(Self.replicas(3, Self.cpu([900, 900]) + [Pod(value: nil, request: 1_000)], .utilization(0.5)) == 4)
    }

    @Test func testReplicaCalcMissingMetricsNoChangeEq() {
        // Exactly at target, missing pods are left out: 2 pods, one at 1000 m of a 100 % target → 2.
        #expect(Self.replicas(2, Self.cpu([1_000]) + [Pod(value: nil, request: 1_000)], .utilization(1.0)) == 2)
        // TestPlainMetricReplicaCalcMissingMetricsNoChangeEq: 20/19/21 qps of target 20 and two missing → 5.
        let plain = [20.0, 19, 21].map { Pod(value: $0) } + [Pod(value: nil), Pod(value: nil)]
        #expect(Self.replicas(5, plain, .averageValue(20)) == 5)
    }

    @Test func testMissingReports() {
        // One of four pods reports, 200 m of 200 m at a 50 % target: ratio 2 × 1 ready pod → 2.
        #expect(Self.replicas(4, Self.cpu([200], requests: [200]), .utilization(0.5)) == 2)
    }

    @Test func testMoreReplicasThanSpecNoScale() {
        // A rolling update's surge: spec 4, 5 pods at 500 m of 1 CPU, target 50 %: ratio exactly 1 → 4 (current).
        #expect(Self.replicas(4, Self.cpu([500, 500, 500, 500, 500]), .utilization(0.5)) == 4)
    }

    @Test func wholePercentUtilization() {
        // Utilization truncates to a whole percent before the ratio: 1652 m of 3000 m is 55 % (not 55.07 %), 1.10
        // of a 50 % target, on the inclusive edge of the 10 % band: no change. Exact ratios would scale to 4.
        #expect(Self.replicas(3, Self.cpu([550, 551, 551]), .utilization(0.5)) == 3)
        #expect(HPA.usage(Self.cpu([550, 551, 551]), target: .utilization(0.5)) == 55)
        // 1499 m of 3000 m is 49 %, not 49.97 %.
        #expect(HPA.usage(Self.cpu([499, 500, 500]), target: .utilization(0.5)) == 49)
    }

    @Test func testComputedToleranceAlgImplementation() {
        // 10 pods using 150 m of 300 m (50 %): a 56 % target gives 0.893 → 9; a 55 % target 0.909, inside → 10.
        let pods = Self.cpu(Array(repeating: 150, count: 10), requests: Array(repeating: 300, count: 10))
        #expect(Self.replicas(10, pods, .utilization(0.56)) == 9)
        #expect(Self.replicas(10, pods, .utilization(0.55)) == 10)
    }

    @Test func noReadyPodWithAMetricIsInvalid() {
        // TestEmptyMetrics / "did not receive metrics for targeted pods": nil, not a count.
        #expect(Self.replicas(4, [Pod(value: nil, request: 1_000)], .utilization(0.5)) == nil)
        #expect(Self.replicas(3, Self.cpu([500, 500, 500], ready: [false, false, false]), .utilization(0.5)) == nil)
    }

    /// External AverageValue (TestReplicaCalcExternalPerPodMetric and horizontal_test's *PerPodCMExternal cases):
    /// ⌈total ÷ target⌉ unless total ÷ (target × status.replicas) is within tolerance.
    @Test func testReplicaCalcExternalPerPodMetric() {
        #expect(HPA.desiredReplicas(statusReplicas: 3, externalTotal: 8.6, targetPerReplica: 2.222) == 4)  // ScaleUpPerPodCMExternal
        #expect(HPA.desiredReplicas(statusReplicas: 5, externalTotal: 8.6, targetPerReplica: 3) == 3)  // ScaleDownPerPodCMExternal
        #expect(HPA.desiredReplicas(statusReplicas: 4, externalTotal: 8.6, targetPerReplica: 2.2) == 4)  // TolerancePerPodCMExternal
        // "outside configurable 1% tolerance": 8.6 against 2.8 per pod on 3 pods is 1.024.
        #expect(HPA.desiredReplicas(statusReplicas: 3, externalTotal: 8.6, targetPerReplica: 2.8,
                                    tolerance: HPA.Tolerance(scaleUp: 0.01, scaleDown: 0.1)) == 4)
        // "statusReplicas zero does not overflow usage", "… and metric zero does not underflow".
        #expect(HPA.desiredReplicas(statusReplicas: 0, externalTotal: 20, targetPerReplica: 5) == 4)
        #expect(HPA.desiredReplicas(statusReplicas: 0, externalTotal: 0, targetPerReplica: 5) == 0)
    }

    @Test func perDirectionTolerance() {
        // A 5 % rise acts with a 2 % scale-up tolerance; a 5 % fall does not with the default 10 %.
        let tolerance = HPA.Tolerance(scaleUp: 0.02, scaleDown: 0.1)
        let up = (0..<10).map { _ in Pod(value: 1.05) }
        let down = (0..<10).map { _ in Pod(value: 0.95) }
        #expect(Self.replicas(10, up, .averageValue(1), tolerance: tolerance) == 11)
        #expect(Self.replicas(10, down, .averageValue(1), tolerance: tolerance) == 10)
        #expect(Self.replicas(10, up, .averageValue(1)) == 10)
    }
}
