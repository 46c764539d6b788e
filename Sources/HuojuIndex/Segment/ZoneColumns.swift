/// Per document, the zones it names (with mentions) and its primary zone (`.zon`): the `zone`
/// and `primaryZone` postings turned around once, when the segment is written, so zone
/// facets and zone rankings read a few integers per matching document and no snapshot has
/// to rebuild them from postings.
///
///     u32 magic "HJZN", u32 docCount, u32 zoneCount, u32 entryCount
///     zoneCount × (vint length, UTF-8 name)        folded names, in term (byte) order
///     (docCount + 1) × u32 start                    doc d's entries: start[d]..<start[d + 1]
///     entryCount × (u32 zone, u32 mentions)         per document, zones in name order
///     docCount × i32 primary zone, or −1
///     footer
public struct ZoneColumns {
    static let magic: UInt32 = 0x4E5A_4A48  // "HJZN"

    // Inlinable reads: facets call them for every zone of every match, from another module.
    @usableFromInline let payload: UnsafeRawBufferPointer
    let file: String
    public let docCount: Int
    public let zoneCount: Int
    private let namesOffset: Int
    @usableFromInline let startsOffset: Int
    @usableFromInline let entriesOffset: Int
    @usableFromInline let primaryOffset: Int
    @usableFromInline let entryCount: Int

    init(_ payload: UnsafeRawBufferPointer, file: String) throws(IndexError) {
        self.payload = payload
        self.file = file
        var reader = ByteReader(payload, file: file)
        guard try reader.readUInt32() == Self.magic else { throw .corrupt(file: file, "not a zone-columns file") }
        docCount = Int(try reader.readUInt32())
        zoneCount = Int(try reader.readUInt32())
        let entryCount = Int(try reader.readUInt32())
        namesOffset = reader.offset
        for _ in 0..<zoneCount { _ = try reader.readBytes(try reader.readInt()) }
        startsOffset = reader.offset
        entriesOffset = startsOffset + (docCount + 1) * 4
        primaryOffset = entriesOffset + entryCount * 8
        guard primaryOffset + docCount * 4 == payload.count else { throw .corrupt(file: file, "size does not match \(docCount) documents") }
        self.entryCount = entryCount
    }

    @inlinable @inline(__always)
    func load(_ offset: Int) -> UInt32 { UInt32(littleEndian: payload.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }

    /// The zones' folded names; a zone id indexes them.
    public func names() -> [String] {
        var reader = ByteReader(payload, offset: namesOffset, file: file)
        var names: [String] = []
        names.reserveCapacity(zoneCount)
        for _ in 0..<zoneCount {
            // Read once when the file was opened: cannot fail here.
            guard let length = try? reader.readInt(), let bytes = try? reader.readBytes(length) else { break }
            names.append(String(decoding: bytes, as: UTF8.self))
        }
        return names
    }

    /// Calls `visit(zone, mentions)` for every zone `doc` names, in name order. Opening reads
    /// nothing per document (the footer's checksum, checked by `verify`, covers the contents),
    /// so every read is checked here instead: damage skips entries, never reads out of bounds.
    @inlinable @inline(__always)
    public func forEachZone(of doc: UInt32, _ visit: (Int, Int) -> Void) {
        guard Int(doc) < docCount else { return }
        let start = Int(load(startsOffset + Int(doc) * 4)), end = Int(load(startsOffset + Int(doc) * 4 + 4))
        guard start <= end, end <= entryCount else { return }
        for e in start..<end {
            let zone = Int(load(entriesOffset + e * 8))
            if zone < zoneCount { visit(zone, Int(load(entriesOffset + e * 8 + 4))) }
        }
    }

    /// `doc`'s primary zone, or −1.
    @inlinable @inline(__always)
    public func primary(_ doc: UInt32) -> Int {
        guard Int(doc) < docCount else { return -1 }
        let zone = Int(Int32(bitPattern: load(primaryOffset + Int(doc) * 4)))
        return zone < zoneCount ? max(-1, zone) : -1
    }
}

/// Collects the zone terms' postings as a segment's terms are written (in term order) and
/// encodes them as `ZoneColumns`. The builder and the merger feed it the same way.
struct ZoneColumnsWriter {
    private var names: [String] = []
    private var ids: [String: Int] = [:]
    /// (doc, zone, mentions) of every zone term's postings.
    private var docs: [UInt32] = []
    private var zones: [UInt32] = []
    private var mentions: [UInt32] = []
    private var primaries: [(zone: String, docs: [UInt32])] = []

    private mutating func id(_ name: String) -> Int {
        if let id = ids[name] { return id }
        ids[name] = names.count
        names.append(name)
        return names.count - 1
    }

    /// Takes note of `term`'s postings when it is a zone or primary-zone term.
    mutating func add(_ term: TermKey, _ postings: TermPostings) {
        guard let first = term.bytes.first, first == Field.zone.rawValue || first == Field.primaryZone.rawValue,
              term.bytes.count >= 2, term.bytes[1] == TermLayer.keyword.rawValue else { return }
        let name = String(decoding: term.bytes[2...], as: UTF8.self)
        if first == Field.primaryZone.rawValue {
            primaries.append((name, postings.docs))
            return
        }
        let zone = UInt32(id(name))
        docs += postings.docs
        zones += repeatElement(zone, count: postings.docs.count)
        mentions += postings.freqs
    }

    /// The file's bytes for a segment of `docCount` documents.
    mutating func finish(docCount: Int) -> [UInt8] {
        var primary = [Int32](repeating: -1, count: docCount)
        for (zone, docs) in primaries {
            let zone = Int32(id(zone))
            for doc in docs where Int(doc) < docCount { primary[Int(doc)] = zone }
        }
        // Counting sort by document; zones arrive in name order, and stay so per document.
        var starts = [UInt32](repeating: 0, count: docCount + 1)
        for doc in docs { starts[Int(doc) + 1] += 1 }
        for d in 0..<docCount { starts[d + 1] += starts[d] }
        var cursor = starts
        var entries = [UInt32](repeating: 0, count: docs.count * 2)
        for (i, doc) in docs.enumerated() {
            let slot = Int(cursor[Int(doc)])
            entries[slot * 2] = zones[i]
            entries[slot * 2 + 1] = mentions[i]
            cursor[Int(doc)] += 1
        }
        var writer = ByteWriter(capacity: 16 + names.count * 16 + (docCount * 2 + docs.count * 2) * 4 + 16)
        writer.writeUInt32(ZoneColumns.magic)
        writer.writeUInt32(UInt32(docCount))
        writer.writeUInt32(UInt32(names.count))
        writer.writeUInt32(UInt32(docs.count))
        for name in names {
            writer.writeVInt(name.utf8.count)
            writer.writeBytes(name.utf8)
        }
        for start in starts { writer.writeUInt32(start) }
        for value in entries { writer.writeUInt32(value) }
        for zone in primary { writer.writeUInt32(UInt32(bitPattern: zone)) }
        Footer.append(to: &writer)
        return writer.bytes
    }
}
