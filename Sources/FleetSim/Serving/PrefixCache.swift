/// How a deployment uses the prompt prefixes that earlier requests left in a KV cache.
public enum PromptCaching: Sendable, Equatable {
    /// Each request's own cached prefix (from a trace's prefix blocks or its class's share); the default.
    case fromRequests
    /// A fixed share of every prompt, whatever the request carries.
    case share(Double)
    /// No prefix caching: every prompt token is prefilled, and billed at the full input price.
    case off
}

/// A fleet-wide cache of prompt prefixes in fixed-size token blocks, as in Mooncake's KVCache pool (Qin et al.,
/// FAST '25) and vLLM's automatic prefix caching: a block is reusable only when every block before it is too.
public struct PrefixCacheSpec: Sendable, Equatable {
    /// Tokens per block (Mooncake's trace hashes 512-token blocks).
    public var blockTokens: Int
    /// Tokens the cache holds, least recently used blocks out first; nil for a cache that never evicts (the trace's
    /// own reuse, an upper bound).
    public var capacityTokens: Int?

    public init(blockTokens: Int = 512, capacityTokens: Int? = nil) {
        self.blockTokens = blockTokens
        self.capacityTokens = capacityTokens
    }

    var capacityBlocks: Int? { capacityTokens.map { $0 / blockTokens } }
}

/// The cache's state: which block hashes it holds. Requests look it up in arrival order.
public struct PrefixCache {
    public let spec: PrefixCacheSpec
    /// Block hashes as dense keys 0, 1, 2… in order of first sight (hashes may be any integers).
    private var keyOfHash: [Int: Int32] = [:]
    private var lru: LRUKeys?
    /// Leading blocks found, over every lookup.
    public private(set) var cachedBlocks = 0

    public init(_ spec: PrefixCacheSpec) {
        self.spec = spec
        if let blocks = spec.capacityBlocks { lru = LRUKeys(keys: 0, capacity: blocks, ttlSeconds: nil) }
    }

    /// The number of leading blocks of `hashes` already cached; all of them are cached afterwards.
    ///
    /// The prefix found is in use while the rest is stored, so it is touched before the new blocks go in (they cannot
    /// evict it), and again after, so that a prompt's first block ends most recent and its last block least: the tail
    /// of a prefix is evicted before its head (as vLLM frees a sequence's blocks), and what remains is still a prefix.
    public mutating func lookUp(_ hashes: [Int]) -> Int {
        var leading = 0
        while leading < hashes.count, let key = keyOfHash[hashes[leading]], lru?.holds(key) ?? true { leading += 1 }
        cachedBlocks += leading
        guard lru != nil else {
            for hash in hashes[leading...] where keyOfHash[hash] == nil { keyOfHash[hash] = Int32(keyOfHash.count) }
            return leading
        }
        touch(hashes[..<leading])
        touch(hashes[leading...])
        touch(hashes[..<leading])
        return leading
    }

    /// Makes `hashes` the most recent blocks, the first of them most recent of all.
    private mutating func touch(_ hashes: ArraySlice<Int>) {
        for hash in hashes.reversed() {
            let key: Int32
            if let known = keyOfHash[hash] {
                key = known
            } else {
                key = Int32(keyOfHash.count)
                keyOfHash[hash] = key
                lru!.addKey()
            }
            _ = lru!.access(key, now: 0)
        }
    }

    /// The prompt tokens that `blocks` leading cached blocks cover (the last block of a prompt may be partial).
    public func tokens(ofBlocks blocks: Int, promptTokens: Int) -> Int {
        min(blocks * spec.blockTokens, promptTokens)
    }
}
