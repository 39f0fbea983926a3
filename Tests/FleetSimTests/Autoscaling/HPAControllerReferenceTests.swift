@testable import FleetSim
import Testing

/// The controller's stabilization, rate limits, bounds and memory against kubernetes' horizontal_test.go tables,
/// each case named as upstream names it. Upstream's harness sets `recommendations` to an empty list so that the
/// first reconcile does not seed it; `controller(…)` does the same unless told otherwise.
@Suite struct HPAControllerReferenceTests {
    typealias Rules = HPA.Rules
    typealias Stamped = HPA.Controller.Stamped

    /// Upstream's `generateScalingRules(pods, podsPeriod, percent, percentPeriod, stabilizationWindow)`.
    static func rules(_ pods: Int, _ podsPeriod: Double, _ percent: Int, _ percentPeriod: Double, _ window: Double) -> Rules {
        var policies: [HPA.Policy] = []
        if pods != 0 { policies.append(HPA.Policy(.pods, pods, periodSeconds: podsPeriod)) }
        if percent != 0 { policies.append(HPA.Policy(.percent, percent, periodSeconds: percentPeriod)) }
        return Rules(stabilizationWindowSeconds: window, policies: policies)
    }

    /// Upstream's `generateEventsUniformDistribution(changes, period)`: event i at now − (period − seg·(i+1) + seg/2).
    static func events(_ changes: [Int], over period: Double, now: Double) -> [Stamped] {
        let segment = period / Double(changes.count)
        return changes.indices.map { i in
            Stamped(time: now - (period - segment * Double(i + 1) + segment / 2), replicas: changes[i])
        }
    }

    static func controller(min: Int, max: Int, up: Rules? = nil, down: Rules? = nil, seeded: Bool = false) -> HPA.Controller {
        var controller = HPA.Controller(
            minReplicas: min, maxReplicas: max,
            behavior: HPA.Behavior(scaleUp: up ?? .defaultScaleUp, scaleDown: down ?? .defaultScaleDown))
        if !seeded { controller.recommendations = [] }
        return controller
    }

    /// TestScalingWithRules: (name, events up, events down, min, max, up rules, down rules, current, desired,
    /// expected). Rules nil are the API defaults. The rate limit alone decides: the harness passes no history.
    struct RateCase: CustomTestStringConvertible, Sendable {
        var name: String
        var up: [Int] = []
        var down: [Int] = []
        var eventPeriod = 120.0
        var min: Int
        var max: Int
        var upRules: Rules? = nil
        var downRules: Rules? = nil
        var current: Int
        var desired: Int
        var expected: Int
        var testDescription: String { name }
    }

    static let rateCases: [RateCase] = [
        RateCase(name: "prenormalized desired replicas within range", min: 3, max: 8, current: 5, desired: 7, expected: 7),
        RateCase(name: "prenormalized desired replicas < minReplicas", min: 2, max: 8, current: 3, desired: 1, expected: 2),
        RateCase(name: "prenormalized desired replicas within range when minReplicas is 0", min: 0, max: 10, current: 1, desired: 0, expected: 0),
        RateCase(name: "maxReplicas is the limit because maxReplicas < scaleUpLimit", min: 1, max: 10, current: 20, desired: 1_000, expected: 10),
        RateCase(name: "desired replica count is more than the maximum replica count", min: 100, max: 150, current: 100, desired: 1_000, expected: 150),
        RateCase(name: "scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies", min: 1, max: 2_000,
                 upRules: rules(0, 0, 1, 60, 0), current: 3, desired: 1_000, expected: 4),
        RateCase(name: "scaleUp with default behavior", min: 1, max: 1_000, current: 10, desired: 50, expected: 20),
        RateCase(name: "scaleUp with pods policy larger than percent policy", min: 1, max: 1_000,
                 upRules: rules(100, 60, 100, 60, 0), current: 10, desired: 500, expected: 110),
        RateCase(name: "scaleUp with percent policy larger than pods policy", min: 1, max: 1_000,
                 upRules: rules(2, 60, 100, 60, 0), current: 10, desired: 500, expected: 20),
        RateCase(name: "scaleUp with spec MaxReplicas limitation with large pod policy", min: 1, max: 1_000,
                 upRules: rules(100, 60, 0, 0, 0), current: 10, desired: 50, expected: 50),
        RateCase(name: "scaleUp with spec MaxReplicas limitation with large percent policy", min: 1, max: 1_000,
                 upRules: rules(10_000, 60, 0, 0, 0), current: 10, desired: 50, expected: 50),
        RateCase(name: "scaleUp with pod policy limitation", min: 1, max: 1_000, upRules: rules(30, 60, 0, 0, 0), current: 10, desired: 50, expected: 40),
        RateCase(name: "scaleUp with percent policy limitation", min: 1, max: 1_000, upRules: rules(0, 0, 200, 60, 0), current: 10, desired: 50, expected: 30),
        RateCase(name: "scaleDown with percent policy larger than pod policy", min: 1, max: 1_000,
                 downRules: rules(20, 60, 1, 60, 300), current: 100, desired: 2, expected: 80),
        RateCase(name: "scaleDown with pod policy larger than percent policy", min: 1, max: 1_000,
                 downRules: rules(2, 60, 1, 60, 300), current: 100, desired: 2, expected: 98),
        RateCase(name: "scaleDown with spec MinReplicas=nil limitation with large pod policy", min: 1, max: 1_000,
                 downRules: rules(100, 60, 0, 0, 300), current: 10, desired: 0, expected: 1),
        RateCase(name: "scaleDown with spec MinReplicas limitation with large percent policy", min: 5, max: 1_000,
                 downRules: rules(0, 0, 100, 60, 300), current: 10, desired: 2, expected: 5),
        RateCase(name: "scaleDown with pod policy limitation", min: 1, max: 1_000, downRules: rules(5, 60, 0, 0, 300), current: 10, desired: 2, expected: 5),
        RateCase(name: "scaleDown with percent policy limitation", min: 1, max: 1_000, downRules: rules(0, 0, 50, 60, 300), current: 10, desired: 5, expected: 5),
        RateCase(name: "scaleUp with spec MaxReplicas limitation with large pod policy and events", up: [1, 5, 9], min: 1, max: 200,
                 upRules: rules(300, 60, 0, 0, 0), current: 100, desired: 500, expected: 200),
        RateCase(name: "scaleUp with spec MaxReplicas limitation with large percent policy and events", up: [1, 5, 9], min: 1, max: 200,
                 upRules: rules(0, 0, 10_000, 60, 0), current: 100, desired: 500, expected: 200),
        RateCase(name: "scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events",
                 up: [1, 5, 9], min: 1, max: 1_000, upRules: rules(5, 120, 0, 0, 0), current: 100, desired: 500, expected: 100),
        RateCase(name: "scaleUp with pod policy and previous scale up events", up: [1, 5, 9], min: 1, max: 1_000,
                 upRules: rules(150, 120, 0, 0, 0), current: 100, desired: 500, expected: 235),
        RateCase(name: "scaleUp with percent policy and previous scale up events", up: [1, 5, 9], min: 1, max: 1_000,
                 upRules: rules(0, 0, 200, 120, 0), current: 100, desired: 500, expected: 255),
        RateCase(name: "scaleUp with percent policy and previous scale up and down events", up: [4], down: [2], min: 1, max: 1_000,
                 upRules: rules(0, 0, 300, 300, 0), current: 6, desired: 24, expected: 16),
        RateCase(name: "scaleDown with default policy and previous events", down: [1, 5, 9], min: 1, max: 1_000, current: 10, desired: 5, expected: 5),
        RateCase(name: "scaleDown with spec MinReplicas=nil limitation with large pod policy and previous events", down: [1, 5, 9],
                 min: 1, max: 1_000, downRules: rules(115, 120, 0, 0, 300), current: 100, desired: 0, expected: 1),
        RateCase(name: "scaleDown with spec MinReplicas limitation with large pod policy and previous events", down: [1, 5, 9],
                 min: 5, max: 1_000, downRules: rules(130, 120, 0, 0, 300), current: 100, desired: 0, expected: 5),
        RateCase(name: "scaleDown with spec MinReplicas limitation with large percent policy and previous events", down: [1, 5, 9],
                 min: 5, max: 1_000, downRules: rules(0, 0, 100, 120, 300), current: 100, desired: 2, expected: 5),
        RateCase(name: "scaleDown with pod policy limitation and previous events", down: [1, 5, 9], min: 1, max: 1_000,
                 downRules: rules(5, 120, 0, 0, 300), current: 100, desired: 2, expected: 100),
        RateCase(name: "scaleDown with percent policy limitation and previous events", down: [2, 4, 6], min: 1, max: 1_000,
                 downRules: rules(0, 0, 50, 120, 300), current: 100, desired: 0, expected: 56),
        RateCase(name: "scaleDown with percent policy and previous scale up and down events", up: [2], down: [4], min: 1, max: 1_000,
                 downRules: rules(0, 0, 50, 180, 0), current: 10, desired: 1, expected: 6),
        RateCase(name: "scaleDown with previous events preventing further scale down", down: [10, 10, 10], min: 1, max: 1_000,
                 downRules: rules(0, 0, 10, 120, 300), current: 100, desired: 0, expected: 100),
        RateCase(name: "scaleDown with with previous events still allowing more scale down", down: [10, 10, 10], min: 1, max: 1_000,
                 downRules: rules(0, 0, 1_000, 120, 300), current: 10, desired: 5, expected: 5),
        RateCase(name: "check 'outdated' flag for events for one behavior for up", up: [8, 12, 9, 11], min: 1, max: 1_000,
                 upRules: rules(1_000, 60, 0, 0, 0), current: 100, desired: 200, expected: 200),
        RateCase(name: "check that events were not marked 'outdated' for two different policies in the behavior for up",
                 up: [8, 12, 9, 11], min: 1, max: 1_000, upRules: rules(1_000, 120, 100, 60, 0), current: 100, desired: 200, expected: 200),
        RateCase(name: "check that events were marked 'outdated' for two different policies in the behavior for up",
                 up: [8, 12, 9, 11], min: 1, max: 1_000, upRules: rules(1_000, 30, 100, 60, 0), current: 100, desired: 200, expected: 200),
        RateCase(name: "check 'outdated' flag for events for one behavior for down", down: [8, 12, 9, 11], min: 1, max: 1_000,
                 downRules: rules(1_000, 60, 0, 0, 300), current: 100, desired: 5, expected: 5),
        RateCase(name: "check that events were not marked 'outdated' for two different policies in the behavior for down",
                 down: [8, 12, 9, 11], min: 1, max: 1_000, downRules: rules(1_000, 120, 100, 60, 300), current: 100, desired: 5, expected: 5),
        RateCase(name: "check that events were marked 'outdated' for two different policies in the behavior for down",
                 down: [8, 12, 9, 11], min: 1, max: 1_000, downRules: rules(1_000, 30, 100, 60, 300), current: 100, desired: 5, expected: 5),
    ]

    /// The case "scaleDown with percent policy and previous scale up and down events" is the one FleetSim got wrong
    /// before (7 instead of 6), as was the scale-up twin (8 instead of 16): both directions' events set the start.
    @Test(arguments: rateCases)
    func testScalingWithRules(_ c: RateCase) {
        let now = 1_000.0
        var controller = Self.controller(min: c.min, max: c.max, up: c.upRules, down: c.downRules)
        controller.scaleUps = Self.events(c.up, over: c.eventPeriod, now: now)
        controller.scaleDowns = Self.events(c.down, over: c.eventPeriod, now: now)
        #expect(controller.decide(now: now, current: c.current, desired: c.desired) == c.expected)
    }

    @Test func testCalculateScaleUpAndDownLimitWithSelectPolicyMin() {
        // TestCalculateScaleUpLimitWithScalingRules: current 1, Min of Pods 2 and Percent 50 per 60 s → 2.
        let policies = [HPA.Policy(.pods, 2, periodSeconds: 60), HPA.Policy(.percent, 50, periodSeconds: 60)]
        let minRules = Rules(stabilizationWindowSeconds: 0, selectPolicy: .min, policies: policies)
        var up = Self.controller(min: 1, max: 100, up: minRules)
        #expect(up.decide(now: 0, current: 1, desired: 10) == 2)
        // TestCalculateScaleDownLimitWithBehaviors: current 5, Min → max(5 − 2, 2) = 3.
        var down = Self.controller(min: 1, max: 100, down: minRules)
        #expect(down.decide(now: 0, current: 5, desired: 1) == 3)
        // Disabled: no change in that direction.
        var disabled = Self.controller(min: 1, max: 100, up: Rules(stabilizationWindowSeconds: 0, selectPolicy: .disabled, policies: policies))
        #expect(disabled.decide(now: 0, current: 5, desired: 10) == 5)
    }

    /// TestNormalizeDesiredReplicasWithBehavior: (recommendations, current, desired, up window, down window) →
    /// (result, values stored afterwards).
    struct StabilizationCase: CustomTestStringConvertible, Sendable {
        var name: String
        var history: [(replicas: Int, minutesAgo: Double)]
        var current: Int
        var desired: Int
        var upWindow: Double
        var downWindow: Double
        var expected: Int
        var stored: [Int]?
        var testDescription: String { name }
    }

    static let stabilizationCases: [StabilizationCase] = [
        StabilizationCase(name: "empty recommendations for scaling down", history: [], current: 100, desired: 5, upWindow: 0, downWindow: 0, expected: 5, stored: [5]),
        StabilizationCase(name: "simple scale down stabilization", history: [(4, 2), (5, 1)], current: 100, desired: 3,
                          upWindow: 0, downWindow: 180, expected: 5, stored: [4, 5, 3]),
        StabilizationCase(name: "simple scale up stabilization", history: [(4, 2), (5, 1)], current: 1, desired: 7,
                          upWindow: 300, downWindow: 0, expected: 4, stored: [4, 5, 7]),
        StabilizationCase(name: "no scale down stabilization", history: [(1, 2), (2, 1)], current: 100, desired: 3,
                          upWindow: 300, downWindow: 0, expected: 3, stored: [1, 2, 3]),
        StabilizationCase(name: "no scale up stabilization", history: [(4, 2), (5, 1)], current: 1, desired: 3,
                          upWindow: 0, downWindow: 300, expected: 3, stored: [4, 5, 3]),
        StabilizationCase(name: "no scale down stabilization, reuse recommendation element", history: [(10, 10), (9, 9)],
                          current: 100, desired: 3, upWindow: 0, downWindow: 0, expected: 3, stored: [10, 3]),
        StabilizationCase(name: "no scale up stabilization, reuse recommendation element", history: [(10, 10), (9, 9)],
                          current: 1, desired: 100, upWindow: 0, downWindow: 0, expected: 100, stored: [10, 100]),
        StabilizationCase(name: "scale down stabilization, reuse one of obsolete recommendation element",
                          history: [(10, 10), (4, 1), (5, 2), (9, 9)], current: 100, desired: 3, upWindow: 0, downWindow: 180,
                          expected: 5, stored: [10, 4, 5, 3]),
        StabilizationCase(name: "scale up stabilization, reuse one of obsolete recommendation element",
                          history: [(10, 100), (6, 1), (5, 2), (9, 3)], current: 1, desired: 100, upWindow: 300, downWindow: 0,
                          expected: 5, stored: [100, 6, 5, 9]),
        StabilizationCase(name: "scale up and down stabilization, do not scale up when prenormalized rec goes down",
                          history: [(2, 100), (3, 3)], current: 2, desired: 1, upWindow: 300, downWindow: 300, expected: 2, stored: nil),
        StabilizationCase(name: "scale up and down stabilization, do not scale down when prenormalized rec goes up",
                          history: [(2, 100), (1, 3)], current: 2, desired: 3, upWindow: 300, downWindow: 300, expected: 2, stored: nil),
    ]

    /// Stabilization alone: rate limits that never bind (bounds 0 … 1,000, 1,000 pods per second either way).
    @Test(arguments: stabilizationCases)
    func testNormalizeDesiredReplicasWithBehavior(_ c: StabilizationCase) {
        let now = 10_000.0
        let open = [HPA.Policy(.pods, 1_000, periodSeconds: 1)]
        var controller = Self.controller(
            min: 0, max: 1_000, up: Rules(stabilizationWindowSeconds: c.upWindow, policies: open),
            down: Rules(stabilizationWindowSeconds: c.downWindow, policies: open))
        controller.recommendations = c.history.map { Stamped(time: now - $0.minutesAgo * 60, replicas: $0.replicas) }
        #expect(controller.decide(now: now, current: c.current, desired: c.desired) == c.expected)
        if let stored = c.stored { #expect(controller.recommendations?.map(\.replicas) == stored) }
    }

    /// TestNormalizeDesiredReplicas (no behavior: the legacy 5-minute window): (history, desired) → (result, log length).
    @Test(arguments: [
        ([(Int, Double)](), 5, 5, 1),
        ([(4, 2), (5, 1)], 3, 5, 3),
        ([(1, 2), (2, 1)], 3, 3, 3),
        ([(10, 10), (9, 9)], 3, 3, 2),
        ([(10, 10), (4, 1), (5, 2), (9, 9)], 3, 5, 4),
    ] as [([(Int, Double)], Int, Int, Int)])
    func testNormalizeDesiredReplicas(_ history: [(Int, Double)], _ desired: Int, _ expected: Int, _ length: Int) {
        let now = 10_000.0
        var controller = HPA.Controller(minReplicas: 1, maxReplicas: 100, behavior: nil)
        controller.recommendations = history.map { Stamped(time: now - $0.1 * 60, replicas: $0.0) }
        #expect(controller.decide(now: now, current: 10, desired: desired) == expected)
        #expect(controller.recommendations?.count == length)
    }

    @Test func testConvertDesiredReplicasWithRules() {
        // Legacy bounds, with upstream's test factor 8: (current, desired, min, max) → replicas.
        for (current, desired, min, max, expected) in [(5, 7, 3, 8, 7), (3, 1, 2, 8, 2), (1, 0, 0, 10, 0), (20, 1_000, 1, 10, 10), (3, 1_000, 1, 2_000, 24)] {
            var controller = HPA.Controller(minReplicas: min, maxReplicas: max, behavior: nil)
            controller.legacyScaleUpFactor = 8
            controller.recommendations = []
            #expect(controller.decide(now: 0, current: current, desired: desired) == expected, "\((current, desired, min, max))")
        }
        // In production the factor is 2: max(2 × 3, 4) = 6.
        var production = HPA.Controller(minReplicas: 1, maxReplicas: 2_000, behavior: nil)
        production.recommendations = []
        #expect(production.decide(now: 0, current: 3, desired: 1_000) == 6)
    }

    @Test func testStabilizeDownscale() {
        // Legacy: recommendations 10 (10 minutes ago, outside) and 4 (1 minute ago): the raw 2 holds at 4.
        var controller = HPA.Controller(minReplicas: 1, maxReplicas: 5, behavior: nil)
        controller.recommendations = [Stamped(time: 400, replicas: 10), Stamped(time: 940, replicas: 4)]
        #expect(controller.decide(now: 1_000, current: 4, desired: 2) == 4)
    }

    @Test func testScaleDownStabilizeInitialSize() {
        // The first reconcile seeds the history with the current count: a new HPA does not scale 5 → 3 at once,
        // with behavior or without.
        var behavior = Self.controller(min: 2, max: 6, seeded: true)
        #expect(behavior.decide(now: 0, current: 5, desired: 3) == 5)
        #expect(behavior.decide(now: 300, current: 5, desired: 3) == 3)
        var legacy = HPA.Controller(minReplicas: 2, maxReplicas: 6, behavior: nil)
        #expect(legacy.decide(now: 0, current: 5, desired: 3) == 5)
    }

    @Test func testTooFewAndTooManyReplicas() {
        // TestTooFewReplicas (min 3, spec 2 → 3), TestTooManyReplicas (max 5, spec 10 → 5),
        // TestScaleUpRCImmediately and TestScaleDownRCImmediately: no metrics, no behavior, straight to the bound,
        // and the change is a scale event the next rate limit counts.
        var low = Self.controller(min: 3, max: 5)
        #expect(low.reconcile(now: 0, current: 2, proposal: nil) == .bounded(3))
        #expect(low.scaleUps.map(\.replicas) == [1])
        var high = Self.controller(min: 3, max: 5)
        #expect(high.reconcile(now: 0, current: 10, proposal: 1) == .bounded(5))
        #expect(high.needsMetrics(current: 10) == false)
        // TestZeroReplicas: a target at 0 with min 3 is left alone.
        var zero = Self.controller(min: 3, max: 5)
        #expect(zero.reconcile(now: 0, current: 0, proposal: 4) == .disabled)
    }

    @Test func testStoreScaleEvents() {
        // "replace one entry, use policies with different periods": events 8 (−29 s), 6 (−59 s), 7 (−61 s), 9 (−61 s)
        // with policies of 60 and 30 s (longest 60): 14 count in 60 s; storing +5 overwrites the last outdated slot.
        let now = 1_000.0
        var controller = Self.controller(min: 1, max: 100, up: Self.rules(10, 60, 100, 30, 0))
        controller.scaleUps = [Stamped(time: now - 29, replicas: 8), Stamped(time: now - 59, replicas: 6),
                               Stamped(time: now - 61, replicas: 7), Stamped(time: now - 61, replicas: 9)]
        #expect(controller.periodStart(now: now, current: 0, periodSeconds: 60) == -14)
        controller.storeScaleEvent(now: now, from: 10, to: 15)
        #expect(controller.scaleUps.map(\.replicas) == [8, 6, 7, 5])
        // "two entries, both actual" (periods 120 and 30): both kept, the new one appended.
        var both = Self.controller(min: 1, max: 100, up: Self.rules(10, 120, 100, 30, 0))
        both.scaleUps = [Stamped(time: now - 58, replicas: 7), Stamped(time: now - 59, replicas: 6)]
        #expect(both.periodStart(now: now, current: 0, periodSeconds: 60) == -13)
        both.storeScaleEvent(now: now, from: 10, to: 15)
        #expect(both.scaleUps.map(\.replicas) == [7, 6, 5])
        // Without behavior nothing is stored.
        var legacy = HPA.Controller(minReplicas: 1, maxReplicas: 100, behavior: nil)
        legacy.storeScaleEvent(now: now, from: 10, to: 15)
        #expect(legacy.scaleUps.isEmpty)
    }

    /// With constant load asking for 40 and default behavior, 15 s syncs go 3 → 7 → 14 → 28 → 40: each sync may add
    /// the larger of 4 pods and 100 % of the replicas at the start of its 15 s period (an event exactly one period
    /// old is outside it).
    @Test func consecutiveSyncsFollowTheDefaultRate() {
        var controller = Self.controller(min: 1, max: 100, seeded: true)
        var replicas = 3
        var seen = [replicas]
        for sync in 1...4 {
            replicas = controller.decide(now: Double(sync) * 15, current: replicas, desired: 40)
            seen.append(replicas)
        }
        #expect(seen == [3, 7, 14, 28, 40])
    }
}
