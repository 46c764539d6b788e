import HuojuIndex
import HuojuProtocol
import HuojuText

struct MatchedDoc {
    var global: Int
    var segment: Int
    var local: UInt32
    var partial: Bool = false
}

/// One query evaluated over one snapshot: the matching documents, and what scoring needs.
final class Evaluation {
    enum Scoring { case phrasesAndWords, wordsOnly }

    let query: CompiledQuery
    let snapshot: IndexSnapshot
    private(set) var exact: [MatchedDoc] = []
    /// [atom][segment][field index in atom.fields]
    private var phraseMatches: [[[FieldMatches]]]
    /// The exact matches of each segment (read by the zone collectors in Collector/).
    private(set) var segmentMatches: [DocSet] = []
    private(set) var scoringTerms: [ScoringTerm] = []
    /// Average length per field, indexed by `Field.rawValue`.
    private var averageLengths = [Double](repeating: 0, count: Field.allCases.count)

    init(query: CompiledQuery, snapshot: IndexSnapshot) throws(IndexError) {
        self.query = query
        self.snapshot = snapshot
        phraseMatches = Array(repeating: [], count: query.atoms.count)
        for (index, atom) in query.atoms.enumerated() {
            for segment in snapshot.segments {
                var perField: [FieldMatches] = []
                for field in atom.fields { perField.append(try PhraseMatcher.match(atom.plan, field: field, in: segment)) }
                phraseMatches[index].append(perField)
            }
        }
        for (s, segment) in snapshot.segments.enumerated() {
            let matches = try evaluate(query.root, segment: s, reader: segment)
            segmentMatches.append(matches)
            for local in matches.docs {
                exact.append(MatchedDoc(global: snapshot.bases[s] + Int(local), segment: s, local: local))
            }
        }
        for field in Field.text { averageLengths[Int(field.rawValue)] = snapshot.averageLength(field) }
        scoringTerms = try buildScoringTerms()
    }

    private func evaluate(_ node: CompiledQuery.Node, segment s: Int, reader: SegmentReader) throws(IndexError) -> DocSet {
        switch node {
        case .atom(let index):
            var docs = DocSet.empty
            for matches in phraseMatches[index][s] { docs = docs.union(DocSet(docs: matches.docs)) }
            return docs
        case .keyword(let term):
            return try postingsDocs(term, in: reader)
        case .issue(let number):
            return DocSet(docs: (0..<UInt32(reader.docCount)).filter {
                reader.issueNumber($0) == Int32(number) || reader.issueCumulative($0) == Int32(number)
            })
        case .dateRange(let from, let to):
            return DocSet(docs: (0..<UInt32(reader.docCount)).filter {
                let date = reader.date($0)
                return date != 0 && from.map { date >= $0 } ?? true && to.map { date <= $0 } ?? true
            })
        case .and(let children):
            var result: DocSet?
            var excluded = DocSet.empty
            for child in children {
                if case .not(let inner) = child {
                    excluded = excluded.union(try evaluate(inner, segment: s, reader: reader))
                } else {
                    let docs = try evaluate(child, segment: s, reader: reader)
                    result = result.map { $0.intersection(docs) } ?? docs
                }
            }
            return (result ?? DocSet.all(reader.docCount)).subtracting(excluded)
        case .or(let children):
            var result = DocSet.empty
            for child in children { result = result.union(try evaluate(child, segment: s, reader: reader)) }
            return result
        case .not(let child):
            return DocSet.all(reader.docCount).subtracting(try evaluate(child, segment: s, reader: reader))
        }
    }

    private func postingsDocs(_ term: TermKey, in reader: SegmentReader) throws(IndexError) -> DocSet {
        DocSet(docs: try Self.decode(term, in: reader).docs)
    }

    /// Documents that miss the exact query but hold some of its words (two-character-plus
    /// CJK words or Latin words), still meeting the query's filters and exclusions.
    func partialMatches() throws(IndexError) -> [MatchedDoc] {
        var result: [MatchedDoc] = []
        for (s, reader) in snapshot.segments.enumerated() {
            var candidates = DocSet.empty
            for atom in query.atoms where atom.positive {
                for word in atom.plan.words {
                    for field in atom.fields { candidates = candidates.union(try postingsDocs(TermKey(field, .word, word), in: reader)) }
                }
            }
            guard !candidates.docs.isEmpty else { continue }
            for filter in query.filterConjuncts {
                if case .not(let inner) = filter {
                    candidates = candidates.subtracting(try evaluate(inner, segment: s, reader: reader))
                } else {
                    candidates = candidates.intersection(try evaluate(filter, segment: s, reader: reader))
                }
            }
            if case .and(let children) = query.root {
                for case .not(let inner) in children where inner.containsAtom {
                    candidates = candidates.subtracting(try evaluate(inner, segment: s, reader: reader))
                }
            }
            for local in candidates.subtracting(segmentMatches[s]).docs {
                result.append(MatchedDoc(global: snapshot.bases[s] + Int(local), segment: s, local: local, partial: true))
            }
        }
        return result
    }

    // MARK: Scoring

    /// One BM25 term of the query with its postings in every segment, decoded once.
    struct ScoringTerm {
        var kind: ExplainEntry.Kind
        var text: String
        var field: Field
        var boost: Double
        var idf: Double
        var docFreq: Int
        /// Per segment: documents (ascending) and the term frequency in each.
        var postings: [(docs: [UInt32], freqs: [Int])]
    }

    /// The query's BM25 terms: for every positive text part and field, the phrase itself
    /// (tf = occurrences, df = documents containing it) and its words.
    private func buildScoringTerms() throws(IndexError) -> [ScoringTerm] {
        var terms: [ScoringTerm] = []
        let docCount = snapshot.docCount
        for (index, atom) in query.atoms.enumerated() where atom.positive {
            for (f, field) in atom.fields.enumerated() {
                if !atom.plan.terms.isEmpty {
                    let postings = phraseMatches[index].map { ($0[f].docs, $0[f].counts) }
                    let docFreq = postings.reduce(0) { $0 + $1.0.count }
                    terms.append(ScoringTerm(kind: .phrase, text: atom.plan.text, field: field, boost: FieldBoost.of(field),
                                             idf: BM25.idf(docCount: docCount, docFreq: docFreq), docFreq: docFreq, postings: postings))
                }
                for word in atom.plan.words where !terms.contains(where: { $0.kind == .word && $0.text == word && $0.field == field }) {
                    let key = TermKey(field, .word, word)
                    var postings: [(docs: [UInt32], freqs: [Int])] = []
                    for segment in snapshot.segments { postings.append(try Self.decode(key, in: segment)) }
                    let docFreq = postings.reduce(0) { $0 + $1.docs.count }
                    terms.append(ScoringTerm(kind: .word, text: word, field: field, boost: FieldBoost.of(field),
                                             idf: BM25.idf(docCount: docCount, docFreq: docFreq), docFreq: docFreq, postings: postings))
                }
            }
        }
        return terms
    }

    /// A term's whole posting list in one segment: documents and term frequencies.
    private static func decode(_ term: TermKey, in segment: SegmentReader) throws(IndexError) -> (docs: [UInt32], freqs: [Int]) {
        var docs: [UInt32] = [], freqs: [Int] = []
        guard var iterator = try segment.postings(term) else { return ([], []) }
        docs.reserveCapacity(iterator.docFreq)
        freqs.reserveCapacity(iterator.docFreq)
        while iterator.doc != PostingsIterator.end {
            docs.append(iterator.doc)
            freqs.append(iterator.termFrequency)
            try iterator.next()
        }
        return (docs, freqs)
    }

    /// Scores many documents at once. `matches` must be ordered by (segment, local id): each
    /// term's postings are then walked once with a cursor instead of searched per document.
    func scores(_ matches: [MatchedDoc], scoring: Scoring) -> [Double] {
        let terms = scoringTerms.filter { scoring == .phrasesAndWords || $0.kind == .word }
        var result = [Double](repeating: 0, count: matches.count)
        var cursors = [Int](repeating: 0, count: terms.count)
        var segment = -1
        var postings: [(docs: [UInt32], freqs: [Int])] = []
        let averages = terms.map { averageLengths[Int($0.field.rawValue)] }
        for (i, match) in matches.enumerated() {
            if match.segment != segment {
                segment = match.segment
                postings = terms.map { $0.postings[segment] }
                for t in cursors.indices { cursors[t] = 0 }
            }
            let reader = snapshot.segments[segment]
            var total = 0.0
            for t in terms.indices {
                var cursor = cursors[t]
                postings[t].docs.withUnsafeBufferPointer { docs in
                    while cursor < docs.count, docs[cursor] < match.local { cursor += 1 }
                }
                cursors[t] = cursor
                guard cursor < postings[t].docs.count, postings[t].docs[cursor] == match.local else { continue }
                let norm = BM25.tfNorm(tf: postings[t].freqs[cursor], length: reader.fieldLength(terms[t].field, match.local),
                                       averageLength: averages[t])
                total += terms[t].boost * terms[t].idf * norm
            }
            result[i] = total
        }
        return result
    }

    /// The full breakdown of one document's score, for `--explain`.
    func explain(_ match: MatchedDoc, scoring: Scoring) -> ScoreBreakdown {
        var breakdown = ScoreBreakdown()
        let reader = snapshot.segments[match.segment]
        for term in scoringTerms where scoring == .phrasesAndWords || term.kind == .word {
            let postings = term.postings[match.segment]
            guard let index = postings.docs.binarySearch(match.local) else { continue }
            breakdown.add(term.kind, term.text, term.field, tf: postings.freqs[index], docFreq: term.docFreq,
                          docCount: snapshot.docCount, length: reader.fieldLength(term.field, match.local),
                          averageLength: averageLengths[Int(term.field.rawValue)], boost: term.boost)
        }
        return breakdown
    }
}

extension Array where Element == UInt32 {
    func binarySearch(_ value: UInt32) -> Int? {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low < count && self[low] == value ? low : nil
    }
}
