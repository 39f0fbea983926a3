/// A model that the kernel's run loop can drive: it owns its pending events and reacts to each one.
///
/// The kernel knows nothing about what an event means. Before each event the model is told that time has moved
/// (`advance(to:)`), so time-weighted statistics can be integrated exactly up to the instant of the event.
public protocol DiscreteEventModel: AnyObject {
    associatedtype Event

    /// The model's pending events and clock.
    var events: EventQueue<Event> { get set }

    /// Called with the time of the next event before it is handled, and once with the horizon at the end.
    func advance(to time: Double)

    /// Reacts to one event; the clock (`events.now`) already stands at its time.
    func handle(_ event: Event)

    /// Whether the model has stopped itself (a resource limit); the run loop then ends at the current event,
    /// without advancing to the horizon.
    var isStopped: Bool { get }
}

extension DiscreteEventModel {
    public var isStopped: Bool { false }
}

extension DiscreteEventModel {
    /// Runs events in time order up to and including `horizon`, then advances the model to the horizon; or, if the
    /// model stops itself, ends at the event that stopped it.
    ///
    /// `progress` is called with the simulated time every `progressInterval` events (for a progress bar); the
    /// model itself never reads the wall clock.
    @inlinable
    public func run(
        until horizon: Double,
        progressInterval: UInt64 = 1 << 16,
        progress: ((Double) -> Void)? = nil
    ) {
        var sinceProgress: UInt64 = 0
        while let next = events.popNext(notAfter: horizon) {
            advance(to: next.time)
            handle(next.event)
            if isStopped { return }
            if let progress {
                sinceProgress &+= 1
                if sinceProgress == progressInterval {
                    sinceProgress = 0
                    progress(next.time)
                }
            }
        }
        events.advanceClock(to: max(horizon, events.now))
        advance(to: events.now)
    }
}
