/// The seed of one independent random stream, derived from (scenario seed, source name, replication).
///
/// Every random source in a model (arrivals, token lengths, provisioning times, …) gets its own stream, so changing
/// one part of a scenario — a policy, a fleet — never shifts the numbers drawn by another: common random numbers.
///
/// The three inputs are mixed with FNV-1a (for the name) and SplitMix64 (Steele, Lea & Flood, "Fast splittable
/// pseudorandom number generators", OOPSLA 2014). GSL's generators take only 32 bits of seed and map 0 to a fixed
/// default, so the result is folded into a non-zero 32-bit value.
public struct StreamSeed: Hashable, Sendable, CustomStringConvertible {
    /// The 32-bit seed handed to GSL, never zero.
    public let value: UInt32

    public init(seed: UInt64, source: String, replication: Int = 0) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in source.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        var state = seed
        var mixed = Self.splitMix64(&state)
        state ^= hash
        mixed ^= Self.splitMix64(&state)
        state ^= UInt64(bitPattern: Int64(replication)) &* 0x9e37_79b9_7f4a_7c15
        mixed ^= Self.splitMix64(&state)
        let folded = UInt32(truncatingIfNeeded: mixed ^ (mixed >> 32))
        value = folded == 0 ? 0x9e37_79b9 : folded
    }

    public var description: String { String(value) }

    static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
