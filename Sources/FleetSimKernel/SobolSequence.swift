import CGSL

/// GSL's Sobol quasi-random sequence (`gsl_qrng_sobol`): points that fill the unit cube evenly, for sweeps that
/// cannot afford a full grid. The sequence is fixed, so a sweep's points are the same on every machine.
public final class SobolSequence {
    /// GSL's Sobol generator supports up to 40 dimensions.
    public static let maxDimensions = 40

    private let generator: OpaquePointer
    public let dimensions: Int

    public init(dimensions: Int) {
        precondition((1...Self.maxDimensions).contains(dimensions), "Sobol dimensions must be 1…\(Self.maxDimensions)")
        GSL.configure()
        self.dimensions = dimensions
        generator = OpaquePointer(gsl_qrng_alloc(fleetsim_qrng_sobol(), UInt32(dimensions)))
    }

    deinit { gsl_qrng_free(UnsafeMutablePointer(generator)) }

    /// The next point, each coordinate in [0, 1).
    public func next() -> [Double] {
        var point = [Double](repeating: 0, count: dimensions)
        point.withUnsafeMutableBufferPointer { _ = gsl_qrng_get(UnsafeMutablePointer(generator), $0.baseAddress) }
        return point
    }
}
