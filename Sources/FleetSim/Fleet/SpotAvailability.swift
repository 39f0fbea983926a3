import Foundation

/// Spot availability as the AWS Spot Advisor publishes it: a "frequency of interruption" bucket, the share of an
/// instance type's spot capacity reclaimed over the trailing month (<5 %, 5–10 %, 10–15 %, 15–20 %, >20 %; see
/// ../shared/data/README.md). FleetSim turns a bucket into a pool's reclaims and acquisition failures
/// (docs/model-assumptions.md):
///
/// - the monthly interruption share `f` is the bucket's upper edge, and 50 % for ">20 %", which has none, so that a
///   bucket is never read as better than it is;
/// - an instance's reclaim hazard is the constant rate that gives `f` over a month of 730 hours, −ln(1 − f) / 730
///   per instance-hour;
/// - the Advisor publishes nothing on requests that find no capacity; FleetSim takes the same share `f` as the chance
///   that a request for a spot instance fails (retried after 30 s, or placed elsewhere when the fleet can).
public enum SpotAvailability: String, Sendable, Equatable, CaseIterable {
    case under5 = "<5%"
    case from5to10 = "5-10%"
    case from10to15 = "10-15%"
    case from15to20 = "15-20%"
    case over20 = ">20%"

    public static let hoursPerMonth = 730.0

    /// The share of instances interrupted in a month that FleetSim assumes for the bucket.
    public var monthlyInterruption: Double {
        switch self {
        case .under5: return 0.05
        case .from5to10: return 0.10
        case .from10to15: return 0.15
        case .from15to20: return 0.20
        case .over20: return 0.50
        }
    }

    public var reclaimsPerInstanceHour: Double { -log1p(-monthlyInterruption) / Self.hoursPerMonth }

    public var acquisitionFailure: Double { monthlyInterruption }

    /// The next bucket down in availability; nil for the worst.
    public var worse: SpotAvailability? {
        let all = Self.allCases
        let index = all.firstIndex(of: self)!
        return index + 1 < all.count ? all[index + 1] : nil
    }

    /// A bucket from how the Spot Advisor writes it, with or without spaces and an en dash ("10–15 %").
    public init?(label: String) {
        let compact = label.filter { !$0.isWhitespace }.replacingOccurrences(of: "–", with: "-")
        guard let bucket = Self.allCases.first(where: { $0.rawValue == compact }) else { return nil }
        self = bucket
    }

    /// The reclaims of a spot pool in this bucket, with the provider's notice.
    public func reclaim(noticeSeconds: Double) -> ReclaimSpec {
        ReclaimSpec(perHour: reclaimsPerInstanceHour, noticeSeconds: noticeSeconds)
    }

    public var acquisition: AcquisitionSpec { AcquisitionSpec(failureProbability: acquisitionFailure) }
}
