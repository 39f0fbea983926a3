import Foundation

/// A text file read one line at a time through C's `getline`, in constant memory whatever its length: traces of
/// tens of millions of rows, and a long run's `timeline.csv` when its report is made.
final class LineReader {
    let path: String
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0
    /// The 1-based number of the line read last.
    private(set) var lineNumber = 0

    /// Nil when the file cannot be opened.
    init?(path: String) {
        guard let file = fopen(path, "r") else { return nil }
        self.path = path
        self.file = file
    }

    deinit {
        fclose(file)
        free(buffer)
    }

    /// The next line without its line break, valid until the next read. The bytes are followed by a NUL, so C
    /// number parsers stop at the line's end.
    func nextBytes() -> UnsafeBufferPointer<UInt8>? {
        let length = getline(&buffer, &capacity, file)
        guard length >= 0, let buffer else { return nil }
        lineNumber += 1
        var end = length
        while end > 0 && (buffer[end - 1] == 0x0A || buffer[end - 1] == 0x0D) { end -= 1 }
        buffer[end] = 0
        return UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: end)
    }

    /// The next line as text.
    func nextLine() -> String? {
        nextBytes().map { String(decoding: $0, as: UTF8.self) }
    }

    /// Back to the first line.
    func restart() {
        rewind(file)
        lineNumber = 0
    }
}
