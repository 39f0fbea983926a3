import FleetSim

/// A trace file as the model's `TraceSource`. The model cannot handle I/O errors mid-run, so a bad line ends the
/// replay and is kept in `failure`, which the runner turns into an error (and an abandoned result folder).
public final class TraceFileSource: TraceSource {
    let reader: TraceReader
    public private(set) var failure: TraceError?

    public init(_ replay: TraceReplay) throws {
        reader = try TraceReader(path: replay.path, format: replay.format)
    }

    public func next() -> TraceRecord? {
        guard failure == nil else { return nil }
        do {
            return try reader.next()
        } catch let error as TraceError {
            failure = error
        } catch {
            failure = TraceError(file: reader.path, line: nil, message: "\(error)")
        }
        return nil
    }

    public func restart() {
        reader.restart()
    }
}
