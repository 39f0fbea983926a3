import CGSL

/// One independent stream of random numbers: a GSL Mersenne Twister (MT19937) seeded from a `StreamSeed`.
///
/// A class because it owns a C generator that must be freed exactly once; a stream is never shared between two
/// random sources.
public final class RandomStream {
    @usableFromInline let generator: UnsafeMutablePointer<gsl_rng>

    public init(_ seed: StreamSeed) {
        GSL.configure()
        guard let generator = gsl_rng_alloc(fleetsim_rng_mt19937()) else {
            fatalError("GSL could not allocate a random number generator (out of memory)")
        }
        gsl_rng_set(generator, UInt(seed.value))
        self.generator = generator
    }

    /// A stream for `source` in `replication` of a scenario seeded with `seed`.
    public convenience init(seed: UInt64, source: String, replication: Int = 0) {
        self.init(StreamSeed(seed: seed, source: source, replication: replication))
    }

    deinit { gsl_rng_free(generator) }

    /// A uniform draw in [0, 1).
    @inlinable
    public func uniform() -> Double { gsl_rng_uniform(generator) }

    /// A uniform draw in (0, 1), for transforms that take a logarithm.
    @inlinable
    public func uniformPositive() -> Double { gsl_rng_uniform_pos(generator) }

    /// A uniform integer in 0..<bound (bound > 0).
    @inlinable
    public func index(below bound: Int) -> Int {
        Int(gsl_rng_uniform_int(generator, UInt(bound)))
    }

    /// An exponential draw with mean 1.
    @inlinable
    public func unitExponential() -> Double { gsl_ran_exponential(generator, 1) }

    /// A gamma draw with shape k and scale θ (Marsaglia–Tsang in GSL).
    @inlinable
    public func gamma(shape: Double, scale: Double) -> Double { gsl_ran_gamma(generator, shape, scale) }

    /// A Poisson count with the given mean.
    @inlinable
    public func poisson(mean: Double) -> Int { mean > 0 ? Int(gsl_ran_poisson(generator, mean)) : 0 }
}

/// Process-wide GSL set-up.
enum GSL {
    /// GSL's default error handler aborts the process; FleetSim validates every parameter before a run instead.
    private static let configured: Void = { gsl_set_error_handler_off(); return () }()

    static func configure() { _ = configured }
}
