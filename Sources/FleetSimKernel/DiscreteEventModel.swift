/// A model that the kernel's run loop can drive: it owns an agenda of pending events and reacts to each one.
///
/// The kernel knows nothing about what an event means. Before each event the model is told that time has moved
/// (`advance(to:)`), so time-weighted statistics can be integrated exactly up to the instant of the event.
public protocol DiscreteEventModel: AnyObject {
    associatedtype Event

    /// The model's pending events and clock, shared by reference with the parts of the model that schedule.
    var agenda: Agenda<Event> { get }

    /// Called with the time of the next event before it is handled, and once with the horizon at the end.
    func advance(to time: Double)

    /// Reacts to one event; the clock (`agenda.now`) already stands at its time.
    func handle(_ event: Event)

    /// Whether the model has stopped itself (a resource limit); the run loop then ends at the current event,
    /// without advancing to the horizon.
    var isStopped: Bool { get }
}

extension DiscreteEventModel {
    public var isStopped: Bool { false }
}

/// The pending events of a run and its clock: an `EventQueue` held by reference, so that every part of a model can
/// schedule its own events while the run loop takes them, without passing the queue around.
public final class Agenda<Event> {
    public var queue = EventQueue<Event>()

    public init() {}

    /// The simulation clock: the time of the event being handled.
    @inlinable public var now: Double { queue.now }
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
        let agenda = self.agenda
        var sinceProgress: UInt64 = 0
        while let next = agenda.queue.popNext(notAfter: horizon) {
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
        agenda.queue.advanceClock(to: max(horizon, agenda.now))
        advance(to: agenda.now)
    }
}
