/// The files of one segment, all named `<segment id>.<extension>`.
enum SegmentFiles {
    enum Kind: String, CaseIterable {
        case terms = "tdi", postings = "doc", positions = "pos", stored = "sto", values = "len", zones = "zon"
    }

    static let postingsMagic: UInt32 = 0x434F_4A48   // "HJOC"
    static let positionsMagic: UInt32 = 0x534F_4A48  // "HJOS"
    static let valuesMagic: UInt32 = 0x4C46_4A48     // "HJFL"

    static func name(_ id: String, _ kind: Kind) -> String { "\(id).\(kind.rawValue)" }

    /// Writes a segment's files (each fsynced) and returns its manifest entry. `lengths` holds
    /// one column per text field, `values` one per `FieldValues.Column`, each `docCount` long.
    static func write(directory: String, id: String, docCount: Int, terms: [UInt8], postings: [UInt8], positions: [UInt8],
                      stored: [UInt8], lengths: [[UInt32]], values: [[Int32]], zones: [UInt8]) throws(IndexError) -> SegmentInfo {
        var fieldValues = ByteWriter(capacity: docCount * 40 + 64)
        fieldValues.writeUInt32(valuesMagic)
        fieldValues.writeUInt32(UInt32(docCount))
        for column in lengths { for length in column { fieldValues.writeUInt32(length) } }
        for column in values { for value in column { fieldValues.writeUInt32(UInt32(bitPattern: value)) } }
        Footer.append(to: &fieldValues)

        let contents: [(Kind, [UInt8])] = [
            (.terms, terms), (.postings, postings), (.positions, positions), (.stored, stored), (.values, fieldValues.bytes),
            (.zones, zones),
        ]
        var files: [String: Int] = [:]
        for (kind, bytes) in contents {
            let name = name(id, kind)
            try FileIO.writeDurably(bytes, to: directory + "/" + name)
            files[name] = bytes.count
        }
        let sums = lengths.map { $0.reduce(UInt64(0)) { $0 + UInt64($1) } }
        return SegmentInfo(id: id, docCount: docCount, fieldLengthSums: sums, files: files)
    }
}

/// Per-document numbers kept beside the postings (`.len`): the exact length of every text
/// field in units, and the issue values used by filters.
///
///     u32 magic "HJFL", u32 docCount
///     for each text field (title, body, section, source, byline): docCount × u32 length
///     for each column (year, number, cumulative, date yyyymmdd): docCount × i32
///     footer
@usableFromInline struct FieldValues {
    enum Column: Int, CaseIterable { case year = 0, number, cumulative, date }

    @usableFromInline let payload: UnsafeRawBufferPointer
    @usableFromInline let docCount: Int

    init(_ payload: UnsafeRawBufferPointer, file: String) throws(IndexError) {
        self.payload = payload
        var reader = ByteReader(payload, file: file)
        guard try reader.readUInt32() == SegmentFiles.valuesMagic else { throw .corrupt(file: file, "not a field-values file") }
        docCount = Int(try reader.readUInt32())
        guard payload.count == 8 + docCount * 4 * (Field.text.count + Column.allCases.count) else {
            throw .corrupt(file: file, "size does not match \(docCount) documents")
        }
    }

    /// 0 for a document beyond the segment (only a damaged posting list could name one, and
    /// its iterator reports that).
    @inlinable func length(_ field: Field, _ doc: UInt32) -> Int {
        guard Int(doc) < docCount else { return 0 }
        let slot = Int(field.rawValue)  // text fields are numbered 0..<Field.text.count
        return Int(UInt32(littleEndian: payload.loadUnaligned(fromByteOffset: 8 + (slot * docCount + Int(doc)) * 4, as: UInt32.self)))
    }

    func value(_ column: Column, _ doc: UInt32) -> Int32 {
        guard Int(doc) < docCount else { return 0 }
        let slot = Field.text.count + column.rawValue
        return Int32(littleEndian: payload.loadUnaligned(fromByteOffset: 8 + (slot * docCount + Int(doc)) * 4, as: Int32.self))
    }
}
