import FleetSim
import FleetSimKernel
import Testing

/// A fixed fleet is billed for every replica for the whole horizon, used or not: cost = replicas × price × hours
/// for each purchase option, and the timeline's per-window costs add up to it.
@Suite struct FixedFleetCostTests {
    static let instance = InstanceType(name: "test/4-gpu", gpu: "L4", gpus: 4, onDemandPerHour: 3.912)
    static let reservedPerHour = 3.912 * (1 - PoolSpec.defaultReservedDiscount)
    /// 7.5 hours and a bit, so the last 15-minute window is partial.
    static let durationSeconds = 27_123.4
    static let windowSeconds = 900.0

    /// Two deployments: `main` with 2 reserved and 3 on-demand replicas, `side` with 1 on-demand replica.
    static func scenario(ratePerSecond: Double) -> Scenario {
        let main = DeploymentSpec(
            name: "main", instance: instance, service: ServiceSpec(time: .exponential(mean: 0.5)),
            pools: [
                PoolSpec(purchase: .reserved, count: 2, pricePerHour: reservedPerHour),
                PoolSpec(purchase: .onDemand, count: 3, pricePerHour: instance.onDemandPerHour),
            ])
        let side = DeploymentSpec(
            name: "side", instance: instance, service: ServiceSpec(time: .constant(0.2)),
            pools: [PoolSpec(purchase: .onDemand, count: 1, pricePerHour: instance.onDemandPerHour)])
        return Scenario(
            name: "cost", seed: 5, durationSeconds: durationSeconds, windowSeconds: windowSeconds,
            traffic: TrafficSpec(ratePerSecond: ratePerSecond, classes: [
                RequestClass(name: "a", weight: 9, deployment: "main"),
                RequestClass(name: "b", weight: 1, deployment: "side"),
            ]),
            deployments: [main, side])
    }

    static let hours = durationSeconds / 3600

    /// Whatever the load (idle, moderate, overloaded), the bill is the same, to the cent.
    @Test(arguments: [0.001, 4, 50])
    func costIsReplicasTimesPriceTimesHours(_ ratePerSecond: Double) {
        let recorder = TimelineRecorder()
        let result = Simulation(scenario: Self.scenario(ratePerSecond: ratePerSecond), observer: recorder).run()
        let main = result.deployments[0], side = result.deployments[1]
        let price = Self.instance.onDemandPerHour

        #expect(abs(main.cost.reserved - 2 * Self.reservedPerHour * Self.hours) < 0.005)
        #expect(abs(main.cost.onDemand - 3 * price * Self.hours) < 0.005)
        #expect(main.cost.spot == 0 && main.cost.api == 0)
        #expect(abs(side.cost.onDemand - 1 * price * Self.hours) < 0.005)
        #expect(side.cost.reserved == 0)
        #expect(abs(result.total.cost.total - (2 * Self.reservedPerHour + 4 * price) * Self.hours) < 0.005)
        #expect(abs(result.total.cost.reserved - main.cost.reserved) < 1e-9)
        #expect(abs(result.total.cost.onDemand - main.cost.onDemand - side.cost.onDemand) < 1e-9)

        // Replica and GPU hours of a fixed fleet.
        #expect(abs(main.replicasMean - 5) < 1e-9 && main.replicasMax == 5)
        #expect(abs(result.total.replicasMean - 6) < 1e-9 && result.total.replicasMax == 6)
        #expect(abs(main.gpuHoursTotal - 5 * 4 * Self.hours) < 1e-9)
        #expect(main.gpuHoursBusy <= main.gpuHoursTotal)

        // Each pool announces its replicas once, ready at time 0.
        #expect(recorder.fleetEvents.count == 3)
        #expect(recorder.fleetEvents.allSatisfy { $0.timeSeconds == 0 && $0.kind == .ready && $0.replicasBefore == 0 })
        #expect(recorder.fleetEvents.map(\.replicasAfter) == [2, 3, 1])
    }

    /// Each window accrues exactly its share (count × price × width) for each purchase option, the window costs sum
    /// to the total, and `costCumulative` is their running sum.
    @Test func windowCostsAccrueByOptionAndSumToTheTotal() {
        let recorder = TimelineRecorder()
        let result = Simulation(scenario: Self.scenario(ratePerSecond: 4), observer: recorder).run()
        let pricePerSecond = Self.instance.onDemandPerHour / 3600
        for d in result.deployments {
            let rows = recorder.rows(of: d.name)
            #expect(rows.count == 31)
            #expect(rows.last.map { $0.windowEndSeconds - $0.windowStartSeconds } ?? 0 < Self.windowSeconds)
            let (reserved, onDemand) = d.name == "main" ? (2.0, 3.0) : (0.0, 1.0)
            var running = 0.0
            for row in rows {
                let width = row.windowEndSeconds - row.windowStartSeconds
                #expect(abs(row.cost.reserved - reserved * Self.reservedPerHour / 3600 * width) < 1e-9)
                #expect(abs(row.cost.onDemand - onDemand * pricePerSecond * width) < 1e-9)
                #expect(row.cost.spot == 0 && row.cost.api == 0)
                #expect(abs(row.cost.total - (row.cost.reserved + row.cost.onDemand)) < 1e-12)
                running += row.cost.total
                #expect(abs(row.costCumulative - running) < 1e-9)
                #expect(abs(row.replicasReady - (reserved + onDemand)) < 1e-9)
            }
            #expect(abs(running - d.cost.total) < 1e-9)
            #expect(abs(rows.reduce(0) { $0 + $1.cost.reserved } - d.cost.reserved) < 1e-9)
            #expect(abs(rows.reduce(0) { $0 + $1.cost.onDemand } - d.cost.onDemand) < 1e-9)
        }
    }
}
