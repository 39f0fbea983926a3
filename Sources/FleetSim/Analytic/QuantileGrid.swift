import FleetSimKernel
import Foundation

/// A distribution as a few weighted points, dense in the tail: what the analytic engine records into the latency
/// histograms in place of individual requests.
///
/// The probability axis is cut into bands (0–50 %, 50–90 %, 90–99 %, 99–99.9 %, 99.9–99.99 %, the rest), each band
/// into equal slices, and each slice is represented by the quantile at its middle, with the slice's probability as
/// its weight. A p99 read from a mixture of such grids is then off by at most half a slice of the 99–99.9 % band
/// in probability, a small fraction of the sampling noise of a per-window p99 in the discrete-event engine.
struct QuantileGrid {
    var values: [Double]
    var weights: [Double]

    /// Slices per band, from the body to the extreme tail.
    static let bands: [(from: Double, to: Double, slices: Int)] = [
        (0, 0.5, 3), (0.5, 0.9, 4), (0.9, 0.99, 5), (0.99, 0.999, 5), (0.999, 0.9999, 3), (0.9999, 1, 2),
    ]

    /// The probabilities at the slices' middles, and the slices' widths: every grid's, computed once.
    static let probabilities: (points: [Double], weights: [Double]) = {
        var points: [Double] = []
        var weights: [Double] = []
        for band in bands {
            let width = (band.to - band.from) / Double(band.slices)
            for slice in 0..<band.slices {
                points.append(band.from + width * (Double(slice) + 0.5))
                weights.append(width)
            }
        }
        return (points, weights)
    }()

    /// The grid of an empirical distribution, from its values sorted ascending.
    init(sorted: [Double]) {
        let (points, weights) = Self.probabilities
        values = points.map { sorted[min(Int($0 * Double(sorted.count)), sorted.count - 1)] }
        self.weights = weights
    }

    /// A single value with all the weight.
    init(constant: Double) {
        values = [constant]
        weights = [1]
    }

    /// The wait of an M/G/c queue as the approximation gives it: 0 with probability 1 − `probabilityOfWait`, else
    /// `offset` plus an exponential wait of mean `meanWait`.
    static func wait(probabilityOfWait: Double, meanWait: Double, offset: Double) -> QuantileGrid {
        var grid = QuantileGrid(constant: offset)
        guard probabilityOfWait > 0, meanWait > 0, meanWait.isFinite else { return grid }
        let (points, weights) = probabilities
        grid.values = [offset]
        grid.weights = [1 - probabilityOfWait]
        for (point, weight) in zip(points, weights) {
            grid.values.append(offset - meanWait * log1p(-point))
            grid.weights.append(weight * probabilityOfWait)
        }
        return grid
    }

    var mean: Double { zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 } }

    /// The distribution of this plus `other` plus `shift` (independent), itself as a grid: every pair of points,
    /// sorted, read at the grid's probabilities. Keeps a sum of several terms at a few dozen points.
    func adding(_ other: QuantileGrid, shift: Double = 0) -> QuantileGrid {
        var pairs: [(value: Double, weight: Double)] = []
        pairs.reserveCapacity(values.count * other.values.count)
        for (a, wa) in zip(values, weights) where wa > 0 {
            for (b, wb) in zip(other.values, other.weights) where wb > 0 {
                pairs.append((a + b + shift, wa * wb))
            }
        }
        pairs.sort { $0.value < $1.value }
        let total = pairs.reduce(0) { $0 + $1.weight }
        let (points, sliceWeights) = Self.probabilities
        var grid = QuantileGrid(constant: 0)
        grid.values = []
        grid.weights = sliceWeights
        var index = 0
        var cumulative = pairs.first?.weight ?? 0
        for point in points {
            while cumulative < point * total, index < pairs.count - 1 {
                index += 1
                cumulative += pairs[index].weight
            }
            grid.values.append(pairs.isEmpty ? shift : pairs[index].value)
        }
        return grid
    }
}

/// Sorted draws of a distribution, the empirical stand-in the grids and means are read from.
enum EmpiricalSample {
    /// 65,536 draws: the 99.9th percentile has 65 draws beyond it, so its sampling error is a few per cent.
    static let size = 1 << 16

    static func sorted(_ draw: () -> Double) -> [Double] {
        (0..<size).map { _ in draw() }.sorted()
    }
}
