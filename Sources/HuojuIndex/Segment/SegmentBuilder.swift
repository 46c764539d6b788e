/// Inverts documents in memory and writes them out as one immutable segment.
///
/// Doc ids are local to the segment, assigned in insertion order. Every token occurrence is
/// appended to three flat arrays (term id, doc, position). An analyzer hands terms over as
/// integers and bytes (`FieldTerms`), never as Strings: a unigram's id is read from a table
/// indexed by field and code point, a bigram's from an open-addressing table keyed by the
/// packed pair, a word's by hashing its UTF-8 bytes. Writing groups occurrences by term with a
/// counting sort, which keeps their (doc, position) order.
public final class SegmentBuilder {
    /// Term id + 1 per (text field slot, BMP code point) of unigrams; 0 = not seen yet.
    private var unigramIDs = [UInt32](repeating: 0, count: Field.text.count << 16)
    private var gramIDs = GramIDs()
    private var wordIDs = WordIDs()
    private var termKeys: [TermKey] = []
    /// Per term: whether its positions are written. Only the terms phrases read them from keep
    /// them — bigrams, edges, Latin words and numbers; unigrams (a one-character query is a
    /// term), CJK words (ranking only) and keywords (zones) keep documents and frequencies.
    private var termKeepsPositions: [Bool] = []
    /// Per term: its field byte, and 1 for a unigram, 2 for a bigram, 0 otherwise. Edge
    /// detection reads them for every occurrence, where following each key's own array missed
    /// the cache.
    private var termFields: [UInt8] = []
    private var termGramClass: [UInt8] = []
    private var occurrenceTerms: [UInt32] = []
    /// The bigrams of the field being analyzed, by packed key, and its words (their UTF-8 in
    /// `pendingWordBytes`, each ending at `end`): see `resolvePending`.
    private var pendingBigrams: [(key: UInt64, position: Int32)] = []
    private var pendingWords: [(end: Int, position: Int32, keepsPositions: Bool)] = []
    private var pendingWordBytes: [UInt8] = []
    private var occurrenceDocs: [UInt32] = []
    private var occurrencePositions: [UInt32] = []
    private var stored = StoredFieldsWriter()
    private var lengths: [[UInt32]] = Array(repeating: [], count: Field.text.count)
    private var values: [[Int32]] = Array(repeating: [], count: FieldValues.Column.allCases.count)
    public private(set) var docCount: UInt32 = 0
    /// Bytes of original text added: what decides when a segment is big enough to flush.
    public private(set) var textBytes = 0

    public init() {}

    /// Receives the terms of one text field of the document being added.
    public struct FieldTerms {
        let builder: SegmentBuilder
        let field: Field
        let slot: Int

        public mutating func unigram(_ scalar: UInt32, at position: Int32) {
            builder.append(builder.unigramID(slot, field, scalar), at: position)
        }

        /// Held until the field ends, like words (`resolvePending`).
        public mutating func bigram(_ first: UInt32, _ second: UInt32, at position: Int32) {
            builder.pendingBigrams.append((SegmentBuilder.gramKey(field, first, second), position))
        }

        public mutating func word(_ utf8: UnsafeBufferPointer<UInt8>, at position: Int32) {
            builder.holdWord(utf8, at: position, keepsPositions: false)
        }

        /// A Latin word or number: a word term whose positions are kept, since phrases match it.
        public mutating func latin(_ utf8: UnsafeBufferPointer<UInt8>, at position: Int32) {
            builder.holdWord(utf8, at: position, keepsPositions: true)
        }
    }

    /// Adds one document. `analyze` is called for each non-empty text field, in field order,
    /// hands its terms (positions ascending per term) to the `FieldTerms` and returns the
    /// field's length in units. `zones` and `primaryZone` are folded, like every term.
    public func add(_ document: IndexDocument, zones: [(folded: String, mentions: Int)], primaryZone: String?,
                    analyze: (Field, inout FieldTerms) -> Int) {
        let doc = docCount
        docCount += 1
        for (slot, field) in Field.text.enumerated() {
            guard let text = document.text(of: field), !text.isEmpty else { lengths[slot].append(0); continue }
            var terms = FieldTerms(builder: self, field: field, slot: slot)
            lengths[slot].append(UInt32(analyze(field, &terms)))
            resolvePending(field)
            textBytes += text.utf8.count
        }
        // Keyword terms: term frequency = mentions (positions 0..<mentions carry no meaning).
        var zoneMentions: [String: Int] = [:]
        for zone in zones { zoneMentions[zone.folded, default: 0] += max(1, zone.mentions) }
        for (zone, mentions) in zoneMentions.sorted(by: { $0.key < $1.key }) {
            let term = keywordID(.zone, zone)
            for position in 0..<mentions {
                occurrenceTerms.append(term)
                occurrenceDocs.append(doc)
                occurrencePositions.append(UInt32(position))
            }
        }
        if let primaryZone {
            occurrenceTerms.append(keywordID(.primaryZone, primaryZone))
            occurrenceDocs.append(doc)
            occurrencePositions.append(0)
        }
        values[FieldValues.Column.year.rawValue].append(Int32(document.issueYear ?? 0))
        values[FieldValues.Column.number.rawValue].append(Int32(document.issueNumber ?? 0))
        values[FieldValues.Column.cumulative.rawValue].append(Int32(document.issueCumulative ?? 0))
        values[FieldValues.Column.date.rawValue].append(document.dateValue)
        stored.add(document)
    }

    @inline(__always)
    private func append(_ term: UInt32, at position: Int32) {
        occurrenceTerms.append(term)
        occurrenceDocs.append(docCount - 1)
        occurrencePositions.append(UInt32(position))
    }

    @inline(__always)
    private func unigramID(_ slot: Int, _ field: Field, _ scalar: UInt32) -> UInt32 {
        guard scalar < 0x1_0000 else { return gramID(field, scalar, nil) }
        let index = slot << 16 | Int(scalar)
        let known = unigramIDs[index]
        if known != 0 { return known - 1 }
        let id = gramID(field, scalar, nil)
        unigramIDs[index] = id + 1
        return id
    }

    private func holdWord(_ utf8: UnsafeBufferPointer<UInt8>, at position: Int32, keepsPositions: Bool) {
        pendingWordBytes.append(contentsOf: utf8)
        pendingWords.append((pendingWordBytes.count, position, keepsPositions))
    }

    /// Appends the field's bigrams and words, looked up in a row: with a million bigrams (and a
    /// hundred thousand words) the id tables miss the cache on most lookups, and a tight loop
    /// lets the processor overlap those misses where one lookup between two tokens waited for
    /// each (they took as long as ICU's word break). Each term's occurrences stay in position
    /// order; only term ids are numbered differently.
    private func resolvePending(_ field: Field) {
        for (key, position) in pendingBigrams { append(gramID(key), at: position) }
        pendingBigrams.removeAll(keepingCapacity: true)
        pendingWordBytes.withUnsafeBufferPointer { bytes in
            var start = 0
            for word in pendingWords {
                let id = wordID(field, .word, UnsafeBufferPointer(rebasing: bytes[start..<word.end]))
                if word.keepsPositions { termKeepsPositions[Int(id)] = true }
                append(id, at: word.position)
                start = word.end
            }
        }
        pendingWords.removeAll(keepingCapacity: true)
        pendingWordBytes.removeAll(keepingCapacity: true)
    }

    /// A gram is one or two scalars: packed with its field into one integer key (field, scalar
    /// count, then the scalars in 21 bits each).
    @inline(__always)
    static func gramKey(_ field: Field, _ first: UInt32, _ second: UInt32?) -> UInt64 {
        UInt64(field.rawValue) << 56 | UInt64(second == nil ? 1 : 2) << 48
            | UInt64(first) << (second == nil ? 0 : 21) | UInt64(second ?? 0)
    }

    private func gramID(_ field: Field, _ first: UInt32, _ second: UInt32?) -> UInt32 { gramID(Self.gramKey(field, first, second)) }

    private func gramID(_ key: UInt64) -> UInt32 {
        gramIDs.id(key) {
            let isBigram = key >> 48 & 0xFF == 2
            let scalars = isBigram ? [key >> 21 & 0x1F_FFFF, key & 0x1F_FFFF] : [key & 0x1F_FFFF]
            var text = String.UnicodeScalarView()
            for scalar in scalars { text.append(Unicode.Scalar(UInt32(scalar))!) }
            return newTerm(TermKey(Field(rawValue: UInt8(key >> 56))!, .gram, String(text)), keepsPositions: isBigram)
        }
    }

    private func wordID(_ field: Field, _ layer: TermLayer, _ utf8: UnsafeBufferPointer<UInt8>) -> UInt32 {
        wordIDs.id(field.rawValue, layer.rawValue, utf8) { newTerm(TermKey(bytes: [field.rawValue, layer.rawValue] + utf8), keepsPositions: false) }
    }

    private func keywordID(_ field: Field, _ text: String) -> UInt32 {
        var text = text
        return text.withUTF8 { wordID(field, .keyword, $0) }
    }

    private func newTerm(_ key: TermKey, keepsPositions: Bool) -> UInt32 {
        termKeys.append(key)
        termKeepsPositions.append(keepsPositions)
        termFields.append(key.bytes[0])
        let isGram = key.bytes.count > 2 && key.bytes[1] == TermLayer.gram.rawValue
        let scalars = isGram ? key.bytes[2...].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) } : 0
        termGramClass.append(UInt8(min(scalars, 2)))
        return UInt32(termKeys.count - 1)
    }

    /// Term ids in key order. Keys are compared by their first 8 bytes packed into an integer
    /// (field, layer and two CJK characters: all of a bigram) and in full only on a tie: the
    /// generic comparison of a million separately allocated arrays took a fifth of `write`.
    static func sortedOrder(_ keys: [TermKey]) -> [Int] {
        var packed = keys.indices.map { id -> (prefix: UInt64, id: Int) in
            let bytes = keys[id].bytes
            var prefix: UInt64 = 0
            for i in 0..<8 { prefix = prefix << 8 | UInt64(i < bytes.count ? bytes[i] : 0) }
            return (prefix, id)
        }
        packed.sort { $0.prefix != $1.prefix ? $0.prefix < $1.prefix : keys[$0.id] < keys[$1.id] }
        return packed.map(\.id)
    }

    /// What a text byte costs the builder, with a margin: the generated corpus has 0.68 tokens
    /// per byte, 12 bytes each held and 8 more while writing (14), plus terms and stored fields.
    public static let memoryPerTextByte = 20

    /// Bytes held, and needed by `write`, about: what the indexer's buffer setting bounds.
    public var memory: Int {
        occurrenceTerms.count * 20 + termKeys.count * 64 + wordIDs.memory + gramIDs.memory + unigramIDs.count * 4 + textBytes / 2
    }

    /// Writes the segment's files (each fsynced) and returns its manifest entry.
    func write(directory: String, id: String) throws(IndexError) -> SegmentInfo {
        appendEdgeOccurrences()
        // Counting sort of occurrences by term, stable, so each term's (doc, position)
        // pairs stay in insertion order: docs ascending, positions ascending within a doc.
        var starts = [Int](repeating: 0, count: termKeys.count + 1)
        for term in occurrenceTerms { starts[Int(term) + 1] += 1 }
        for i in 0..<termKeys.count { starts[i + 1] += starts[i] }
        var cursor = starts
        var docs = [UInt32](repeating: 0, count: occurrenceTerms.count)
        var positionsByTerm = [UInt32](repeating: 0, count: occurrenceTerms.count)
        for (i, term) in occurrenceTerms.enumerated() {
            let slot = cursor[Int(term)]
            docs[slot] = occurrenceDocs[i]
            positionsByTerm[slot] = occurrencePositions[i]
            cursor[Int(term)] += 1
        }
        let order = Self.sortedOrder(termKeys)
        var dictionary = TermDictionaryWriter()
        var postings = ByteWriter(capacity: occurrenceTerms.count)
        var positions = ByteWriter(capacity: occurrenceTerms.count)
        postings.writeUInt32(SegmentFiles.postingsMagic)
        positions.writeUInt32(SegmentFiles.positionsMagic)
        var collapsed = TermPostings()
        var zones = ZoneColumnsWriter()
        for term in order {
            let keepsPositions = termKeepsPositions[term]
            collapsed.removeAll()
            for slot in starts[term]..<starts[term + 1] {
                let doc = docs[slot]
                if collapsed.docs.last == doc { collapsed.freqs[collapsed.freqs.count - 1] += 1 } else {
                    collapsed.docs.append(doc)
                    collapsed.freqs.append(1)
                }
                if keepsPositions { collapsed.positions.append(positionsByTerm[slot]) }
            }
            let info = PostingsWriter.write(collapsed, keepsPositions: keepsPositions,
                                            lengths: termKeys[term].textFieldSlot.map { lengths[$0] },
                                            postings: &postings, positionsOut: &positions)
            dictionary.add(termKeys[term], info)
            zones.add(termKeys[term], collapsed)
        }
        Footer.append(to: &postings)
        Footer.append(to: &positions)
        return try SegmentFiles.write(directory: directory, id: id, docCount: Int(docCount), terms: dictionary.finish(),
                                      postings: postings.bytes, positions: positions.bytes, stored: stored.finish(),
                                      lengths: lengths, values: values, zones: zones.finish(docCount: Int(docCount)))
    }

    /// Adds an edge occurrence for every unigram that starts or ends its run of CJK
    /// characters: one with no bigram starting just before it, or none starting at it. The
    /// occurrences of one field of one document are contiguous (`add` writes them so), and a
    /// run's bigrams and unigrams are among them.
    private func appendEdgeOccurrences() {
        var edgeIDs = [UInt32: UInt32]()
        var bigramStarts: [UInt64] = []
        let count = occurrenceTerms.count
        var groupStart = 0
        while groupStart < count {
            let doc = occurrenceDocs[groupStart]
            let field = termFields[Int(occurrenceTerms[groupStart])]
            var groupEnd = groupStart
            var maxPosition: UInt32 = 0
            while groupEnd < count, occurrenceDocs[groupEnd] == doc, termFields[Int(occurrenceTerms[groupEnd])] == field {
                maxPosition = max(maxPosition, occurrencePositions[groupEnd])
                groupEnd += 1
            }
            let words = Int(maxPosition) / 64 + 2
            bigramStarts.removeAll(keepingCapacity: true)
            bigramStarts.append(contentsOf: repeatElement(0, count: words))
            for i in groupStart..<groupEnd where termGramClass[Int(occurrenceTerms[i])] == 2 {
                let position = Int(occurrencePositions[i])
                bigramStarts[position >> 6] |= 1 << UInt64(position & 63)
            }
            func joinedAt(_ position: Int) -> Bool { position >= 0 && bigramStarts[position >> 6] & (1 << UInt64(position & 63)) != 0 }
            for i in groupStart..<groupEnd where termGramClass[Int(occurrenceTerms[i])] == 1 {
                let position = Int(occurrencePositions[i])
                guard !joinedAt(position - 1) || !joinedAt(position) else { continue }
                let unigram = occurrenceTerms[i]
                let edge: UInt32
                if let known = edgeIDs[unigram] { edge = known } else {
                    var key = termKeys[Int(unigram)]
                    key.bytes[1] = TermLayer.edge.rawValue
                    edge = newTerm(key, keepsPositions: true)
                    edgeIDs[unigram] = edge
                }
                occurrenceTerms.append(edge)
                occurrenceDocs.append(doc)
                occurrencePositions.append(UInt32(position))
            }
            groupStart = groupEnd
        }
    }
}
