/// Money by purchase option, in USD: what the fleet's instances cost (reserved, on demand, spot) and what per-token
/// APIs charge (`api`). Also used, in the same shape, for instance counts by purchase option.
public struct CostBreakdown: Sendable, Equatable {
    public var reserved = 0.0
    public var onDemand = 0.0
    public var spot = 0.0
    public var api = 0.0

    public init() {}

    public var total: Double { reserved + onDemand + spot + api }

    public subscript(option: PurchaseOption) -> Double {
        get {
            switch option {
            case .reserved: reserved
            case .onDemand: onDemand
            case .spot: spot
            }
        }
        set {
            switch option {
            case .reserved: reserved = newValue
            case .onDemand: onDemand = newValue
            case .spot: spot = newValue
            }
        }
    }

    func scaled(by factor: Double) -> CostBreakdown {
        var scaled = CostBreakdown()
        scaled.reserved = reserved * factor
        scaled.onDemand = onDemand * factor
        scaled.spot = spot * factor
        scaled.api = api * factor
        return scaled
    }

    public static func + (lhs: CostBreakdown, rhs: CostBreakdown) -> CostBreakdown {
        var sum = CostBreakdown()
        sum.reserved = lhs.reserved + rhs.reserved
        sum.onDemand = lhs.onDemand + rhs.onDemand
        sum.spot = lhs.spot + rhs.spot
        sum.api = lhs.api + rhs.api
        return sum
    }
}
