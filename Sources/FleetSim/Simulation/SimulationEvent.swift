/// Everything that can happen in a FleetSim run. A small enum payload: events are values in the kernel's heap.
///
/// Timers that may become stale (a batching window whose queue head has already left, a timeout for a request
/// already served) are not cancelled; their handlers re-check the state and re-arm, which keeps one pending timer per
/// deployment at most.
public enum SimulationEvent: Sendable {
    /// The next request of the traffic source arrives.
    case arrival
    /// The batching window of a deployment's oldest queued request may have run out.
    case batchWindowDue(deployment: Int32)
    /// A replica finished its batch.
    case batchCompleted(deployment: Int32, replica: Int32)
    /// The oldest queued request of a deployment may have waited past the client timeout.
    case queueTimeoutDue(deployment: Int32)
    /// The oldest request in one replica's own queue may have waited past the client timeout.
    case replicaQueueTimeoutDue(deployment: Int32, replica: Int32)
    /// A continuous-batching replica reaches a moment that matters: a prefill ends, a sequence finishes, or a
    /// step boundary at which waiting requests can join. Stale when `epoch` is no longer the replica's.
    case replicaDue(deployment: Int32, replica: Int32, epoch: UInt32)
    /// The provider announces it will take a spot instance back.
    case reclaimNotice(deployment: Int32, replica: Int32)
    /// A reclaimed instance's notice is over: it is gone.
    case replicaGone(deployment: Int32, replica: Int32)
    /// A new replica's instance is provisioned; its model starts loading.
    case replicaLoading(deployment: Int32, replica: Int32)
    /// A new replica has been provisioned and has loaded its model.
    case replicaReady(deployment: Int32, replica: Int32)
    /// A warm pool's replacement instance has initialised and stopped.
    case warmInstanceReady(deployment: Int32, pool: Int32)
    /// The metric pipeline scrapes a deployment.
    case metricsScrape(deployment: Int32)
    /// A deployment's autoscaler decides.
    case autoscalerSync(deployment: Int32)
    /// A pool's price series reaches its next step.
    case priceChange(deployment: Int32, pool: Int32, step: Int32)
    /// Instances could not be acquired earlier; the fleet tries again.
    case fleetRetry(deployment: Int32)
    /// A correlated reclaim hits one spot pool.
    case reclaimStorm(deployment: Int32, pool: Int32)
    /// The next step of a deployment's replayed spot capacity traces.
    case capacityChange(deployment: Int32, change: Int32)
}
