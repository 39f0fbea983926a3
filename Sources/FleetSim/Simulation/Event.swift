import FleetSimKernel

/// An event of a run: the next request's arrival, or a timer that one part of one deployment set for itself.
///
/// Events are small values in the kernel's heap. The simulation hands a timer to its deployment, the deployment to
/// the part that set it; only that part knows what its `kind`, `slot` and `epoch` mean, so a part adds timers of its
/// own without touching anyone else's. Timers that may become stale (a batching window whose queue head has left, a
/// replica clock overtaken by a newer event) are not cancelled: their part re-checks its state, or compares `epoch`.
public struct Event: Sendable {
    /// The deployment the timer belongs to; -1 for an arrival.
    var deployment: Int32
    var part: Part
    /// The part's own kind of timer (its `TimerKind` raw value).
    var kind: UInt8
    /// Which replica, pool or step the timer is about.
    var slot: Int32
    /// For timers a newer one makes stale.
    var epoch: UInt32

    static let arrival = Event(deployment: -1, part: .traffic, kind: 0, slot: 0, epoch: 0)
}

/// The parts of a deployment that set timers; a deployment routes each of its events by this.
enum Part: UInt8, Sendable {
    case traffic, serving, fleet, billing, control
}

/// A part's own timers: an enum of raw `UInt8` values, and the part that handles them.
protocol TimerKind: RawRepresentable where RawValue == UInt8 {
    static var part: Part { get }
}

/// Where one part of one deployment sets its timers, without knowing any other part's.
struct Timers<Kind: TimerKind> {
    /// A `let`: calls through it borrow the reference rather than retain it.
    let agenda: Agenda<Event>
    let deployment: Int32

    var now: Double { agenda.now }

    func set(_ kind: Kind, slot: Int = 0, epoch: UInt32 = 0, at time: Double) {
        agenda.queue.schedule(
            Event(deployment: deployment, part: Kind.part, kind: kind.rawValue, slot: Int32(slot), epoch: epoch), at: time)
    }
}
