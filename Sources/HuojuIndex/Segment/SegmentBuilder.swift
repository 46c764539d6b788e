import HuojuText

/// Inverts documents in memory and writes them out as one immutable segment.
///
/// Doc ids are local to the segment, assigned in insertion order. Terms are keyed by a
/// `String` (field, layer, text) while building, because small Swift strings hash without
/// allocating; they are sorted by their UTF-8 bytes when written.
final class SegmentBuilder {
    private var terms: [String: PostingsBuilder] = [:]
    private var stored = StoredFieldsWriter()
    private var lengths: [[UInt32]] = Array(repeating: [], count: Field.text.count)
    private var values: [[Int32]] = Array(repeating: [], count: FieldValues.Column.allCases.count)
    private(set) var docCount: UInt32 = 0
    /// Bytes of original text added: what decides when a segment is big enough to flush.
    private(set) var textBytes = 0

    private static let prefixes: [Field: [String]] = Dictionary(uniqueKeysWithValues: Field.allCases.map { field in
        (field, [0, 1, 2].map { String(UnicodeScalar(field.rawValue)) + String(UnicodeScalar(UInt8($0))) })
    })

    /// Adds one document; `analyses` holds the analysis of each non-empty text field.
    func add(_ document: IndexDocument, analyses: [Field: Analysis]) {
        let doc = docCount
        docCount += 1
        for (slot, field) in Field.text.enumerated() {
            guard let analysis = analyses[field] else { lengths[slot].append(0); continue }
            lengths[slot].append(UInt32(analysis.length))
            textBytes += document.text(of: field)?.utf8.count ?? 0
            let prefixes = Self.prefixes[field]!
            for token in analysis.tokens {
                let key = prefixes[Int(token.kind.rawValue)] + token.text
                let builder: PostingsBuilder
                if let existing = terms[key] { builder = existing } else { builder = PostingsBuilder(); terms[key] = builder }
                builder.add(doc: doc, position: UInt32(token.position))
            }
        }
        let zonePrefix = Self.prefixes[.zone]![0]
        for (position, zone) in Set(document.zones.map { Folder.shared.fold($0).text }).sorted().enumerated() {
            let key = zonePrefix + zone
            let builder: PostingsBuilder
            if let existing = terms[key] { builder = existing } else { builder = PostingsBuilder(); terms[key] = builder }
            builder.add(doc: doc, position: UInt32(position))
        }
        values[FieldValues.Column.year.rawValue].append(Int32(document.issueYear ?? 0))
        values[FieldValues.Column.number.rawValue].append(Int32(document.issueNumber ?? 0))
        values[FieldValues.Column.cumulative.rawValue].append(Int32(document.issueCumulative ?? 0))
        values[FieldValues.Column.date.rawValue].append(document.dateValue)
        stored.add(document)
    }

    /// Writes the segment's files (each fsynced) and returns its manifest entry.
    func write(directory: String, id: String) throws(IndexError) -> SegmentInfo {
        var sorted = terms.map { (key: Array($0.key.utf8), postings: $0.value) }
        sorted.sort { $0.key.lexicographicallyPrecedes($1.key) }
        var dictionary = TermDictionaryWriter()
        var postings = ByteWriter(capacity: 1 << 20)
        var positions = ByteWriter(capacity: 1 << 20)
        postings.writeUInt32(SegmentFiles.postingsMagic)
        positions.writeUInt32(SegmentFiles.positionsMagic)
        for (key, builder) in sorted {
            dictionary.add(TermKey(bytes: key), builder.write(postings: &postings, positionsOut: &positions))
        }
        Footer.append(to: &postings)
        Footer.append(to: &positions)

        var fieldValues = ByteWriter(capacity: Int(docCount) * 40 + 64)
        fieldValues.writeUInt32(SegmentFiles.valuesMagic)
        fieldValues.writeUInt32(docCount)
        for column in lengths { for length in column { fieldValues.writeUInt32(length) } }
        for column in values { for value in column { fieldValues.writeUInt32(UInt32(bitPattern: value)) } }
        Footer.append(to: &fieldValues)

        let contents: [(SegmentFiles.Kind, [UInt8])] = [
            (.terms, dictionary.finish()), (.postings, postings.bytes), (.positions, positions.bytes),
            (.stored, stored.finish()), (.values, fieldValues.bytes),
        ]
        var files: [String: Int] = [:]
        for (kind, bytes) in contents {
            let name = SegmentFiles.name(id, kind)
            try FileIO.writeDurably(bytes, to: directory + "/" + name)
            files[name] = bytes.count
        }
        let sums = lengths.map { $0.reduce(UInt64(0)) { $0 + UInt64($1) } }
        return SegmentInfo(id: id, docCount: Int(docCount), fieldLengthSums: sums, files: files)
    }
}
