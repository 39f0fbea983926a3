import FleetSimKernel

/// How the provider takes spot instances back: each at a constant hazard per instance-hour, announced with notice;
/// correlated storms that take a share of a pool at once; or a replayed capacity trace that adds and removes nodes.
/// Reclaim times come from the deployment's `reclaims` stream and storms from its `storms` stream.
struct Reclaims {
    let pools: [PoolSpec]
    let reclaimStream: RandomStream
    let stormStream: RandomStream
    /// The replayed capacity traces of the deployment's spot pools, merged in time order: node additions, and removal
    /// notices (a notice before each removal).
    let capacitySchedule: [(time: Double, pool: Int, isAdd: Bool, node: String)]
    /// The replica each trace node runs, while it exists.
    var nodeReplicas: [String: Int] = [:]

    init(pools: [PoolSpec], reclaimStream: RandomStream, stormStream: RandomStream) {
        self.pools = pools
        self.reclaimStream = reclaimStream
        self.stormStream = stormStream
        capacitySchedule = Self.capacitySchedule(pools)
    }

    /// When a replica of `pool`, ready now, gets its reclaim notice; nil when the pool is not reclaimed by hazard.
    func noticeTime(pool: Int, now: Double) -> Double? {
        guard let reclaim = pools[pool].reclaim, reclaim.perHour > 0 else { return nil }
        let hours = reclaimStream.unitExponential() / reclaim.perHour
        return now + hours * 3600
    }

    /// When the next storm hits `pool`; nil when it has none.
    func stormTime(pool: Int, now: Double) -> Double? {
        guard let storms = pools[pool].reclaim?.storms, storms.perDay > 0 else { return nil }
        return now + stormStream.unitExponential() / storms.perDay * 86_400
    }

    /// The replicas a storm on `pool` takes among its ready `candidates`: its share of them, rounded up, chosen at
    /// random (a partial Fisher–Yates shuffle: the first places hold a uniform random subset), in the order drawn.
    func stormVictims(pool: Int, among candidates: [Int]) -> [Int] {
        var candidates = candidates
        let fraction = pools[pool].reclaim?.storms?.fraction ?? 0
        let count = min(Int((fraction * Double(candidates.count)).rounded(.up)), candidates.count)
        for taken in 0..<count {
            let pick = taken + stormStream.index(below: candidates.count - taken)
            candidates.swapAt(taken, pick)
        }
        return Array(candidates.prefix(count))
    }

    /// Each removal is announced `notice` before it, but never before its node was added; ties keep file order.
    static func capacitySchedule(_ pools: [PoolSpec]) -> [(time: Double, pool: Int, isAdd: Bool, node: String)] {
        var steps: [(time: Double, pool: Int, isAdd: Bool, node: String)] = []
        for (pool, poolSpec) in pools.enumerated() {
            guard let reclaim = poolSpec.reclaim, let trace = reclaim.trace else { continue }
            var added: [String: Double] = [:]
            for change in trace.changes {
                if change.isAdd {
                    added[change.node] = change.timeSeconds
                    steps.append((change.timeSeconds, pool, true, change.node))
                } else {
                    let notice = max(change.timeSeconds - reclaim.noticeSeconds, added[change.node] ?? 0, 0)
                    steps.append((notice, pool, false, change.node))
                }
            }
        }
        return steps.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }
}
