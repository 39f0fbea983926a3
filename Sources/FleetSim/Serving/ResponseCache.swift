import FleetSimKernel
import Foundation

/// A response cache in front of a deployment: exact (the same request) or semantic (a similar one, found through an
/// embedding). Its hit probability is given directly, or emerges from a popularity model.
public struct CacheSpec: Sendable, Equatable {
    public enum Match: String, Sendable, CaseIterable {
        case exact, semantic
    }

    public enum Hits: Sendable, Equatable {
        /// Each lookup hits with this probability, independently.
        case probability(Double)
        /// Requests ask for one of `keys` answers with Zipf popularity (`P(k) ∝ k^-exponent`, independent reference
        /// model); the cache holds `capacity` of them, least recently used out first, each for at most `ttlSeconds`.
        case popularity(Popularity)
    }

    public struct Popularity: Sendable, Equatable {
        public var keys: Int
        public var exponent: Double
        public var capacity: Int
        public var ttlSeconds: Double?

        public init(keys: Int, exponent: Double, capacity: Int, ttlSeconds: Double? = nil) {
            self.keys = keys
            self.exponent = exponent
            self.capacity = capacity
            self.ttlSeconds = ttlSeconds
        }

        /// Che's approximation of the LRU hit rate (Che, Tung and Wang, IEEE JSAC 20(7), 2002): the characteristic
        /// time T solves Σ(1 − e^(−p_k T)) = capacity, and the hit rate is Σ p_k (1 − e^(−p_k T)). Nil with a TTL,
        /// where the rate of requests would also matter, and beyond a million keys (it would take seconds).
        public var cheHitRate: Double? {
            guard ttlSeconds == nil, keys <= 1_000_000 else { return nil }
            guard capacity < keys else { return 1 }
            let p = CacheSpec.zipfProbabilities(keys: keys, exponent: exponent)
            func occupancy(_ t: Double) -> Double { p.reduce(0) { $0 + (1 - exp(-$1 * t)) } }
            var low = 0.0
            var high = 1.0
            while occupancy(high) < Double(capacity) { high *= 2 }
            for _ in 0..<60 {
                let mid = (low + high) / 2
                if occupancy(mid) < Double(capacity) { low = mid } else { high = mid }
            }
            let t = (low + high) / 2
            return p.reduce(0) { $0 + $1 * (1 - exp(-$1 * t)) }
        }
    }

    public var match: Match
    public var hits: Hits
    /// The lookup's latency, paid by hits (their whole answer) and misses (before they reach the deployment).
    public var lookupSeconds: Double
    /// USD per lookup (an embedding call for a semantic cache).
    public var lookupCost: Double

    public init(match: Match = .exact, hits: Hits, lookupSeconds: Double = 0, lookupCost: Double = 0) {
        self.match = match
        self.hits = hits
        self.lookupSeconds = lookupSeconds
        self.lookupCost = lookupCost
    }

    /// Zipf probabilities of keys 1…n, normalised.
    static func zipfProbabilities(keys: Int, exponent: Double) -> [Double] {
        let weights = (1...keys).map { pow(Double($0), -exponent) }
        let sum = weights.reduce(0, +)
        return weights.map { $0 / sum }
    }
}

/// A cache's state during a run: for a popularity model, which keys it holds, in recency order.
final class ResponseCache {
    let spec: CacheSpec
    private let stream: RandomStream
    private var lru: LRUKeys?
    /// Cumulative popularity of keys 0…n−1, searched with a uniform draw (inverse transform).
    private let cumulative: [Double]

    init(spec: CacheSpec, stream: RandomStream) {
        self.spec = spec
        self.stream = stream
        if case .popularity(let popularity) = spec.hits {
            var running = 0.0
            cumulative = CacheSpec.zipfProbabilities(keys: popularity.keys, exponent: popularity.exponent).map {
                running += $0
                return running
            }
            lru = LRUKeys(keys: popularity.keys, capacity: popularity.capacity, ttlSeconds: popularity.ttlSeconds)
        } else {
            cumulative = []
        }
    }

    /// Looks up one request at `now`: whether the cache answers it. A miss is stored (the answer the deployment gives
    /// is cached; stored at the lookup, as the independent reference model assumes).
    func lookup(now: Double) -> Bool {
        switch spec.hits {
        case .probability(let p):
            return stream.uniform() < p
        case .popularity:
            let u = stream.uniform()
            var low = 0
            var high = cumulative.count - 1
            while low < high {
                let mid = (low + high) / 2
                if cumulative[mid] > u { high = mid } else { low = mid + 1 }
            }
            return lru!.access(Int32(low), now: now)
        }
    }
}

/// Keys 0…n−1 in a cache of fixed capacity, least recently used evicted first, each entry valid for a TTL after it
/// was stored. A doubly linked list over slots, with a slot index per key: O(1) per access.
struct LRUKeys {
    private var slotOfKey: [Int32]
    private var keyOfSlot: [Int32] = []
    private var previous: [Int32] = []
    private var next: [Int32] = []
    private var storedAt: [Double] = []
    private var head: Int32 = -1
    private var tail: Int32 = -1
    let capacity: Int
    let ttlSeconds: Double?

    init(keys: Int, capacity: Int, ttlSeconds: Double?) {
        slotOfKey = [Int32](repeating: -1, count: keys)
        self.capacity = capacity
        self.ttlSeconds = ttlSeconds
    }

    /// Whether `key` is held (its freshness aside).
    func holds(_ key: Int32) -> Bool {
        slotOfKey[Int(key)] >= 0
    }

    /// Makes room for one more key (numbered after the others), not yet held.
    mutating func addKey() {
        slotOfKey.append(-1)
    }

    /// Whether `key` is held and fresh; either way it is the most recent afterwards (stored anew when it was not).
    mutating func access(_ key: Int32, now: Double) -> Bool {
        let slot = slotOfKey[Int(key)]
        if slot >= 0 {
            moveToFront(slot)
            if let ttlSeconds, now - storedAt[Int(slot)] >= ttlSeconds {
                storedAt[Int(slot)] = now
                return false
            }
            return true
        }
        guard capacity > 0 else { return false }
        let stored: Int32
        if keyOfSlot.count < capacity {
            stored = Int32(keyOfSlot.count)
            keyOfSlot.append(key)
            previous.append(-1)
            next.append(-1)
            storedAt.append(now)
        } else {
            stored = tail
            unlink(stored)
            slotOfKey[Int(keyOfSlot[Int(stored)])] = -1
            keyOfSlot[Int(stored)] = key
            storedAt[Int(stored)] = now
        }
        slotOfKey[Int(key)] = stored
        pushFront(stored)
        return false
    }

    private mutating func moveToFront(_ slot: Int32) {
        guard slot != head else { return }
        unlink(slot)
        pushFront(slot)
    }

    private mutating func unlink(_ slot: Int32) {
        let before = previous[Int(slot)]
        let after = next[Int(slot)]
        if before >= 0 { next[Int(before)] = after } else { head = after }
        if after >= 0 { previous[Int(after)] = before } else { tail = before }
        previous[Int(slot)] = -1
        next[Int(slot)] = -1
    }

    private mutating func pushFront(_ slot: Int32) {
        next[Int(slot)] = head
        previous[Int(slot)] = -1
        if head >= 0 { previous[Int(head)] = slot }
        head = slot
        if tail < 0 { tail = slot }
    }
}
