/// What a savings plan does to an hour-by-hour on-demand bill, as AWS settles it: the plan charges its commitment
/// `C` (USD per hour, at plan rates) every hour whether used or not; each hour's usage, priced at the plan's rates
/// (on demand less `discount`), is covered by the commitment first, and what the commitment does not cover is
/// billed at on demand. A plan changes no instance, so it changes no latency: it is settled on the timeline of an
/// all-on-demand fleet that met the objectives.
///
/// For usage `U` at on-demand prices in an hour: charge = C + (U − min(C, U·(1 − d)) / (1 − d)), waste = C −
/// min(C, U·(1 − d)).
public struct SavingsPlanBill: Sendable, Equatable {
    public var commitmentPerHour: Double
    /// Commitment charges over the horizon.
    public var committed: Double
    /// On-demand usage the commitment did not cover, at on-demand prices.
    public var uncovered: Double
    /// Commitment paid for and not used.
    public var waste: Double
    public var total: Double { committed + uncovered }

    /// The bill for usage `hourly` (USD at on-demand prices per clock hour; a last partial hour pays its share of
    /// the commitment, `lastHourFraction`).
    public init(hourly: [Double], commitmentPerHour c: Double, discount d: Double, lastHourFraction: Double = 1) {
        commitmentPerHour = c
        committed = 0
        uncovered = 0
        waste = 0
        for (hour, usage) in hourly.enumerated() {
            let share = hour == hourly.count - 1 ? lastHourFraction : 1
            let commitment = c * share
            let covered = min(commitment, usage * (1 - d))
            committed += commitment
            uncovered += usage - covered / (1 - d)
            waste += commitment - covered
        }
    }

    /// The commitment that minimises the mean bill over `replications` (each one's hourly usage). The bill is convex
    /// and piecewise linear in the commitment, with corners where it equals an hour's usage at plan rates, so the
    /// best commitment is one of those corners (or none at all).
    public static func bestCommitment(_ replications: [[Double]], discount d: Double, lastHourFraction: Double = 1) -> Double {
        var corners = Set(replications.flatMap { $0.map { $0 * (1 - d) } })
        corners.insert(0)
        func meanBill(_ c: Double) -> Double {
            replications.reduce(0) {
                $0 + SavingsPlanBill(hourly: $1, commitmentPerHour: c, discount: d, lastHourFraction: lastHourFraction).total
            }
        }
        // Ties go to the smaller commitment (the first minimum of the ascending corners): the same bill for less
        // promised.
        let bills = corners.sorted().map { ($0, meanBill($0)) }
        return bills.min { $0.1 < $1.1 }?.0 ?? 0
    }

    /// Spreads per-window amounts over clock hours, each window's amount shared by the hours it overlaps in
    /// proportion to the overlap (exact when windows divide the hour).
    public static func hourly(_ amounts: [(start: Double, end: Double, amount: Double)], horizonSeconds: Double) -> [Double] {
        var hours = [Double](repeating: 0, count: Int((horizonSeconds / 3_600).rounded(.up)))
        for (start, end, amount) in amounts where end > start {
            var t = start
            while t < end, !hours.isEmpty {
                let hour = min(Int(t / 3_600), hours.count - 1)
                let boundary = min(Double(hour + 1) * 3_600, end)
                hours[hour] += amount * (boundary - t) / (end - start)
                t = boundary
            }
        }
        return hours
    }
}
