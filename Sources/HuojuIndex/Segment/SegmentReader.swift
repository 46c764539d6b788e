/// One open segment: its files mapped and checksum-verified, ready to answer term lookups,
/// postings, field lengths and stored documents. Immutable and safe to share across threads.
public final class SegmentReader: @unchecked Sendable {
    public let info: SegmentInfo
    private let mapped: [MappedFile]
    private let terms: TermDictionary
    private let postings: UnsafeRawBufferPointer
    private let positions: UnsafeRawBufferPointer
    private let stored: StoredFields
    private let values: FieldValues
    private let postingsName: String

    public var docCount: Int { info.docCount }

    init(directory: String, info: SegmentInfo) throws(IndexError) {
        self.info = info
        var mapped: [MappedFile] = []
        var payloads: [SegmentFiles.Kind: UnsafeRawBufferPointer] = [:]
        for kind in SegmentFiles.Kind.allCases {
            let name = SegmentFiles.name(info.id, kind)
            let file = try MappedFile(path: directory + "/" + name, name: name)
            if let expected = info.files[name], expected != file.bytes.count {
                throw .corrupt(file: name, "size \(file.bytes.count) bytes, the manifest says \(expected)")
            }
            mapped.append(file)
            payloads[kind] = try Footer.verify(file.bytes, file: name)
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
        guard values.docCount == info.docCount else {
            throw .corrupt(file: SegmentFiles.name(info.id, .values), "holds \(values.docCount) documents, the manifest says \(info.docCount)")
        }
    }

    public func termInfo(_ term: TermKey) throws(IndexError) -> TermInfo? { try terms.lookup(term) }

    public func postings(_ info: TermInfo) throws(IndexError) -> PostingsIterator {
        try PostingsIterator(postings: postings, positions: positions, info: info, docLimit: UInt32(docCount), file: postingsName)
    }

    public func postings(_ term: TermKey) throws(IndexError) -> PostingsIterator? {
        guard let info = try termInfo(term) else { return nil }
        return try postings(info)
    }

    public func fieldLength(_ field: Field, _ doc: UInt32) -> Int { values.length(field, doc) }

    public func issueNumber(_ doc: UInt32) -> Int32 { values.value(.number, doc) }
    public func issueCumulative(_ doc: UInt32) -> Int32 { values.value(.cumulative, doc) }
    public func date(_ doc: UInt32) -> Int32 { values.value(.date, doc) }

    public func document(_ doc: UInt32) throws(IndexError) -> IndexDocument { try stored.document(doc) }

    /// Walks every term and its postings: the deep check behind `huojud verify`.
    public func verifyPostings() throws(IndexError) {
        try terms.forEach { _, info throws(IndexError) in
            var iterator = try postings(info)
            var count = 0
            while iterator.doc != PostingsIterator.end {
                guard iterator.doc < UInt32(docCount) else { throw .corrupt(file: postingsName, "document id beyond the segment") }
                _ = try iterator.positions()
                count += 1
                try iterator.next()
            }
            guard count == info.docFreq else { throw .corrupt(file: postingsName, "document frequency mismatch") }
        }
    }
}
