import Foundation

/// A one-line progress bar with an ETA on stderr, shown only when stderr is a terminal and the run has already
/// taken a second (short runs print nothing).
final class ProgressBar {
    private let total: Double
    private let enabled: Bool
    private let started = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0
    private var drawn = false

    init(total: Double, enabled: Bool) {
        self.total = total
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
    }

    func update(_ simulated: Double) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let elapsed = Double(now - started) / 1e9
        guard elapsed >= 1, now - lastDraw >= 100_000_000 else { return }
        lastDraw = now
        let fraction = min(max(simulated / total, 0), 1)
        let width = 30
        let filled = Int(fraction * Double(width))
        let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = String(format: "\r%@ %3.0f%%  ETA %.0fs ", bar, fraction * 100, eta)
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    func finish() {
        guard drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// A one-line status on stderr for work whose total is not known ahead (a sizing search): what is running, how
/// many simulations have finished, and the time taken; shown only on a terminal, after the first second.
final class StatusLine: @unchecked Sendable {
    private let lock = NSLock()
    private let enabled: Bool
    private let started = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0
    private var drawn = false

    init(enabled: Bool) {
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
    }

    func update(runs: Int, doing: String) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now().uptimeNanoseconds
        let elapsed = Double(now - started) / 1e9
        guard elapsed >= 1, now - lastDraw >= 100_000_000 else { return }
        lastDraw = now
        let line = String(format: "\r\u{1B}[K%d simulations, %.0fs · %@", runs, elapsed, doing)
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        guard drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
