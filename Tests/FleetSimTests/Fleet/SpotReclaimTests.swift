import FleetSim
import FleetSimKernel
import Foundation
import Testing

/// Spot pools: reclaims at a constant hazard, notice, replacement, lost work and billing.
@Suite struct SpotReclaimTests {
    static let price = 0.4

    static func scenario(
        spot: Int, perHour: Double, notice: Double, service: Distribution, rate: Double, hours: Double,
        startup: StartupSpec = StartupSpec(), seed: UInt64 = 9
    ) -> Scenario {
        var deployment = Fixtures.deployment(servers: 0, service: service)
        deployment.pools = [PoolSpec(purchase: .spot, count: spot, pricePerHour: price,
                                     reclaim: ReclaimSpec(perHour: perHour, noticeSeconds: notice))]
        deployment.startup = startup
        return Scenario(
            name: "spot", seed: seed, durationSeconds: hours * 3600, windowSeconds: 3600,
            traffic: TrafficSpec(ratePerSecond: rate, classes: [RequestClass(name: "a", deployment: "model")]),
            deployments: [deployment])
    }

    /// With replacements ready at once, every one of the N pool slots holds a ready instance all the time, and each
    /// is reclaimed at rate λ: the count over T hours is Poisson(λ·N·T), checked against its 99 % bound. Billing is
    /// exact: with no notice, N instances are billed every second, so spot cost = N × price × T.
    @Test func reclaimsFollowTheHazardAndBillingIsExact() {
        let result = Simulation(scenario: Self.scenario(
            spot: 10, perHour: 0.5, notice: 0, service: .constant(1), rate: 0.01, hours: 1_000)).run()
        let d = result.deployments[0]
        let expected = 0.5 * 10 * 1_000.0
        #expect(abs(Double(d.fleet.spotReclaims) - expected) <= StandardNormal.quantile(0.995) * expected.squareRoot(),
                "\(d.fleet.spotReclaims) reclaims, expected \(expected)")
        #expect(d.fleet.coldStarts == d.fleet.spotReclaims || d.fleet.coldStarts == d.fleet.spotReclaims - 1)
        #expect(abs(d.cost.spot - 10 * Self.price * 1_000) < 0.005, "spot cost \(d.cost.spot)")
        #expect(d.cost.total == d.cost.spot)
    }

    /// A two-minute notice is longer than every request (1 s), so a reclaimed replica always finishes its work:
    /// nothing is lost, and every request is accounted for.
    @Test func aNoticeLongerThanEveryRequestLosesNothing() {
        let result = Simulation(scenario: Self.scenario(
            spot: 4, perHour: 2, notice: 120, service: .constant(1), rate: 2, hours: 50)).run()
        let d = result.deployments[0]
        #expect(d.fleet.spotReclaims > 300)
        #expect(d.fleet.lostToReclaim == 0)
        let r = d.requests
        #expect(r.arrived == r.completed + r.rejected + r.timedOut + r.inFlightAtEnd)
    }

    /// With no notice and ten-minute requests, reclaims cut work short: it is counted and queued again, and
    /// conservation still holds — each request ends once, whatever it went through.
    @Test func workLostWithoutNoticeIsQueuedAgainAndConserved() {
        for batching in [BatchingSpec.unbatched, .window(windowSeconds: 5, maxBatch: 4)] {
            var scenario = Self.scenario(
                spot: 3, perHour: 3, notice: 0, service: .exponential(mean: 600), rate: 0.004, hours: 200)
            scenario.deployments[0].batching = batching
            let d = Simulation(scenario: scenario).run().deployments[0]
            #expect(d.fleet.lostToReclaim > 50, "\(batching): \(d.fleet.lostToReclaim) lost")
            let r = d.requests
            #expect(r.arrived == r.completed + r.rejected + r.timedOut + r.inFlightAtEnd, "\(batching): \(r)")
        }
    }

    /// With `lostWork: fail` the same losses end the requests as failures instead: each lost request is failed
    /// once, and the books balance with the failures counted.
    @Test func lostWorkCanFailInstead() {
        var scenario = Self.scenario(
            spot: 3, perHour: 3, notice: 0, service: .exponential(mean: 600), rate: 0.004, hours: 200)
        scenario.deployments[0].pools[0].reclaim?.lostWork = .fail
        let d = Simulation(scenario: scenario).run().deployments[0]
        let r = d.requests
        #expect(r.failed == d.fleet.lostToReclaim && r.failed > 50, "\(r.failed) failed, \(d.fleet.lostToReclaim) lost")
        #expect(r.arrived == r.completed + r.rejected + r.timedOut + r.failed + r.inFlightAtEnd, "\(r)")
    }

    /// The same for continuous batching: sequences running on a reclaimed replica are lost, queued again, and end
    /// once; the peaks stay within the profile's limits.
    @Test func continuousBatchingLosesAndRequeuesRunningSequences() {
        let profile = PerformanceProfile(
            prefillTokensPerSecond: 5_000, decodeStep: .linear(baseSeconds: 0.05, perSequenceSeconds: 0.001),
            maxConcurrency: 8)
        for queueing in Queueing.allCases {
            var deployment = Fixtures.llmDeployment(replicas: 0, profile: profile, queueing: queueing)
            deployment.pools = [PoolSpec(purchase: .spot, count: 3, pricePerHour: Self.price,
                                         reclaim: ReclaimSpec(perHour: 4, noticeSeconds: 5))]
            deployment.startup = StartupSpec(provision: .constant(30), load: .constant(60))
            let scenario = Scenario(
                name: "spot-llm", seed: 4, durationSeconds: 20 * 3600, windowSeconds: 600,
                traffic: Fixtures.llmTraffic(rate: 0.5, prompt: .constant(300), output: .exponential(mean: 400)),
                deployments: [deployment])
            let d = Simulation(scenario: scenario).run().deployments[0]
            #expect(d.fleet.spotReclaims > 100 && d.fleet.lostToReclaim > 0, "\(queueing): \(d.fleet.spotReclaims), \(d.fleet.lostToReclaim)")
            #expect(d.peakSequencesPerReplica <= 8)
            let r = d.requests
            #expect(r.arrived == r.completed + r.rejected + r.timedOut + r.inFlightAtEnd, "\(queueing): \(r)")
        }
    }

    /// A replacement is billed from its request and serves only after provisioning and the model load: with one
    /// spot replica, each reclaim leaves the deployment with no ready replica for (provision + load − notice), and
    /// the timeline shows replicas starting in those windows.
    @Test func replacementsStartCold() {
        let recorder = TimelineRecorder()
        let scenario = Self.scenario(
            spot: 1, perHour: 0.2, notice: 30, service: .constant(0.5), rate: 0.2, hours: 100,
            startup: StartupSpec(provision: .constant(90), load: .constant(150)))
        let result = Simulation(scenario: scenario, observer: recorder).run()
        let d = result.deployments[0]
        #expect(d.fleet.spotReclaims > 5)
        let startingWindows = recorder.rows.filter { $0.replicasStarting > 0 }
        #expect(startingWindows.count >= d.fleet.coldStarts)
        // Time without a serving replica, per reclaim: 240 s starting − 30 s overlap with the draining instance.
        let servingHours = recorder.rows.reduce(0) { $0 + $1.replicasReady } // one-hour windows
        let expectedGap = Double(d.fleet.coldStarts) * (240 - 30) / 3600
        #expect(abs((100 - servingHours) - expectedGap) < 240.0 / 3600, "serving \(servingHours) h, gap \(expectedGap) h")
        #expect(recorder.fleetEvents.contains { $0.kind == .reclaimNotice })
        #expect(recorder.fleetEvents.contains { $0.kind == .ready && $0.detail.contains("ready") })
    }

    /// Storms take a share of the pool at once: with 20 instances always ready (replacements start at once) and
    /// half taken per storm, every storm reclaims exactly 10, and the number of storms over 50 days is
    /// Poisson(2 × 50) within its 99 % bound.
    @Test func stormsReclaimAShareOfThePoolAtOnce() {
        var scenario = Self.scenario(spot: 20, perHour: 0, notice: 0, service: .constant(1), rate: 0.01, hours: 50 * 24)
        scenario.deployments[0].pools[0].reclaim?.storms = .init(perDay: 2, fraction: 0.5)
        let log = TimelineRecorder()
        let d = Simulation(scenario: scenario, observer: log).run().deployments[0]
        let notices = log.fleetEvents.filter { $0.kind == .reclaimNotice }
        let stormTimes = Set(notices.map(\.timeSeconds))
        #expect(d.fleet.spotReclaims == notices.count)
        #expect(d.fleet.spotReclaims == 10 * stormTimes.count, "\(d.fleet.spotReclaims) reclaims in \(stormTimes.count) storms")
        #expect(abs(Double(stormTimes.count) - 100) <= StandardNormal.quantile(0.995) * 10)
    }
}
