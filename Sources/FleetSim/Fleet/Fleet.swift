/// The fleet: a deployment's replicas, one per instance, and where each is in its life — requested, provisioning,
/// loading its model, ready, draining, gone — with the live count of every pool.
///
/// Replica indices are never reused, so a timer of a replica that is gone is recognised and ignored. The parts that
/// make replicas come and go live beside this table: `Startup` (how long a new one takes), `WarmPools`, `Reclaims`
/// and `Placement`; the deployment moves replicas through their states (ReplicaDeployment+Lifecycle.swift).
final class ReplicaFleet {
    enum State {
        /// Provisioning and loading the model; billed, not serving.
        case starting
        /// Serving and taking new work.
        case ready
        /// Reclaim notice received, or removed by scale-in: finishing what it has, taking nothing new.
        case draining
        /// Terminated.
        case gone
    }

    /// One replica's life.
    struct Record {
        /// The pool its instance belongs to.
        var pool: Int
        var state: State
        /// When the instance was requested (billing starts).
        var requestedAt = 0.0
        /// Whether its model is loading (provisioning is over, or it starts warm), and since when: the replica's
        /// pod is Running from then. Replicas present at time 0 started long before (−∞).
        var loading = false
        var loadingSince: Double?
        var loadSeconds = 0.0
        var readySince = 0.0
        /// Draining because of a scale-in (it ends when idle) rather than a reclaim notice (it ends with the notice).
        var drainingForScaleIn = false
    }

    let pools: [PoolSpec]
    private(set) var records: [Record]
    /// Replicas that take new work, in the order they became ready.
    private(set) var active: [Int]
    /// Replicas provisioning or loading, in the order they were requested.
    private(set) var starting: [Int] = []
    private(set) var draining = 0
    /// Instances starting or ready per pool: what pool bounds and the autoscaler count (decisions.md #37).
    private(set) var live: [Int]

    init(pools: [PoolSpec]) {
        self.pools = pools
        records = pools.enumerated().flatMap { pool, spec in
            (0..<spec.count).map { _ in Record(pool: pool, state: .ready, loadingSince: -.infinity) }
        }
        active = Array(records.indices)
        live = pools.map(\.count)
    }

    /// Replicas that hold the model and finish their work: ready or draining.
    var serving: Int { active.count + draining }

    subscript(replica: Int) -> Record { records[replica] }

    /// A new replica in `pool`, starting now; returns its index.
    func add(inPool pool: Int, at now: Double) -> Int {
        records.append(Record(pool: pool, state: .starting, requestedAt: now))
        live[pool] += 1
        starting.append(records.count - 1)
        return records.count - 1
    }

    func setLoading(_ replica: Int, at now: Double, loadSeconds: Double? = nil) {
        records[replica].loading = true
        records[replica].loadingSince = now
        if let loadSeconds { records[replica].loadSeconds = loadSeconds }
    }

    func setLoadSeconds(_ replica: Int, _ seconds: Double) {
        records[replica].loadSeconds = seconds
    }

    func becomeReady(_ replica: Int, at now: Double) {
        records[replica].state = .ready
        records[replica].readySince = now
        starting.removeAll { $0 == replica }
        active.append(replica)
    }

    /// Takes a ready replica out of rotation: it finishes what it holds and takes nothing new.
    func beginDraining(_ replica: Int, forScaleIn: Bool) {
        records[replica].state = .draining
        if forScaleIn { records[replica].drainingForScaleIn = true }
        active.removeAll { $0 == replica }
        draining += 1
        live[records[replica].pool] -= 1
    }

    /// A draining replica has ended.
    func remove(_ replica: Int) {
        records[replica].state = .gone
        draining -= 1
    }

    /// A replica given up before it served.
    func cancel(_ replica: Int) {
        records[replica].state = .gone
        starting.removeAll { $0 == replica }
        live[records[replica].pool] -= 1
    }

    /// Live instances of the managed pools (those an autoscaler changes), and of the others.
    func liveInstances(managed: Bool) -> Int {
        pools.indices.filter { pools[$0].isManaged == managed }.reduce(0) { $0 + live[$1] }
    }
}
