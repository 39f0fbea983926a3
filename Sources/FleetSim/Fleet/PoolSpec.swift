/// How instances are bought.
public enum PurchaseOption: String, Sendable, Equatable, CaseIterable {
    /// Committed for the whole horizon and billed every second of it, used or not.
    case reserved
    /// Billed per second while provisioned.
    case onDemand
    /// Discounted, and can be reclaimed by the provider.
    case spot
}

/// A group of identical instances bought the same way.
///
/// In a fixed fleet every pool holds `count` instances, all ready from time 0 until the horizon.
public struct PoolSpec: Sendable, Equatable {
    public var purchase: PurchaseOption
    public var count: Int
    public var pricePerHour: Double

    public init(purchase: PurchaseOption, count: Int, pricePerHour: Double) {
        self.purchase = purchase
        self.count = count
        self.pricePerHour = pricePerHour
    }

    /// The typical discount of a one-year commitment when the scenario gives none: 30–40 % for one year is the
    /// usual range quoted by AWS, GCP and Azure (see docs/model-assumptions.md); FleetSim takes the middle.
    public static let defaultReservedDiscount = 0.35
}
