/// The instances behind one deployment, by pool.
///
/// This first fleet is fixed: every pool holds its configured count from time 0 to the horizon, all ready.
struct Fleet {
    let instance: InstanceType
    let pools: [PoolSpec]

    init(instance: InstanceType, pools: [PoolSpec]) {
        self.instance = instance
        self.pools = pools
    }

    var readyReplicas: Int { pools.reduce(0) { $0 + $1.count } }

    /// What the provisioned instances cost per second, by purchase option.
    var costPerSecond: CostBreakdown {
        var rates = CostBreakdown()
        for pool in pools {
            rates[pool.purchase] += Double(pool.count) * pool.pricePerHour / 3600
        }
        return rates
    }
}
