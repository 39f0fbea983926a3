import FleetSim
import Foundation

/// A problem in a trace file, located by line.
public struct TraceError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var line: Int?
    public var message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? ""): \(message)"
    }
}

/// Reads a trace one record at a time, so a trace of any length is read in constant memory.
///
/// Rows must be in time order: a row earlier than the one before it is an error naming its line (the recorded
/// traces FleetSim ships with are sorted, and a stream cannot be sorted without holding it whole).
public final class TraceReader {
    public let path: String
    public let format: TraceFormat
    private let lines: LineReader
    var lineNumber: Int { lines.lineNumber }
    private var csvColumns: (time: Int, prompt: Int, output: Int, className: Int?, count: Int) = (0, 1, 2, nil, 3)
    private var origin: Double?
    private var previousTime = -Double.infinity
    private var fieldBuffer: [Range<Int>] = []

    /// Opens `path`; the format is detected from the first line unless given.
    public init(path: String, format: TraceFormat? = nil) throws {
        self.path = path
        guard let lines = LineReader(path: path) else {
            throw TraceError(file: path, line: nil, message: FileManager.default.fileExists(atPath: path)
                ? "cannot be read" : "no such file")
        }
        self.lines = lines
        var first: String?
        repeat {
            first = lines.nextLine()
        } while first?.trimmingCharacters(in: .whitespaces).isEmpty == true
        guard let header = first else {
            throw TraceError(file: path, line: nil, message: "the file is empty; expected a header or a first record")
        }
        let detected = try format ?? Self.detect(header, path: path, line: lines.lineNumber)
        switch detected {
        case .azure:
            let names = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard names == ["TIMESTAMP", "ContextTokens", "GeneratedTokens"] else {
                throw TraceError(file: path, line: lines.lineNumber,
                                 message: "expected the header TIMESTAMP,ContextTokens,GeneratedTokens, found \"\(header)\"")
            }
        case .csv:
            csvColumns = try Self.csvColumns(header, path: path, line: lines.lineNumber)
        case .mooncake:
            // No header: the first line is a record, read again by `next()`.
            lines.restart()
        }
        self.format = detected
    }

    /// Goes back to the first record, keeping the time origin, for a looping replay.
    public func restart() {
        lines.restart()
        previousTime = -.infinity
        guard format != .mooncake else { return }
        // Skip the header (and any blank lines before it), as the initializer did.
        while let line = lines.nextBytes() {
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { break }
        }
    }

    /// Times are checked against this before any arithmetic on them: an Azure timestamp of year 9999 is 2.5e11 s,
    /// and every count derived from a time (minutes, windows) then fits an Int.
    static let maxTimeSeconds = 1e12

    /// The next record, or nil at the end of the file.
    public func next() throws -> TraceRecord? {
        while true {
            guard let line = lines.nextBytes() else { return nil }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            var record = try parse(line)
            let absolute = record.timeSeconds
            guard absolute <= Self.maxTimeSeconds else {
                throw fail("time \(absolute) s is beyond the latest a trace may hold (1e12 s since its clock's origin, "
                    + "about 31,700 years); check the column's unit")
            }
            if absolute < previousTime {
                throw fail("time goes backwards: this row is \(String(format: "%.6g", previousTime - absolute)) s earlier than the previous one; traces must be sorted by time")
            }
            previousTime = absolute
            let start = origin ?? absolute
            origin = start
            record.timeSeconds = absolute - start
            return record
        }
    }

    // MARK: Parsing

    /// Parses one line, reading numbers straight from its bytes (a trace can have tens of millions of rows).
    private func parse(_ line: UnsafeBufferPointer<UInt8>) throws -> TraceRecord {
        switch format {
        case .azure:
            let fields = split(line)
            guard fields.count == 3 else {
                throw fail("expected 3 fields (TIMESTAMP,ContextTokens,GeneratedTokens), found \(fields.count)")
            }
            guard let time = Self.azureTimestamp(Self.slice(line, fields[0])) else {
                throw fail("expected a timestamp like 2023-11-16 18:15:46.6805900, found \"\(Self.text(line, fields[0]))\"")
            }
            return TraceRecord(timeSeconds: time, promptTokens: try tokens(line, fields[1], "ContextTokens"),
                               outputTokens: try tokens(line, fields[2], "GeneratedTokens"), className: nil)
        case .mooncake:
            let text = String(decoding: line, as: UTF8.self)
            guard text.first == "{" else { throw fail("expected a JSON object, found \"\(text.prefix(40))\"") }
            guard let stamp = Self.jsonNumber(text, key: "timestamp") else { throw fail("missing or non-numeric \"timestamp\"") }
            guard let input = Self.jsonNumber(text, key: "input_length") else { throw fail("missing or non-numeric \"input_length\"") }
            guard let output = Self.jsonNumber(text, key: "output_length") else { throw fail("missing or non-numeric \"output_length\"") }
            guard stamp.isFinite, stamp >= 0 else { throw fail("expected a non-negative timestamp in milliseconds, found \(stamp)") }
            var blocks: [Int] = []
            if text.contains("\"hash_ids\"") {
                guard let hashes = Self.jsonIntegers(text, key: "hash_ids") else {
                    throw fail("\"hash_ids\": expected a list of integer block hashes like [0, 1, 2], found \""
                        + "\(text[text.range(of: "\"hash_ids\"")!.upperBound...].prefix(40))\"")
                }
                blocks = hashes
            }
            return TraceRecord(timeSeconds: stamp / 1000, promptTokens: try tokens(input, "input_length"),
                               outputTokens: try tokens(output, "output_length"), className: nil, prefixBlocks: blocks)
        case .csv:
            let fields = split(line)
            guard fields.count == csvColumns.count else {
                throw fail("expected \(csvColumns.count) fields as in the header, found \(fields.count)")
            }
            guard let time = Self.decimal(Self.slice(line, fields[csvColumns.time])), time >= 0 else {
                throw fail("time_s: expected a non-negative number of seconds, found \"\(Self.text(line, fields[csvColumns.time]))\"")
            }
            let className = csvColumns.className.map { Self.text(line, fields[$0]) }
            return TraceRecord(timeSeconds: time, promptTokens: try tokens(line, fields[csvColumns.prompt], "prompt_tokens"),
                               outputTokens: try tokens(line, fields[csvColumns.output], "output_tokens"),
                               className: className?.isEmpty == true ? nil : className)
        }
    }

    /// The byte ranges between commas, in a buffer reused from line to line (no allocation per row).
    private func split(_ line: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        fieldBuffer.removeAll(keepingCapacity: true)
        var start = 0
        for index in 0..<line.count where line[index] == 0x2C {
            fieldBuffer.append(start..<index)
            start = index + 1
        }
        fieldBuffer.append(start..<line.count)
        return fieldBuffer
    }

    /// A field without surrounding blanks.
    static func slice(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper && (line[lower] == 0x20 || line[lower] == 0x09) { lower += 1 }
        while upper > lower && (line[upper - 1] == 0x20 || line[upper - 1] == 0x09 || line[upper - 1] == 0x0D) { upper -= 1 }
        return UnsafeBufferPointer(rebasing: line[lower..<upper])
    }

    static func text(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: slice(line, range), as: UTF8.self)
    }

    /// A whole number of digits only, nil for anything else (signs, fractions, overflow).
    static func wholeNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 15 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// A finite decimal number (`12`, `3.25`, `1e-3`), nil for anything else.
    static func decimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        if let exact = plainDecimal(bytes) { return exact }
        guard !bytes.isEmpty, bytes.count < 64,
              bytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D || $0 == 0x2B || $0 == 0x65 || $0 == 0x45 })
        else { return nil }
        var copy = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &copy) { raw -> Double? in
            raw.copyBytes(from: UnsafeRawBufferPointer(bytes))
            let start = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(start, &end)
            guard let end, end - start == bytes.count, value.isFinite else { return nil }
            return value
        }
    }

    /// Powers of ten that a Double holds exactly.
    private static let exactPowersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }

    /// `digits[.digits]` with at most 15 significant digits, read without `strtod`: the digits form an integer below
    /// 2^53 and the power of ten is exact, so one division gives the correctly rounded value, the same Double
    /// `strtod` returns (Clinger's fast path). Nil for anything else, which takes the general path.
    static func plainDecimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var mantissa = 0
        var digits = 0
        var fractionDigits = 0
        var seenPoint = false
        for byte in bytes {
            if byte >= 0x30 && byte <= 0x39 {
                mantissa = mantissa &* 10 &+ Int(byte &- 0x30)
                digits += 1
                if seenPoint { fractionDigits += 1 }
            } else if byte == 0x2E && !seenPoint {
                seenPoint = true
            } else {
                return nil
            }
        }
        guard digits > 0, digits <= 15 else { return nil }
        return Double(mantissa) / exactPowersOfTen[fractionDigits]
    }

    private func tokens(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ column: String) throws -> Int {
        guard let value = Self.wholeNumber(Self.slice(line, range)) else {
            throw fail("\(column): expected a non-negative whole number of tokens, found \"\(Self.text(line, range))\"")
        }
        return value
    }

    private func tokens(_ value: Double, _ key: String) throws -> Int {
        guard value.isFinite, value >= 0, value == value.rounded(), value < 1e12 else {
            throw fail("\(key): expected a non-negative whole number of tokens, found \(value)")
        }
        return Int(value)
    }

    private func fail(_ message: String) -> TraceError {
        TraceError(file: path, line: lineNumber, message: message)
    }

    static func detect(_ header: String, path: String, line: Int) throws -> TraceFormat {
        if header.hasPrefix("TIMESTAMP,") { return .azure }
        if header.hasPrefix("{") { return .mooncake }
        if header.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == "time_s" }) { return .csv }
        throw TraceError(file: path, line: line, message: "cannot tell the trace format from \"\(header.prefix(60))\"; "
            + "expected an Azure header (TIMESTAMP,…), a Mooncake JSON line, or a CSV header with time_s,prompt_tokens,output_tokens")
    }

    static func csvColumns(_ header: String, path: String, line: Int) throws -> (time: Int, prompt: Int, output: Int, className: Int?, count: Int) {
        let names = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        func column(_ name: String) throws -> Int {
            guard let index = names.firstIndex(of: name) else {
                throw TraceError(file: path, line: line, message: "missing column \(name) (header: \(names.joined(separator: ",")))")
            }
            return index
        }
        return (try column("time_s"), try column("prompt_tokens"), try column("output_tokens"),
                names.firstIndex(of: "class"), names.count)
    }

    /// Seconds since 1970-01-01 of `YYYY-MM-DD HH:MM:SS[.fraction]`, read as UTC (the trace has no zone; only
    /// differences matter).
    static func azureTimestamp(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        // Fixed layout: 4-digit year, then two digits each, separated by "-", " ", ":".
        guard bytes.count >= 19, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x20, bytes[13] == 0x3A,
              bytes[16] == 0x3A,
              let year = wholeNumber(UnsafeBufferPointer(rebasing: bytes[0..<4])),
              let month = wholeNumber(UnsafeBufferPointer(rebasing: bytes[5..<7])),
              let day = wholeNumber(UnsafeBufferPointer(rebasing: bytes[8..<10])),
              let hour = wholeNumber(UnsafeBufferPointer(rebasing: bytes[11..<13])),
              let minute = wholeNumber(UnsafeBufferPointer(rebasing: bytes[14..<16])),
              let second = decimal(UnsafeBufferPointer(rebasing: bytes[17...])),
              (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute),
              second >= 0, second < 61
        else { return nil }
        return Double(daysFromCivil(year: year, month: month, day: day)) * 86_400
            + Double(hour * 3600 + minute * 60) + second
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The number after `"key":` in one JSON object line (the Mooncake rows are flat objects).
    /// The integers of a flat JSON list (`"key": [1, 2, 3]`); nil when the key is missing or the list is not one.
    static func jsonIntegers(_ line: String, key: String) -> [Int]? {
        guard let range = line.range(of: "\"\(key)\"") else { return nil }
        var rest = line[range.upperBound...].utf8.drop { $0 == 0x20 }
        guard rest.first == UInt8(ascii: ":") else { return nil }
        rest = rest.dropFirst().drop { $0 == 0x20 }
        guard rest.first == UInt8(ascii: "[") else { return nil }
        rest = rest.dropFirst()
        guard let close = rest.firstIndex(of: UInt8(ascii: "]")) else { return nil }
        let body = rest[..<close]
        if body.allSatisfy({ $0 == 0x20 }) { return [] }
        var values: [Int] = []
        for item in body.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            guard let value = Int(String(decoding: item, as: UTF8.self).trimmingCharacters(in: .whitespaces)) else {
                return nil
            }
            values.append(value)
        }
        return values
    }

    static func jsonNumber(_ line: String, key: String) -> Double? {
        guard let range = line.range(of: "\"\(key)\"") else { return nil }
        var rest = line[range.upperBound...].drop { $0 == " " }
        guard rest.first == ":" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " }
        let number = rest.prefix { $0.isNumber || "+-.eE".contains($0) }
        return Double(number)
    }
}
