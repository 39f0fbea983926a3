/// A kind of machine a replica runs on, with its list prices.
public struct InstanceType: Sendable, Equatable {
    /// Catalog name such as `aws/g5.xlarge`, or nil for an inline definition.
    public var name: String?
    public var gpu: String
    public var gpus: Int
    public var onDemandPerHour: Double
    public var spotPerHour: Double?
    /// Where the prices come from (a catalog row's source), for the resolved scenario and reports.
    public var source: String?

    public init(
        name: String? = nil, gpu: String, gpus: Int, onDemandPerHour: Double,
        spotPerHour: Double? = nil, source: String? = nil
    ) {
        self.name = name
        self.gpu = gpu
        self.gpus = gpus
        self.onDemandPerHour = onDemandPerHour
        self.spotPerHour = spotPerHour
        self.source = source
    }
}

extension InstanceType {
    /// The placeholder of a deployment that runs on no instances of its own (an API, a router).
    public static let none = InstanceType(gpu: "none", gpus: 0, onDemandPerHour: 0)
}
