import HuojuText

/// Inverts documents in memory and writes them out as one immutable segment.
///
/// Doc ids are local to the segment, assigned in insertion order. Every token occurrence is
/// appended to three flat arrays (term id, doc, position); term ids come from a dictionary
/// keyed by an integer for grams (field, one or two scalars) and by the text for words, which
/// keeps the per-token cost to one cheap hash and three appends. Writing groups occurrences
/// by term with a counting sort, which keeps their (doc, position) order.
public final class SegmentBuilder {
    private var gramIDs: [UInt64: UInt32] = [:]
    private var wordIDs: [[String: UInt32]] = Array(repeating: [:], count: Field.allCases.count)
    private var termKeys: [TermKey] = []
    private var occurrenceTerms: [UInt32] = []
    private var occurrenceDocs: [UInt32] = []
    private var occurrencePositions: [UInt32] = []
    private var stored = StoredFieldsWriter()
    private var lengths: [[UInt32]] = Array(repeating: [], count: Field.text.count)
    private var values: [[Int32]] = Array(repeating: [], count: FieldValues.Column.allCases.count)
    public private(set) var docCount: UInt32 = 0
    /// Bytes of original text added: what decides when a segment is big enough to flush.
    public private(set) var textBytes = 0

    public init() {}

    /// Adds one document; `analyses` holds the analysis of each non-empty text field.
    public func add(_ document: IndexDocument, analyses: [Field: Analysis]) {
        let doc = docCount
        docCount += 1
        for (slot, field) in Field.text.enumerated() {
            guard let analysis = analyses[field] else { lengths[slot].append(0); continue }
            lengths[slot].append(UInt32(analysis.length))
            textBytes += document.text(of: field)?.utf8.count ?? 0
            for token in analysis.tokens {
                let term = token.kind == .gram ? gramID(field, token.text) : wordID(field, .word, token.text)
                occurrenceTerms.append(term)
                occurrenceDocs.append(doc)
                occurrencePositions.append(UInt32(token.position))
            }
        }
        // Keyword terms: term frequency = mentions (positions 0..<mentions carry no meaning).
        var zoneMentions: [String: Int] = [:]
        for zone in document.zones { zoneMentions[Folder.shared.fold(zone.zone).text, default: 0] += max(1, zone.mentions) }
        for (zone, mentions) in zoneMentions.sorted(by: { $0.key < $1.key }) {
            let term = wordID(.zone, nil, zone)
            for position in 0..<mentions {
                occurrenceTerms.append(term)
                occurrenceDocs.append(doc)
                occurrencePositions.append(UInt32(position))
            }
        }
        if let primary = document.primaryZone {
            occurrenceTerms.append(wordID(.primaryZone, nil, Folder.shared.fold(primary).text))
            occurrenceDocs.append(doc)
            occurrencePositions.append(0)
        }
        values[FieldValues.Column.year.rawValue].append(Int32(document.issueYear ?? 0))
        values[FieldValues.Column.number.rawValue].append(Int32(document.issueNumber ?? 0))
        values[FieldValues.Column.cumulative.rawValue].append(Int32(document.issueCumulative ?? 0))
        values[FieldValues.Column.date.rawValue].append(document.dateValue)
        stored.add(document)
    }

    /// A gram is one or two scalars: packed with its field into one integer key.
    private func gramID(_ field: Field, _ text: String) -> UInt32 {
        var key = UInt64(field.rawValue) << 56
        var count: UInt64 = 0
        for scalar in text.unicodeScalars {
            key |= UInt64(scalar.value) << (count == 0 ? 21 : 0)
            count += 1
        }
        key |= count << 48
        if let id = gramIDs[key] { return id }
        let id = UInt32(termKeys.count)
        termKeys.append(TermKey(field, .gram, text))
        gramIDs[key] = id
        return id
    }

    /// Words and keywords (kind nil) by text, per field.
    private func wordID(_ field: Field, _ kind: Token.Kind?, _ text: String) -> UInt32 {
        if let id = wordIDs[Int(field.rawValue)][text] { return id }
        let id = UInt32(termKeys.count)
        termKeys.append(kind.map { TermKey(field, $0, text) } ?? TermKey.keyword(field, text))
        wordIDs[Int(field.rawValue)][text] = id
        return id
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
        let order = termKeys.indices.sorted { termKeys[$0] < termKeys[$1] }
        var dictionary = TermDictionaryWriter()
        var postings = ByteWriter(capacity: occurrenceTerms.count)
        var positions = ByteWriter(capacity: occurrenceTerms.count)
        postings.writeUInt32(SegmentFiles.postingsMagic)
        positions.writeUInt32(SegmentFiles.positionsMagic)
        var collapsed = TermPostings()
        for term in order {
            let keepsPositions = Self.keepsPositions(termKeys[term])
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
        }
        Footer.append(to: &postings)
        Footer.append(to: &positions)
        return try SegmentFiles.write(directory: directory, id: id, docCount: Int(docCount), terms: dictionary.finish(),
                                      postings: postings.bytes, positions: positions.bytes, stored: stored.finish(),
                                      lengths: lengths, values: values)
    }

    /// Whether a term keeps positions: only the terms a phrase reads them from — CJK bigrams,
    /// edges, and Latin words or numbers. Unigrams (a one-character query is a term), CJK
    /// words (ranking only) and keywords (zones) keep documents and frequencies only.
    static func keepsPositions(_ term: TermKey) -> Bool {
        guard term.bytes.count > 2 else { return false }
        let text = String(decoding: term.bytes[2...], as: UTF8.self)
        switch term.bytes[1] {
        case Token.Kind.gram.rawValue: return text.unicodeScalars.count == 2
        case Token.Kind.word.rawValue: return !text.unicodeScalars.contains(where: ScalarClass.isCJK)
        case TermKey.edgeLayer: return true
        default: return false
        }
    }

    /// Adds an edge occurrence for every unigram that starts or ends its run of CJK
    /// characters: one with no bigram starting just before it, or none starting at it. The
    /// occurrences of one field of one document are contiguous (`add` writes them so), and a
    /// run's bigrams and unigrams are among them.
    private func appendEdgeOccurrences() {
        // Per term: 1 unigram, 2 bigram, 0 anything else.
        var gramClass = [UInt8](repeating: 0, count: termKeys.count)
        for (id, key) in termKeys.enumerated() where key.bytes.count > 2 && key.bytes[1] == Token.Kind.gram.rawValue {
            gramClass[id] = String(decoding: key.bytes[2...], as: UTF8.self).unicodeScalars.count == 1 ? 1 : 2
        }
        var edgeIDs = [UInt32: UInt32]()
        var bigramStarts: [UInt64] = []
        let count = occurrenceTerms.count
        var groupStart = 0
        while groupStart < count {
            let doc = occurrenceDocs[groupStart]
            let field = termKeys[Int(occurrenceTerms[groupStart])].bytes[0]
            var groupEnd = groupStart
            var maxPosition: UInt32 = 0
            while groupEnd < count, occurrenceDocs[groupEnd] == doc, termKeys[Int(occurrenceTerms[groupEnd])].bytes[0] == field {
                maxPosition = max(maxPosition, occurrencePositions[groupEnd])
                groupEnd += 1
            }
            let words = Int(maxPosition) / 64 + 2
            bigramStarts.removeAll(keepingCapacity: true)
            bigramStarts.append(contentsOf: repeatElement(0, count: words))
            for i in groupStart..<groupEnd where gramClass[Int(occurrenceTerms[i])] == 2 {
                let position = Int(occurrencePositions[i])
                bigramStarts[position >> 6] |= 1 << UInt64(position & 63)
            }
            func joinedAt(_ position: Int) -> Bool { position >= 0 && bigramStarts[position >> 6] & (1 << UInt64(position & 63)) != 0 }
            for i in groupStart..<groupEnd where gramClass[Int(occurrenceTerms[i])] == 1 {
                let position = Int(occurrencePositions[i])
                guard !joinedAt(position - 1) || !joinedAt(position) else { continue }
                let unigram = occurrenceTerms[i]
                let edge: UInt32
                if let known = edgeIDs[unigram] { edge = known } else {
                    var key = termKeys[Int(unigram)]
                    key.bytes[1] = TermKey.edgeLayer
                    edge = UInt32(termKeys.count)
                    termKeys.append(key)
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
