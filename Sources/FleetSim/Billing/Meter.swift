/// Billing: what a deployment's instances cost, meter by meter, pool by pool.
///
/// The meter knows each pool's price now (it moves with the pool's price steps), how many of its instances are
/// billed (starting, ready or draining: decisions.md #28) and its warm pool (instances initialising run at the pool's
/// price; stopped ones cost their holding price). From these it keeps the cost per second by purchase option, which
/// the timeline integrates between events, so cost is exact to the second. A charge that is not a rate — the rest of a
/// minimum billed duration — goes straight into the recorder's window.
final class Meter {
    enum Timer: UInt8, TimerKind {
        case priceChange
        static let part = Part.billing
    }

    let pools: [PoolSpec]
    let gpusPerInstance: Int
    /// Each pool's price now, USD per hour.
    private(set) var pricePerHour: [Double]
    /// Instances billed per pool.
    private(set) var billed: [Int]
    private(set) var billedTotal: Int
    /// USD per second by purchase option, and instances billed by purchase option.
    private(set) var costPerSecond = CostBreakdown()
    private(set) var instancesByPurchase = CostBreakdown()
    let recorder: Recorder
    let timers: Timers<Timer>

    init(pools: [PoolSpec], gpusPerInstance: Int, warm: WarmPools, recorder: Recorder, timers: Timers<Timer>) {
        self.pools = pools
        self.gpusPerInstance = gpusPerInstance
        pricePerHour = pools.map(\.pricePerHour)
        billed = pools.map(\.count)
        billedTotal = billed.reduce(0, +)
        self.recorder = recorder
        self.timers = timers
        recompute(warm: warm)
    }

    /// Sets the first price step of `pool`, if it has steps.
    func start(pool: Int) {
        if let first = pools[pool].priceSteps.first {
            timers.set(.priceChange, slot: pool, epoch: 0, at: first.atSeconds)
        }
    }

    func handle(_ timer: Timer, slot pool: Int, epoch step: UInt32, warm: WarmPools) {
        let steps = pools[pool].priceSteps
        let step = Int(step)
        pricePerHour[pool] = steps[step].pricePerHour
        recompute(warm: warm)
        if step + 1 < steps.count {
            timers.set(.priceChange, slot: pool, epoch: UInt32(step + 1), at: steps[step + 1].atSeconds)
        }
    }

    /// An instance of `pool` is requested: it is billed from now.
    func started(pool: Int, warm: WarmPools) {
        billed[pool] += 1
        billedTotal += 1
        recompute(warm: warm)
    }

    /// An instance of `pool` that ran `seconds` is gone. One FleetSim terminates is charged the rest of the pool's
    /// minimum billed duration if it ran for less; one the provider takes back is billed for the seconds it ran, with
    /// no minimum (AWS waives even those for a Linux spot instance interrupted in its first hour; FleetSim keeps the
    /// conservative bill, decisions.md #38).
    func stopped(pool: Int, ranFor seconds: Double, byProvider: Bool, warm: WarmPools) {
        billed[pool] -= 1
        billedTotal -= 1
        recompute(warm: warm)
        let shortfall = pools[pool].minimumBilledSeconds - seconds
        if shortfall > 0 && !byProvider {
            recorder.window.cost[pools[pool].purchase] += shortfall * pricePerHour[pool] / 3600
        }
    }

    /// The rates after a change of counts, prices or warm pools.
    func recompute(warm: WarmPools) {
        var counts = CostBreakdown()
        for (pool, count) in billed.enumerated() { counts[pools[pool].purchase] += Double(count) }
        instancesByPurchase = counts
        var rates = CostBreakdown()
        for (pool, count) in billed.enumerated() {
            let running = count + warm.initialising[pool]
            let holding = Double(warm.stopped[pool]) * (pools[pool].warmPool?.holdingPerHour ?? 0)
            rates[pools[pool].purchase] += (Double(running) * pricePerHour[pool] + holding) / 3600
        }
        costPerSecond = rates
    }
}
