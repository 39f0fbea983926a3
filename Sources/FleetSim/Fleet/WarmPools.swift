/// Warm pools, per pool of the deployment: instances kept stopped with the model on disk, which start in seconds
/// instead of provisioning and loading (EC2 Auto Scaling warm pools; on-demand pools only, decisions.md #40). A warm
/// instance taken is replaced by a new one, which runs while it initialises, then stops.
struct WarmPools {
    /// Stopped and ready to start, per pool.
    private(set) var stopped: [Int]
    /// Replacements still initialising (billed at the pool's price), per pool.
    private(set) var initialising: [Int]

    init(pools: [PoolSpec]) {
        stopped = pools.map { $0.warmPool?.size ?? 0 }
        initialising = pools.map { _ in 0 }
    }

    /// Takes a stopped instance of `pool` and starts its replacement; false when there is none.
    mutating func take(fromPool pool: Int) -> Bool {
        guard stopped[pool] > 0 else { return false }
        stopped[pool] -= 1
        initialising[pool] += 1
        return true
    }

    /// A replacement has initialised and stopped.
    mutating func refilled(pool: Int) {
        initialising[pool] -= 1
        stopped[pool] += 1
    }
}
