import Foundation

/// Reads one numeric column of a CSV file with a header, for empirical distributions (token lengths, service times).
enum CSVColumn {
    /// The values of `column` in `path`. Errors name the CSV file and line, and the scenario key that referenced it.
    static func read(path: String, column: String, unit: DistributionDecoder.Unit, keyPath: String) throws -> [Double] {
        func fail(_ line: Int?, _ message: String) -> ScenarioError {
            ScenarioError(file: path, line: line, keyPath: keyPath, message: message)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw fail(nil, FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().lazy
            .map { (number: $0.offset + 1, text: $0.element.trimmingCharacters(in: .whitespacesAndNewlines)) }
            .filter { !$0.text.isEmpty }
            .makeIterator()
        guard let header = lines.next() else { throw fail(nil, "the file is empty; expected a header naming \(column)") }
        let names = header.text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard let index = names.firstIndex(of: column) else {
            var message = "no column '\(column)' in the header (\(names.joined(separator: ", ")))"
            if let suggestion = Suggestions.nearest(to: column, among: names) { message += "; did you mean '\(suggestion)'?" }
            throw fail(header.number, message)
        }
        var values: [Double] = []
        while let line = lines.next() {
            let fields = line.text.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == names.count else {
                throw fail(line.number, "expected \(names.count) fields as in the header, found \(fields.count)")
            }
            let field = fields[index].trimmingCharacters(in: .whitespaces)
            guard let value = Quantities.number(field), value.isFinite, value >= 0 else {
                let what = unit == .count ? "a non-negative count" : "a non-negative number of seconds"
                throw fail(line.number, "\(column): expected \(what), found \"\(field)\"")
            }
            values.append(value)
        }
        guard !values.isEmpty else { throw fail(nil, "no rows after the header") }
        return values
    }
}
