import FleetSimKernel

/// Where a new replica goes and which one scale-in removes: an ordered preference over the managed pools, or EC2's
/// mixed-instances rule (an on-demand base, then a share of on-demand above it; decisions.md #39). Failed
/// acquisitions are drawn here, from the deployment's `acquisition` stream.
struct Placement {
    let rule: PlacementSpec
    let pools: [PoolSpec]
    let acquisitionStream: RandomStream

    /// Pools to try for a new replica, in order; a reclaimed instance's replacement tries its own pool first
    /// (decisions.md #42).
    func candidates(preferring preferred: Int?, live: [Int]) -> [Int] {
        switch rule {
        case .ordered(let order):
            let base = order.isEmpty ? pools.indices.filter { pools[$0].isManaged } : order
            guard let preferred, pools[preferred].isManaged else { return base }
            return [preferred] + base.filter { $0 != preferred }
        case .mixed:
            // EC2 Auto Scaling keeps the split rather than fall back: a pool without capacity is retried.
            guard let (onDemand, spot) = mixedPools else { return [] }
            let wanted = onDemandShare(of: live[onDemand] + live[spot] + 1)
            return [live[onDemand] < wanted ? onDemand : spot]
        }
    }

    /// Whether a request for an instance in `pool` fails (spot capacity is not always there).
    func acquisitionFails(pool: Int) -> Bool {
        guard let acquisition = pools[pool].acquisition else { return false }
        return acquisitionStream.uniform() < acquisition.failureProbability
    }

    /// Pools scale-in takes from, in order: the last in placement order first, or the one over its mixed share.
    func scaleInOrder(live: [Int]) -> [Int] {
        switch rule {
        case .ordered(let preference):
            return (preference.isEmpty ? pools.indices.filter { pools[$0].isManaged } : preference).reversed()
        case .mixed:
            guard let (onDemand, spot) = mixedPools else { return [] }
            let wanted = onDemandShare(of: live[onDemand] + live[spot] - 1)
            return live[onDemand] > wanted ? [onDemand, spot] : [spot, onDemand]
        }
    }

    /// The replica scale-in removes next: in the first pool of `scaleInOrder` above its minimum, a starting replica
    /// first (newest first), else the ready one holding least work (`held`).
    func scaleInVictim(fleet: ReplicaFleet, held: (Int) -> Int) -> Int? {
        for pool in scaleInOrder(live: fleet.live) where fleet.live[pool] > pools[pool].min {
            if let newest = fleet.starting.last(where: { fleet[$0].pool == pool }) { return newest }
            let ready = fleet.active.filter { fleet[$0].pool == pool }
            if let least = ready.min(by: { (held($0), -$0) < (held($1), -$1) }) { return least }
        }
        return nil
    }

    private var mixedPools: (onDemand: Int, spot: Int)? {
        guard let onDemand = pools.indices.first(where: { pools[$0].purchase == .onDemand && pools[$0].isManaged }),
              let spot = pools.indices.first(where: { pools[$0].purchase == .spot && pools[$0].isManaged })
        else { return nil }
        return (onDemand, spot)
    }

    /// On-demand replicas among `total` under the mixed-instances rule, the on-demand share rounded up.
    func onDemandShare(of total: Int) -> Int {
        guard case .mixed(let base, let aboveBase) = rule else { return 0 }
        let above = max(total - base, 0)
        return min(total, base) + Int((Double(above) * aboveBase - 1e-9).rounded(.up))
    }
}
