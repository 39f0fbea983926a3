/// The replicas taking work, by the requests each holds, in the order they became ready: which one holds the
/// fewest (ties to the earliest ready) in O(log n), where a scan of the candidates is O(n) per arrival.
///
/// A segment tree over ready positions: a leaf holds its replica's count (or `absent` once the replica leaves, and
/// for positions not yet used), an inner node the minimum of its children, so the leftmost minimum is found by
/// descending towards the smaller child, the left on ties. Positions are handed out in readiness order and never
/// reused, so the leftmost leaf is the first in `ReplicaFleet.active` order, as the routers' ties require.
struct LeastHeldIndex {
    private static let absent = Int32.max
    private var tree: [Int32]
    private var leaves: Int
    private var replicaAt: [Int32] = []
    /// The position of each replica, −1 while it takes no work.
    private var positionOf: [Int32] = []

    init() {
        leaves = 64
        tree = Array(repeating: Self.absent, count: 2 * leaves)
    }

    /// A replica begins taking work, holding `held` requests.
    mutating func insert(_ replica: Int, held: Int) {
        if positionOf.count <= replica {
            positionOf.append(contentsOf: repeatElement(-1, count: replica + 1 - positionOf.count))
        }
        if replicaAt.count == leaves { grow() }
        positionOf[replica] = Int32(replicaAt.count)
        replicaAt.append(Int32(replica))
        set(replicaAt.count - 1, Int32(held))
    }

    /// A replica stops taking work.
    mutating func remove(_ replica: Int) {
        guard replica < positionOf.count, positionOf[replica] >= 0 else { return }
        set(Int(positionOf[replica]), Self.absent)
        positionOf[replica] = -1
    }

    /// The requests a replica taking work holds changed.
    mutating func update(_ replica: Int, held: Int) {
        guard replica < positionOf.count, positionOf[replica] >= 0 else { return }
        set(Int(positionOf[replica]), Int32(held))
    }

    /// The earliest-ready replica holding the fewest requests, other than `excluded`; nil when none takes work.
    mutating func leastHeld(excluding excluded: Int? = nil) -> (replica: Int, held: Int)? {
        var hidden: (position: Int, held: Int32)?
        if let excluded, excluded < positionOf.count, positionOf[excluded] >= 0 {
            let position = Int(positionOf[excluded])
            hidden = (position, tree[leaves + position])
            set(position, Self.absent)
        }
        defer { if let hidden { set(hidden.position, hidden.held) } }
        guard tree[1] != Self.absent else { return nil }
        var node = 1
        while node < leaves {
            node = tree[2 * node] <= tree[2 * node + 1] ? 2 * node : 2 * node + 1
        }
        return (Int(replicaAt[node - leaves]), Int(tree[node]))
    }

    private mutating func set(_ position: Int, _ value: Int32) {
        var node = leaves + position
        tree[node] = value
        node /= 2
        while node >= 1 {
            tree[node] = min(tree[2 * node], tree[2 * node + 1])
            node /= 2
        }
    }

    /// Doubles the leaves, keeping every position's count.
    private mutating func grow() {
        let old = tree
        let oldLeaves = leaves
        leaves *= 2
        tree = Array(repeating: Self.absent, count: 2 * leaves)
        for position in 0..<oldLeaves { tree[leaves + position] = old[oldLeaves + position] }
        for node in stride(from: leaves - 1, through: 1, by: -1) {
            tree[node] = min(tree[2 * node], tree[2 * node + 1])
        }
    }
}
