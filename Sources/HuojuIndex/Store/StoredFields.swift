import CZlib

/// Layout of a `.sto` file (see docs/index-format.md):
///
///     header   u32 magic "HJST", u32 version
///     blocks   deflate-compressed runs of whole documents (about 8 KiB of raw text each)
///     index    per block: u64 offset, u32 compressed length, u32 raw length, u32 first doc;
///              then u32 block count
///     footer
///
/// A document is encoded as its fields in `IndexDocument` order: strings length-prefixed,
/// optionals behind a presence byte, integers as vints (+1, so 0 means absent).
enum StoredFieldsFormat {
    static let magic: UInt32 = 0x5453_4A48  // "HJST"
    static let version: UInt32 = 1
    /// Small blocks keep the cost of fetching one hit low (each hit inflates its whole block);
    /// 8 KiB costs a few points of compression against 32 KiB and saves most of the inflate time.
    static let blockTarget = 8 << 10
}

struct StoredFieldsWriter {
    private var writer = ByteWriter(capacity: 1 << 20)
    private var block = ByteWriter(capacity: StoredFieldsFormat.blockTarget * 2)
    private var blockFirstDoc: UInt32 = 0
    private var nextDoc: UInt32 = 0
    private var index: [(offset: UInt64, compressed: UInt32, raw: UInt32, firstDoc: UInt32)] = []

    init() {
        writer.writeUInt32(StoredFieldsFormat.magic)
        writer.writeUInt32(StoredFieldsFormat.version)
    }

    mutating func add(_ document: IndexDocument) {
        if block.count == 0 { blockFirstDoc = nextDoc }
        DocumentCodec.encode(document, into: &block)
        finishDocument()
    }

    /// Adds a document exactly as another segment stored it (a merge copies without decoding).
    mutating func add(encoded: UnsafeRawBufferPointer) {
        if block.count == 0 { blockFirstDoc = nextDoc }
        block.writeBytes(encoded)
        finishDocument()
    }

    private mutating func finishDocument() {
        nextDoc += 1
        if block.count >= StoredFieldsFormat.blockTarget { flushBlock() }
    }

    private mutating func flushBlock() {
        guard block.count > 0 else { return }
        var compressedLength = compressBound(uLong(block.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedLength))
        let status = block.bytes.withUnsafeBufferPointer { raw in
            compress2(&compressed, &compressedLength, raw.baseAddress, uLong(raw.count), 6)
        }
        precondition(status == Z_OK, "deflate failed with status \(status)")
        index.append((UInt64(writer.count), UInt32(compressedLength), UInt32(block.count), blockFirstDoc))
        writer.writeBytes(compressed[0..<Int(compressedLength)])
        block.removeAll()
    }

    consuming func finish() -> [UInt8] {
        flushBlock()
        for entry in index {
            writer.writeUInt64(entry.offset)
            writer.writeUInt32(entry.compressed)
            writer.writeUInt32(entry.raw)
            writer.writeUInt32(entry.firstDoc)
        }
        writer.writeUInt32(UInt32(index.count))
        Footer.append(to: &writer)
        return writer.bytes
    }
}

struct StoredFields {
    private let payload: UnsafeRawBufferPointer
    private let file: String
    private let blockCount: Int
    private let indexStart: Int
    private static let entrySize = 20

    init(_ payload: UnsafeRawBufferPointer, file: String) throws(IndexError) {
        self.payload = payload
        self.file = file
        var header = ByteReader(payload, file: file)
        guard try header.readUInt32() == StoredFieldsFormat.magic else { throw .corrupt(file: file, "not a stored-fields file") }
        guard try header.readUInt32() == StoredFieldsFormat.version else { throw .incompatible("stored fields \(file) have another format version") }
        var tail = ByteReader(payload, offset: payload.count - 4, file: file)
        blockCount = Int(try tail.readUInt32())
        indexStart = payload.count - 4 - blockCount * Self.entrySize
        guard indexStart >= 8 else { throw .corrupt(file: file, "block index out of range") }
    }

    private func entry(_ i: Int) throws(IndexError) -> (offset: Int, compressed: Int, raw: Int, firstDoc: UInt32) {
        var reader = ByteReader(payload, offset: indexStart + i * Self.entrySize, file: file)
        let offset = Int(clamping: try reader.readUInt64())
        let compressed = Int(try reader.readUInt32()), raw = Int(try reader.readUInt32())
        let firstDoc = try reader.readUInt32()
        guard offset >= 8, offset + compressed <= indexStart, raw < 1 << 30 else { throw .corrupt(file: file, "stored block out of range") }
        return (offset, compressed, raw, firstDoc)
    }

    /// Every document's encoded bytes, in doc id order, each block inflated once.
    func forEachEncoded(_ body: (UInt32, UnsafeRawBufferPointer) throws(IndexError) -> Void) throws(IndexError) {
        var doc: UInt32 = 0
        for index in 0..<blockCount {
            let block = try entry(index)
            guard block.firstDoc == doc else { throw .corrupt(file: file, "stored blocks out of order") }
            let raw = try inflate(block)
            let result: Result<Void, IndexError> = raw.withUnsafeBytes { bytes in
                Result { () throws(IndexError) in
                    var reader = ByteReader(bytes, file: file)
                    while !reader.isAtEnd {
                        let start = reader.offset
                        try DocumentCodec.skip(&reader)
                        try body(doc, UnsafeRawBufferPointer(rebasing: bytes[start..<reader.offset]))
                        doc += 1
                    }
                }
            }
            try result.get()
        }
    }

    private func inflate(_ block: (offset: Int, compressed: Int, raw: Int, firstDoc: UInt32)) throws(IndexError) -> [UInt8] {
        var raw = [UInt8](repeating: 0, count: block.raw)
        var rawLength = uLong(block.raw)
        let status = raw.withUnsafeMutableBufferPointer { out in
            uncompress(out.baseAddress, &rawLength, payload.baseAddress!.advanced(by: block.offset).assumingMemoryBound(to: UInt8.self), uLong(block.compressed))
        }
        guard status == Z_OK, Int(rawLength) == block.raw else { throw .corrupt(file: file, "stored block does not inflate") }
        return raw
    }

    func document(_ doc: UInt32) throws(IndexError) -> IndexDocument {
        // The last block whose first document is <= doc.
        var low = 0, high = blockCount - 1
        guard high >= 0 else { throw .corrupt(file: file, "no stored documents") }
        while low < high {
            let mid = (low + high + 1) / 2
            if try entry(mid).firstDoc <= doc { low = mid } else { high = mid - 1 }
        }
        let block = try entry(low)
        let raw = try inflate(block)
        let result: Result<IndexDocument, IndexError> = raw.withUnsafeBytes { bytes in
            var reader = ByteReader(bytes, file: file)
            var current = block.firstDoc
            do throws(IndexError) {
                // Step over the documents before the wanted one without building them.
                while current < doc {
                    try DocumentCodec.skip(&reader)
                    current += 1
                    if reader.isAtEnd { return .failure(.corrupt(file: file, "document \(doc) missing from its block")) }
                }
                return .success(try DocumentCodec.decode(&reader))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

enum DocumentCodec {
    static func encode(_ document: IndexDocument, into writer: inout ByteWriter) {
        writer.writeString(document.path)
        writer.writeVInt(document.ordinal)
        writer.writeString(document.title)
        for optional in [document.section, document.source, document.byline] { writeOptional(optional, &writer) }
        writer.writeString(document.body)
        for number in [document.issueYear, document.issueNumber, document.issueCumulative] { writer.writeVInt(number.map { $0 + 1 } ?? 0) }
        writeOptional(document.date, &writer)
        writer.writeVInt(document.zones.count)
        for zone in document.zones {
            writer.writeString(zone.zone)
            writer.writeVInt(zone.mentions)
        }
        writeOptional(document.primaryZone, &writer)
    }

    static func decode(_ reader: inout ByteReader) throws(IndexError) -> IndexDocument {
        let path = try reader.readString()
        let ordinal = try reader.readInt()
        let title = try reader.readString()
        let section = try readOptional(&reader), source = try readOptional(&reader), byline = try readOptional(&reader)
        let body = try reader.readString()
        let year = try readNumber(&reader), number = try readNumber(&reader), cumulative = try readNumber(&reader)
        let date = try readOptional(&reader)
        let zoneCount = try reader.readInt()
        var zones: [ZoneCount] = []
        for _ in 0..<min(zoneCount, 10_000) { zones.append(ZoneCount(zone: try reader.readString(), mentions: try reader.readInt())) }
        let primaryZone = try readOptional(&reader)
        return IndexDocument(path: path, ordinal: ordinal, title: title, section: section, source: source, byline: byline,
                             body: body, issueYear: year, issueNumber: number, issueCumulative: cumulative, date: date,
                             zones: zones, primaryZone: primaryZone)
    }

    /// Advances past one encoded document (same layout as `decode`).
    static func skip(_ reader: inout ByteReader) throws(IndexError) {
        func string() throws(IndexError) { _ = try reader.readBytes(try reader.readInt()) }
        func optional() throws(IndexError) { if try reader.readVInt() != 0 { try string() } }
        try string()                                    // path
        _ = try reader.readVInt()                       // ordinal
        try string()                                    // title
        for _ in 0..<3 { try optional() }               // section, source, byline
        try string()                                    // body
        for _ in 0..<3 { _ = try reader.readVInt() }    // year, number, cumulative
        try optional()                                  // date
        for _ in 0..<min(try reader.readInt(), 10_000) { try string(); _ = try reader.readVInt() }  // zones, mentions
        try optional()                                  // primary zone
    }

    private static func writeOptional(_ value: String?, _ writer: inout ByteWriter) {
        if let value { writer.writeVInt(1); writer.writeString(value) } else { writer.writeVInt(0) }
    }

    private static func readOptional(_ reader: inout ByteReader) throws(IndexError) -> String? {
        try reader.readVInt() == 0 ? nil : try reader.readString()
    }

    private static func readNumber(_ reader: inout ByteReader) throws(IndexError) -> Int? {
        let value = try reader.readInt()
        return value == 0 ? nil : value - 1
    }
}
