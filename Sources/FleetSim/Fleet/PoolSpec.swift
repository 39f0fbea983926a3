import FleetSimKernel

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
/// Every pool starts with `count` instances, ready at time 0. An autoscaler adds and removes on-demand and spot
/// instances between `min` and `max`; reserved pools keep their count. A spot pool with `reclaim` loses instances to
/// the provider; each loss is replaced (by the autoscaler's placement, or in the same pool for a fixed fleet), and
/// the replacement starts (provisioning, model load) before it serves.
public struct PoolSpec: Sendable, Equatable {
    public var purchase: PurchaseOption
    public var count: Int
    public var pricePerHour: Double
    public var reclaim: ReclaimSpec?
    /// Bounds on the pool's live (starting or ready) instances; instances draining away do not count.
    public var min: Int
    public var max: Int
    /// An instance terminated sooner is billed this long anyway (EC2's per-second billing has a 60 s minimum).
    public var minimumBilledSeconds: Double
    /// Requests for new instances may fail (spot capacity is not always there).
    public var acquisition: AcquisitionSpec?
    /// Stopped, pre-initialised instances that start quickly (on-demand pools).
    public var warmPool: WarmPoolSpec?
    /// A price that moves (spot markets): from each step's instant on, the pool's instances cost its price;
    /// `pricePerHour` holds before the first step.
    public var priceSteps: [PriceStep] = []

    public struct PriceStep: Sendable, Equatable {
        public var atSeconds: Double
        public var pricePerHour: Double

        public init(atSeconds: Double, pricePerHour: Double) {
            self.atSeconds = atSeconds
            self.pricePerHour = pricePerHour
        }
    }

    public init(
        purchase: PurchaseOption, count: Int, pricePerHour: Double, reclaim: ReclaimSpec? = nil, min: Int? = nil,
        max: Int? = nil, minimumBilledSeconds: Double? = nil, acquisition: AcquisitionSpec? = nil,
        warmPool: WarmPoolSpec? = nil
    ) {
        self.purchase = purchase
        self.count = count
        self.pricePerHour = pricePerHour
        self.reclaim = reclaim
        self.min = min ?? (purchase == .reserved ? count : 0)
        self.max = max ?? (purchase == .reserved ? count : Int.max)
        self.minimumBilledSeconds = minimumBilledSeconds ?? (purchase == .reserved ? 0 : Self.defaultMinimumBilledSeconds)
        self.acquisition = acquisition
        self.warmPool = warmPool
    }

    /// The typical discount of a one-year commitment when the scenario gives none: 30–40 % for one year is the
    /// usual range quoted by AWS, GCP and Azure (see docs/model-assumptions.md); FleetSim takes the middle.
    public static let defaultReservedDiscount = 0.35

    /// EC2's minimum for per-second billing (Linux instances), the default for on-demand and spot pools.
    public static let defaultMinimumBilledSeconds = 60.0

    /// Whether an autoscaler may add and remove the pool's instances: not reserved ones (bought for the horizon) and
    /// not those of a replayed capacity trace (the trace decides).
    public var isManaged: Bool { purchase != .reserved && reclaim?.trace == nil }
}

/// A request for an instance fails with `failureProbability` (drawn per request from the deployment's `acquisition`
/// stream); the fleet then falls back to the next pool in its placement order, or tries again after `retrySeconds`.
public struct AcquisitionSpec: Sendable, Equatable {
    public var failureProbability: Double
    public var retrySeconds: Double

    public init(failureProbability: Double, retrySeconds: Double = 30) {
        self.failureProbability = failureProbability
        self.retrySeconds = retrySeconds
    }
}

/// Instances kept stopped with the model already on disk, as an EC2 Auto Scaling warm pool: each costs
/// `holdingPerHour` while stopped (its volumes) and starts in `start` instead of provisioning + model load. A warm
/// instance taken is replaced by a new one, which runs (billed at the pool's price) while it initialises, then stops.
public struct WarmPoolSpec: Sendable, Equatable {
    public var size: Int
    public var holdingPerHour: Double
    public var start: Distribution

    public init(size: Int, holdingPerHour: Double, start: Distribution) {
        self.size = size
        self.holdingPerHour = holdingPerHour
        self.start = start
    }
}

/// How the provider takes spot instances back: each running instance is reclaimed after an exponential time with
/// rate `perHour` (a constant hazard per instance-hour), announced `noticeSeconds` ahead (AWS 120 s, GCP 30 s; see
/// ../shared/data/README.md). From the notice on, the replica takes no new work and a replacement is requested; at
/// the end of the notice the instance is gone, and work still running on it is lost and queued again.
///
/// With `trace`, the pool's spot capacity follows a recorded capacity trace instead: each `add` brings a node (a
/// replica that starts cold), each `remove` takes one away after the notice, and nothing is replaced.
public struct ReclaimSpec: Sendable, Equatable {
    public var perHour: Double
    public var noticeSeconds: Double
    public var trace: CapacityTrace?
    public var storms: Storms?
    /// What happens to work still running when the notice ends: queued again (a client retry), or failed.
    public var lostWork: LostWork = .requeue

    public enum LostWork: String, Sendable, Equatable, CaseIterable {
        case requeue, fail
    }

    /// Correlated reclaims: at Poisson times (`perDay` per pool), the provider takes back `fraction` of the pool's
    /// ready instances at once (rounded up), chosen at random.
    public struct Storms: Sendable, Equatable {
        public var perDay: Double
        public var fraction: Double

        public init(perDay: Double, fraction: Double) {
            self.perDay = perDay
            self.fraction = fraction
        }
    }

    public init(perHour: Double, noticeSeconds: Double, trace: CapacityTrace? = nil, storms: Storms? = nil) {
        self.perHour = perHour
        self.noticeSeconds = noticeSeconds
        self.trace = trace
        self.storms = storms
    }
}

/// A recorded spot capacity trace: when nodes were added to and removed from a spot pool (e.g. SpotServe's AWS g4dn
/// trace, `time_ms,add|remove,node`).
public struct CapacityTrace: Sendable, Equatable {
    public struct Change: Sendable, Equatable {
        public var timeSeconds: Double
        public var isAdd: Bool
        public var node: String

        public init(timeSeconds: Double, isAdd: Bool, node: String) {
            self.timeSeconds = timeSeconds
            self.isAdd = isAdd
            self.node = node
        }
    }

    public var path: String
    public var changes: [Change]

    public init(path: String, changes: [Change]) {
        self.path = path
        self.changes = changes
    }
}

/// How long a new replica takes before it serves: the instance is provisioned, then the model is loaded (the cold
/// start). Both are drawn per replica from the deployment's `startup` stream.
public struct StartupSpec: Sendable, Equatable {
    public var provision: Distribution
    public var load: Distribution

    public init(provision: Distribution = .constant(0), load: Distribution = .constant(0)) {
        self.provision = provision
        self.load = load
    }
}

/// Where new replicas go.
public enum PlacementSpec: Sendable, Equatable {
    /// The first pool in this order (pool indices) with room and capacity; the next on a failed acquisition. An
    /// empty order means the managed pools in the scenario's order.
    case ordered([Int])
    /// EC2 Auto Scaling's mixed-instances rule over the deployment's first on-demand and first spot pool:
    /// `onDemandBase` on-demand replicas first, then `onDemandAboveBase` (a fraction) of the rest on-demand, rounded
    /// up, the remainder spot. Scale-in keeps the same split.
    case mixed(onDemandBase: Int, onDemandAboveBase: Double)
}
