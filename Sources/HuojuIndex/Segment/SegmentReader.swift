/// The immutable part of an open segment: its five files mapped, their sizes, headers and
/// footers checked. Shared by every snapshot that holds the segment, so a new commit opens only
/// new segments.
///
/// Opening costs the same for any size of segment (as Lucene's does): the checksums that cover
/// every byte are verified by `verifyChecksums()` — before a merge reads a segment whole, in
/// `huojud verify` and when the daemon starts — not here. Readers bounds-check every value they
/// decode, so damage that opening cannot see gives an error, never a crash.
@usableFromInline final class SegmentCore: @unchecked Sendable {
    let id: String
    let files: [String: Int]
    private let mapped: [MappedFile]
    let terms: TermDictionary
    private let postings: UnsafeRawBufferPointer
    private let positions: UnsafeRawBufferPointer
    let stored: StoredFields
    @usableFromInline let values: FieldValues
    let zones: ZoneColumns
    let postingsName: String

    init(directory: String, info: SegmentInfo) throws(IndexError) {
        id = info.id
        files = info.files
        var mapped: [MappedFile] = []
        var payloads: [SegmentFiles.Kind: UnsafeRawBufferPointer] = [:]
        for kind in SegmentFiles.Kind.allCases {
            let name = SegmentFiles.name(info.id, kind)
            let file = try MappedFile(path: directory + "/" + name, name: name)
            if let expected = info.files[name], expected != file.bytes.count {
                throw .corrupt(file: name, "size \(file.bytes.count) bytes, the manifest says \(expected)")
            }
            mapped.append(file)
            payloads[kind] = try Footer.payload(file.bytes, file: name)
        }
        self.mapped = mapped
        postingsName = SegmentFiles.name(info.id, .postings)
        terms = try TermDictionary(payloads[.terms]!, file: SegmentFiles.name(info.id, .terms))
        postings = payloads[.postings]!
        positions = payloads[.positions]!
        var magic = ByteReader(postings, file: postingsName)
        guard try magic.readUInt32() == SegmentFiles.postingsMagic else { throw .corrupt(file: postingsName, "not a postings file") }
        var positionsMagic = ByteReader(positions, file: SegmentFiles.name(info.id, .positions))
        guard try positionsMagic.readUInt32() == SegmentFiles.positionsMagic else {
            throw .corrupt(file: SegmentFiles.name(info.id, .positions), "not a positions file")
        }
        stored = try StoredFields(payloads[.stored]!, file: SegmentFiles.name(info.id, .stored))
        values = try FieldValues(payloads[.values]!, file: SegmentFiles.name(info.id, .values))
        zones = try ZoneColumns(payloads[.zones]!, file: SegmentFiles.name(info.id, .zones))
        guard zones.docCount == info.docCount else {
            throw .corrupt(file: SegmentFiles.name(info.id, .zones), "holds \(zones.docCount) documents, the manifest says \(info.docCount)")
        }
        guard values.docCount == info.docCount else {
            throw .corrupt(file: SegmentFiles.name(info.id, .values), "holds \(values.docCount) documents, the manifest says \(info.docCount)")
        }
    }

    /// Checks every file's CRC-32 against its footer.
    func verifyChecksums() throws(IndexError) {
        for file in mapped { _ = try Footer.verify(file.bytes, file: file.name) }
    }

    func postings(_ info: TermInfo) throws(IndexError) -> PostingsIterator {
        try PostingsIterator(postings: postings, positions: positions, info: info, docLimit: UInt32(values.docCount), file: postingsName)
    }
}

/// One segment as a snapshot sees it: the shared, immutable core plus the deletes of the
/// snapshot's commit. Deleted documents stay in the postings; queries drop them with
/// `isDeleted` (see docs/index-format.md, "Deletes"). Immutable and safe to share across threads.
public final class SegmentReader: Sendable {
    public let info: SegmentInfo
    @usableFromInline let core: SegmentCore
    /// Nil when the segment has no deleted document at this commit.
    public let deletes: DeletedDocs?

    public var docCount: Int { info.docCount }

    /// Opens the segment, reusing `core` when it is this segment's (a newer commit of the same files).
    init(directory: String, info: SegmentInfo, reusing core: SegmentCore? = nil) throws(IndexError) {
        self.info = info
        if let core, core.id == info.id, core.files == info.files { self.core = core } else {
            self.core = try SegmentCore(directory: directory, info: info)
        }
        deletes = try info.deletes.map { deletes throws(IndexError) in try DeletedDocs.read(directory: directory, info: deletes, docCount: info.docCount) }
    }

    @inline(__always)
    public func isDeleted(_ doc: UInt32) -> Bool { deletes?.contains(doc) ?? false }
    public var hasDeletions: Bool { deletes != nil }

    public func termInfo(_ term: TermKey) throws(IndexError) -> TermInfo? { try core.terms.lookup(term) }

    public func postings(_ info: TermInfo) throws(IndexError) -> PostingsIterator { try core.postings(info) }

    public func postings(_ term: TermKey) throws(IndexError) -> PostingsIterator? {
        guard let info = try termInfo(term) else { return nil }
        return try postings(info)
    }

    /// The terms of a keyword field (`zone`, `primaryZone`): folded text and where the postings are.
    public func keywordTerms(_ field: Field) throws(IndexError) -> [(text: String, info: TermInfo)] {
        try core.terms.terms(withPrefix: TermKey.keyword(field, "").bytes).map { term, info in
            (String(decoding: term.bytes[2...], as: UTF8.self), info)
        }
    }

    /// Inlinable: scoring reads a length per present term of every document it scores.
    @inlinable public func fieldLength(_ field: Field, _ doc: UInt32) -> Int { core.values.length(field, doc) }

    /// The zones each document names and its primary zone.
    public var zones: ZoneColumns { core.zones }

    public func issueNumber(_ doc: UInt32) -> Int32 { core.values.value(.number, doc) }
    public func issueCumulative(_ doc: UInt32) -> Int32 { core.values.value(.cumulative, doc) }
    public func date(_ doc: UInt32) -> Int32 { core.values.value(.date, doc) }

    public func document(_ doc: UInt32) throws(IndexError) -> IndexDocument { try core.stored.document(doc) }

    /// Checks every file's checksum, then walks every term and its postings: the deep check
    /// behind `huojud verify`.
    public func verify() throws(IndexError) {
        try core.verifyChecksums()
        let docCount = UInt32(self.docCount)
        try core.terms.forEach { _, info throws(IndexError) in
            var iterator = try postings(info)
            var count = 0
            while iterator.doc != PostingsIterator.end {
                guard iterator.doc < docCount else { throw .corrupt(file: core.postingsName, "document id beyond the segment") }
                if info.keepsPositions { _ = try iterator.positions() }
                count += 1
                try iterator.next()
            }
            guard count == info.docFreq else { throw .corrupt(file: core.postingsName, "document frequency mismatch") }
        }
    }
}
