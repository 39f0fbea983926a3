import Foundation

/// A run's `timeline.csv` as the report draws it: read in one streaming pass, the columns a chart needs, with at most
/// `maxPoints` points per series whatever the number of windows.
///
/// A chart cannot show more points than it has pixels, and holding every row of a long run with short windows took
/// about 2 KB per row. When a run has more windows than `maxPoints`, each point merges `windowsPerPoint` consecutive
/// windows: counts and costs are summed, levels (replicas, queue depth) averaged over time, utilization weighted by
/// ready replica-time, and latency percentiles and SLO attainment shown at their worst window (the highest p99,
/// the lowest attainment), so a merged chart never hides an excursion.
struct TimelineSeries {
    static let maxPoints = 2_000

    enum Merge {
        case sum, timeMean, utilization, highest, lowest
    }

    static let columns: [String: Merge] = [
        "arrivals": .sum, "cost_reserved": .sum, "cost_on_demand": .sum, "cost_spot": .sum, "cost_api": .sum,
        "cost_total": .sum,
        "replicas_ready": .timeMean, "replicas_starting": .timeMean, "replicas_draining": .timeMean,
        "instances_reserved": .timeMean, "instances_on_demand": .timeMean, "instances_spot": .timeMean,
        "queue_depth_mean": .timeMean, "utilization": .utilization,
        "e2e_p50_s": .highest, "e2e_p99_s": .highest, "ttft_p50_s": .highest, "ttft_p99_s": .highest,
        "slo_attainment": .lowest,
    ]

    /// Where each point starts, and where the last one ends.
    private(set) var starts: [Double] = []
    private(set) var end = 0.0
    private(set) var windowsPerPoint = 1
    private(set) var windows = 0
    private(set) var deployments: [String] = []
    /// The columns this timeline has, in a fixed order, and per deployment, per column, per point: the merged
    /// value's running total and weight (weight 0: no value yet).
    private let names: [String]
    private var totals: [[[Double]]] = []
    private var weights: [[[Double]]] = []

    /// Reads `url`; `durationSeconds` (the summary's) sizes the points before the first row is read.
    init(url: URL, durationSeconds: Double) throws {
        guard let lines = LineReader(path: url.path), let headerLine = lines.nextLine() else {
            throw ScenarioError(file: url.path, line: nil, keyPath: "", message: "cannot be read")
        }
        let header = Dictionary(CSVFormat.fields(headerLine).enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        guard let startColumn = header["window_start_s"], let endColumn = header["window_end_s"],
              let deploymentColumn = header["deployment"]
        else {
            throw ScenarioError(file: url.path, line: 1, keyPath: "", message: "not a FleetSim timeline (no window_start_s, window_end_s, deployment)")
        }
        names = Self.columns.keys.filter { header[$0] != nil }.sorted()
        let indices = names.map { header[$0]! }
        let merges = names.map { Self.columns[$0]! }
        let readyColumn = header["replicas_ready"]
        var windowSeconds = 0.0
        var lastWindow = -1
        var deploymentIndex: [String: Int] = [:]
        while let line = lines.nextLine() {
            let fields = CSVFormat.fields(line)
            guard fields.count > max(startColumn, endColumn, deploymentColumn),
                  let start = Double(fields[startColumn]), let rowEnd = Double(fields[endColumn])
            else { continue }
            if windowSeconds == 0 {
                windowSeconds = max(rowEnd - start, 1e-9)
                let expected = Int((durationSeconds / windowSeconds - 1e-9).rounded(.up))
                windowsPerPoint = max(1, (expected + Self.maxPoints - 1) / Self.maxPoints)
            }
            let window = Int((start / windowSeconds).rounded())
            if window != lastWindow {
                lastWindow = window
                windows += 1
                if window / windowsPerPoint >= starts.count {
                    starts.append(start)
                    for deployment in totals.indices {
                        for column in names.indices {
                            totals[deployment][column].append(0)
                            weights[deployment][column].append(0)
                        }
                    }
                }
            }
            end = max(end, rowEnd)
            let name = fields[deploymentColumn]
            let deployment: Int
            if let known = deploymentIndex[name] {
                deployment = known
            } else {
                deployment = deployments.count
                deploymentIndex[name] = deployment
                deployments.append(name)
                let empty = [[Double]](repeating: [Double](repeating: 0, count: starts.count), count: names.count)
                totals.append(empty)
                weights.append(empty)
            }
            let seconds = rowEnd - start
            let ready = readyColumn.flatMap { Double(fields[safe: $0] ?? "") } ?? 0
            let point = starts.count - 1
            for column in names.indices {
                guard let value = Double(fields[safe: indices[column]] ?? ""), value.isFinite else { continue }
                let had = weights[deployment][column][point] > 0
                let current = totals[deployment][column][point]
                switch merges[column] {
                case .sum:
                    totals[deployment][column][point] = current + value
                    weights[deployment][column][point] = 1
                case .timeMean:
                    totals[deployment][column][point] = current + value * seconds
                    weights[deployment][column][point] += seconds
                case .utilization:
                    totals[deployment][column][point] = current + value * ready * seconds
                    weights[deployment][column][point] += max(ready * seconds, 1e-300)
                case .highest:
                    totals[deployment][column][point] = had ? max(current, value) : value
                    weights[deployment][column][point] = 1
                case .lowest:
                    totals[deployment][column][point] = had ? min(current, value) : value
                    weights[deployment][column][point] = 1
                }
            }
        }
    }

    /// One deployment's column, a value per point (nil where the deployment had no value).
    func perDeployment(_ name: String, _ column: String) -> [Double?] {
        guard let deployment = deployments.firstIndex(of: name), let index = names.firstIndex(of: column) else {
            return starts.map { _ in nil }
        }
        let averaged = [Merge.timeMean, .utilization].contains(Self.columns[column]!)
        return starts.indices.map { point in
            let weight = weights[deployment][index][point]
            guard weight > 0 else { return nil }
            let total = totals[deployment][index][point]
            return averaged ? total / weight : total
        }
    }

    /// The column summed over deployments, a value per point.
    func total(_ column: String) -> [Double?] {
        let all = deployments.map { perDeployment($0, column) }
        return starts.indices.map { point in all.reduce(0) { $0 + ($1[point] ?? 0) } }
    }

    /// The length of point `index`.
    func seconds(_ index: Int) -> Double {
        (index + 1 < starts.count ? starts[index + 1] : end) - starts[index]
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
