/// The tab-separated files users extend the built-in data with (`zones.tsv`, `places.tsv`):
/// a header line naming the columns, then one row per line; a BOM, blank lines and `#`
/// comments are allowed, CRLF and CR line ends too. Every problem names its file and line.
enum TSVRows {
    /// Calls `row` with the fields and line number of every row. `columns` are the header's
    /// names, of which rows and the header hold the first `counts`.
    static func read(_ text: String, file: String, columns: [String], counts: ClosedRange<Int>,
                     row: ([String], Int) throws(GazetteerError) -> Void) throws(GazetteerError) {
        var sawHeader = false
        // CRLF is one Character in Swift: `isNewline` splits at it, and at LF and CR alone.
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = index + 1
            var line = rawLine
            if index == 0, line.hasPrefix("\u{FEFF}") { line = line.dropFirst() }
            if line.allSatisfy(\.isWhitespace) || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if !sawHeader {
                guard counts.contains(fields.count), fields.elementsEqual(columns.prefix(fields.count)) else {
                    throw GazetteerError(file: file, line: number, "expected the header line '\(columns.joined(separator: "<TAB>"))'")
                }
                sawHeader = true
                continue
            }
            guard counts.contains(fields.count) else {
                throw GazetteerError(file: file, line: number,
                                     "expected \(counts.lowerBound) to \(counts.upperBound) tab-separated columns (\(columns.joined(separator: ", "))), found \(fields.count)")
            }
            try row(fields, number)
        }
        guard sawHeader else { throw GazetteerError(file: file, line: nil, "no header line '\(columns.joined(separator: "<TAB>"))'") }
    }
}
