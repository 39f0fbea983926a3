import FleetSim
import FleetSimKernel
import Foundation

/// Reads a deployment's `pools` (purchase option, count, price or discount, bounds, reclaims, acquisition, warm
/// pool, price steps) and its `placement`.
struct FleetDecoder {
    let baseDirectory: String

    func decodePlacement(_ value: ScenarioValue, pools: [PoolSpec]) throws -> PlacementSpec {
        let fields = try value.mapping(allowed: ["order", "onDemandBase", "onDemandAboveBase"])
        if let orderValue = fields["order"] {
            if fields["onDemandBase"] != nil || fields["onDemandAboveBase"] != nil {
                throw value.error("give either 'order' or the mixed-instances rule (onDemandBase, onDemandAboveBase), not both")
            }
            var order: [Int] = []
            for item in try orderValue.list() {
                let purchaseText = try item.string()
                guard let purchase = PurchaseOption(rawValue: purchaseText), purchase != .reserved else {
                    throw item.expected("onDemand or spot (reserved instances are never added)")
                }
                let matching = pools.indices.filter { pools[$0].purchase == purchase && pools[$0].isManaged }
                guard !matching.isEmpty else { throw item.error("the deployment has no \(purchase.rawValue) pool an autoscaler can grow") }
                order += matching.filter { !order.contains($0) }
            }
            guard !order.isEmpty else { throw orderValue.expected("at least one purchase option") }
            return .ordered(order)
        }
        guard pools.contains(where: { $0.purchase == .onDemand && $0.isManaged }),
              pools.contains(where: { $0.purchase == .spot && $0.isManaged })
        else { throw value.error("the mixed-instances rule needs an onDemand pool and a spot pool") }
        return .mixed(
            onDemandBase: try fields["onDemandBase"]?.integer("a replica count", in: 0...ScenarioDecoder.maxCount) ?? 0,
            onDemandAboveBase: try fields["onDemandAboveBase"]?.fraction(in: 0...1) ?? 1)
    }

    /// A catalog id (`fleetsim catalog` lists them) or an inline profile.
    func decodePools(_ value: ScenarioValue, instance: InstanceType) throws -> [PoolSpec] {
        let items = try value.list()
        guard !items.isEmpty else { throw value.expected("at least one pool") }
        return try items.map { item in
            let fields = try item.mapping(allowed: [
                "purchase", "count", "pricePerHour", "discount", "reclaim", "min", "max", "minimumBilled", "acquisition",
                "warmPool", "priceSteps",
            ])
            let purchaseValue = try fields.required("purchase", "reserved, onDemand or spot")
            let purchaseText = try purchaseValue.string()
            guard let purchase = PurchaseOption(rawValue: purchaseText) else {
                throw purchaseValue.expected("one of \(PurchaseOption.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var reclaim: ReclaimSpec?
            if let reclaimValue = fields["reclaim"] {
                guard purchase == .spot else {
                    throw reclaimValue.error("only spot instances are reclaimed; this pool is \(purchase.rawValue)")
                }
                reclaim = try decodeReclaim(reclaimValue)
            }
            let count: Int
            if reclaim?.trace != nil {
                // The trace brings the nodes; the pool starts empty.
                if let countValue = fields["count"], try countValue.integer("an instance count", in: 0...ScenarioDecoder.maxCount) != 0 {
                    throw countValue.error("a pool that replays a capacity trace starts empty; its nodes come from the trace")
                }
                count = 0
            } else {
                count = try fields.required("count", "how many instances").integer("an instance count", in: 0...ScenarioDecoder.maxCount)
            }
            if fields["pricePerHour"] != nil && fields["discount"] != nil {
                throw item.error("give either 'pricePerHour' or 'discount', not both")
            }
            let price: Double
            if let priceValue = fields["pricePerHour"] {
                price = try priceValue.number("a price in USD per hour", in: 0...1e6)
            } else if let discountValue = fields["discount"] {
                price = instance.onDemandPerHour * (1 - (try discountValue.fraction(in: 0...1)))
            } else if purchase == .reserved {
                price = instance.onDemandPerHour * (1 - PoolSpec.defaultReservedDiscount)
            } else if purchase == .spot {
                guard let spot = instance.spotPerHour else {
                    throw item.error("the instance has no spot price; give the pool a pricePerHour or the instance a spot price")
                }
                price = spot
            } else {
                price = instance.onDemandPerHour
            }
            var pool = PoolSpec(purchase: purchase, count: count, pricePerHour: price, reclaim: reclaim)
            try decodeBounds(fields, into: &pool)
            if let stepsValue = fields["priceSteps"] {
                pool.priceSteps = try stepsValue.list().map { step in
                    let stepFields = try step.mapping(allowed: ["at", "pricePerHour"])
                    return PoolSpec.PriceStep(
                        atSeconds: try stepFields.required("at", "when the price changes, e.g. 6h").duration(in: ScenarioDecoder.nonNegative),
                        pricePerHour: try stepFields.required("pricePerHour", "the new price").number("a price in USD per hour", in: 0...1e6))
                }
                if !zip(pool.priceSteps, pool.priceSteps.dropFirst()).allSatisfy({ $0.atSeconds < $1.atSeconds }) {
                    throw stepsValue.expected("steps in increasing time order")
                }
            }
            if let billed = fields["minimumBilled"] {
                pool.minimumBilledSeconds = try billed.duration(in: 0...86_400)
            }
            if let acquisitionValue = fields["acquisition"] {
                guard purchase != .reserved else { throw acquisitionValue.error("reserved instances are bought for the horizon; nothing is acquired later") }
                let acquisition = try acquisitionValue.mapping(allowed: ["failure", "retry"])
                pool.acquisition = AcquisitionSpec(
                    failureProbability: try acquisition.required("failure", "the probability a request fails, e.g. 20%")
                        .fraction(in: 0...0.999),
                    retrySeconds: try acquisition["retry"]?.duration(in: 1e-3...86_400) ?? 30)
            }
            if let warmValue = fields["warmPool"] {
                guard purchase == .onDemand else {
                    throw warmValue.error("warm pools hold stopped on-demand instances (EC2 has none for spot); this pool is \(purchase.rawValue)")
                }
                let warm = try warmValue.mapping(allowed: ["size", "holdingPerHour", "start"])
                pool.warmPool = WarmPoolSpec(
                    size: try warm.required("size", "how many stopped instances").integer("an instance count", in: 0...ScenarioDecoder.maxCount),
                    holdingPerHour: try warm["holdingPerHour"]?.number("a price in USD per hour", in: 0...1e6) ?? 0,
                    start: try DistributionDecoder.decode(
                        try warm.required("start", "how long a warm instance takes to serve, e.g. 20s"), as: .duration,
                        baseDirectory: baseDirectory))
            }
            return pool
        }
    }

    /// `min` and `max` bound what an autoscaler may do with an on-demand or spot pool; reserved pools keep their
    /// count, and the count must lie within the bounds.
    private func decodeBounds(_ fields: ScenarioMapping, into pool: inout PoolSpec) throws {
        for key in ["min", "max"] {
            if let bound = fields[key], !pool.isManaged {
                let why = pool.purchase == .reserved
                    ? "a reserved pool is bought for the horizon and keeps its count"
                    : "a pool that replays a capacity trace follows the trace"
                throw bound.error("\(why); drop '\(key)'")
            }
        }
        if let minValue = fields["min"] { pool.min = try minValue.integer("an instance count", in: 0...ScenarioDecoder.maxCount) }
        if let maxValue = fields["max"] { pool.max = try maxValue.integer("an instance count", in: 0...ScenarioDecoder.maxCount) }
        if pool.min > pool.max {
            throw fields["min"]!.error("min (\(pool.min)) is above max (\(pool.max))")
        }
        if !(pool.min...pool.max).contains(pool.count) {
            throw (fields["count"] ?? fields.value).error("count (\(pool.count)) is outside min…max (\(pool.min)…\(pool.max))")
        }
    }

    /// `{perHour}`, an AWS Spot Advisor bucket `{awsBucket: "5-10%"}`, or a capacity trace `{trace: file}`; with
    /// `notice` (default 2 minutes, AWS's).
    private func decodeReclaim(_ value: ScenarioValue) throws -> ReclaimSpec {
        let fields = try value.mapping(allowed: ["perHour", "awsBucket", "trace", "notice", "storms", "lostWork"])
        var spec = try decodeReclaimForm(fields, value)
        if let lostWorkValue = fields["lostWork"] {
            guard let lostWork = ReclaimSpec.LostWork(rawValue: try lostWorkValue.string()) else {
                throw lostWorkValue.expected("requeue or fail")
            }
            spec.lostWork = lostWork
        }
        return spec
    }

    private func decodeReclaimForm(_ fields: ScenarioMapping, _ value: ScenarioValue) throws -> ReclaimSpec {
        let notice = try fields["notice"]?.duration(in: ScenarioDecoder.nonNegative) ?? 120
        var storms: ReclaimSpec.Storms?
        if let stormsValue = fields["storms"] {
            if fields["trace"] != nil { throw stormsValue.error("a replayed capacity trace already holds every reclaim; drop 'storms'") }
            let stormFields = try stormsValue.mapping(allowed: ["perDay", "fraction"])
            storms = .init(
                perDay: try stormFields.required("perDay", "storms per day, e.g. 0.1").number("a mean count", in: 0...10_000),
                fraction: try stormFields.required("fraction", "the share of the pool taken, e.g. 50%").fraction(in: 1e-6...1))
        }
        let forms = storms == nil ? ["perHour", "awsBucket", "trace"] : ["perHour", "awsBucket"]
        if storms != nil && fields["perHour"] == nil && fields["awsBucket"] == nil {
            return ReclaimSpec(perHour: 0, noticeSeconds: notice, storms: storms)
        }
        switch try fields.oneOf(forms, "how instances are reclaimed") {
        case ("perHour", let rate):
            return ReclaimSpec(perHour: try rate.number("a non-negative rate per instance-hour", in: 0...1_000),
                               noticeSeconds: notice, storms: storms)
        case ("awsBucket", let bucketValue):
            let bucket = try bucketValue.string()
            guard let monthly = Self.awsInterruptionBuckets[bucket] else {
                throw bucketValue.expected("one of \(Self.awsInterruptionBuckets.keys.sorted().joined(separator: ", "))")
            }
            // A monthly interruption probability p is a constant hazard of −ln(1 − p) per month of 730 hours.
            return ReclaimSpec(perHour: -log(1 - monthly) / 730, noticeSeconds: notice, storms: storms)
        case (_, let traceValue):
            let path = try traceValue.existingFile(from: baseDirectory)
            let trace = try CapacityTraceReader.read(path: path, keyPath: traceValue.path)
            return ReclaimSpec(perHour: 0, noticeSeconds: notice, trace: trace)
        }
    }

    /// AWS Spot Instance Advisor's frequency-of-interruption buckets (per month; ../shared/data/README.md), each
    /// taken at its middle (the open-ended top bucket at 25 %).
    static let awsInterruptionBuckets: [String: Double] = [
        "<5%": 0.025, "5-10%": 0.075, "10-15%": 0.125, "15-20%": 0.175, ">20%": 0.25,
    ]
}
