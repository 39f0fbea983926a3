import Foundation

/// Reads one numeric column of a CSV file with a header, for empirical distributions (token lengths, service times).
enum CSVColumn {
    /// The values of `column` in `path`. Errors name the CSV file and line, and the scenario key that referenced it.
    static func read(path: String, column: String, unit: DistributionDecoder.Unit, keyPath: String) throws -> [Double] {
        let file = try SmallCSVFile(path: path, keyPath: keyPath)
        guard let header = file.lines.first else { throw file.error(nil, "the file is empty; expected a header naming \(column)") }
        let names = header.fields
        guard let index = names.firstIndex(of: column) else {
            throw file.error(header.number, "no column '\(column)' in the header (\(names.joined(separator: ", ")))"
                + Suggestions.didYouMean(column, among: names))
        }
        var values: [Double] = []
        for line in file.lines.dropFirst() {
            guard line.fields.count == names.count else {
                throw file.error(line.number, "expected \(names.count) fields as in the header, found \(line.fields.count)")
            }
            let field = line.fields[index]
            guard let value = Quantities.number(field), value.isFinite, value >= 0 else {
                let what = unit == .count ? "a non-negative count" : "a non-negative number of seconds"
                throw file.error(line.number, "\(column): expected \(what), found \"\(field)\"")
            }
            values.append(value)
        }
        guard !values.isEmpty else { throw file.error(nil, "no rows after the header") }
        return values
    }
}
