import HuojuIndex
import HuojuText

/// What the index must contain for one text part of a query, derived from its analysis.
///
/// Matching uses the gram layer: a run of n ≥ 2 CJK characters needs the bigrams at offsets
/// 0, 2, 4, … plus the last one, which pin down every character at consecutive positions; a
/// lone CJK character needs its unigram; a Latin word or number needs its word term. Because
/// positions only advance by one between directly adjacent units, a match is exactly an
/// occurrence of the folded query text (gaps: any run of space or punctuation counts as one).
///
/// Ranking additionally uses `words`: the ICU words of two or more CJK characters and the Latin
/// words — never single characters, which are too common to carry meaning alone.
struct PhrasePlan: Sendable {
    struct Term: Sendable, Equatable {
        var kind: Token.Kind
        var text: String
        var offset: Int32
    }

    let text: String
    let terms: [Term]
    let words: [String]
    /// Units and gaps of the query, for highlighting (`nil` = gap).
    let units: [String?]

    init(text: String, analyzer: Analyzer) {
        self.text = text
        let analysis = analyzer.analyze(text)
        units = analysis.units.map { $0.map { String($0.text) } }
        var terms: [Term] = []
        var words: [String] = []
        var position = 0
        while position < analysis.units.count {
            guard let unit = analysis.units[position] else { position += 1; continue }
            if !unit.isCJK {
                terms.append(Term(kind: .word, text: String(unit.text), offset: Int32(position)))
                position += 1
                continue
            }
            var end = position
            while end < analysis.units.count, analysis.units[end]?.isCJK == true { end += 1 }
            let run = analysis.units[position..<end].map { String($0!.text) }
            if run.count == 1 {
                terms.append(Term(kind: .gram, text: run[0], offset: Int32(position)))
            } else {
                var starts = Array(stride(from: 0, to: run.count - 1, by: 2))
                if starts.last != run.count - 2 { starts.append(run.count - 2) }
                for start in starts {
                    terms.append(Term(kind: .gram, text: run[start] + run[start + 1], offset: Int32(position + start)))
                }
            }
            position = end
        }
        for token in analysis.tokens where token.kind == .word && !words.contains(token.text) {
            words.append(token.text)
        }
        // Rebase offsets so the first term is at 0.
        let base = terms.first?.offset ?? 0
        self.terms = terms.map { Term(kind: $0.kind, text: $0.text, offset: $0.offset - base) }
        self.words = words
    }
}

/// Occurrences of a phrase in one field of one segment: matching docs (ascending) and the
/// number of occurrences in each.
struct FieldMatches {
    var docs: [UInt32] = []
    var counts: [Int] = []
}

enum PhraseMatcher {
    /// Finds every document of `segment` whose `field` contains the phrase.
    static func match(_ plan: PhrasePlan, field: Field, in segment: SegmentReader) throws(IndexError) -> FieldMatches {
        var iterators: [(iterator: PostingsIterator, offset: Int32)] = []
        for term in plan.terms {
            guard let iterator = try segment.postings(TermKey(field, term.kind, term.text)) else { return FieldMatches() }
            iterators.append((iterator, term.offset))
        }
        guard !iterators.isEmpty else { return FieldMatches() }
        // Lead with the rarest term.
        iterators.sort { $0.iterator.docFreq < $1.iterator.docFreq }
        var result = FieldMatches()
        var target = iterators[0].iterator.doc
        outer: while target != PostingsIterator.end {
            for i in iterators.indices {
                let doc = try iterators[i].iterator.advance(to: target)
                if doc == PostingsIterator.end { break outer }
                if doc > target { target = doc; continue outer }
            }
            let count = try occurrences(&iterators)
            if count > 0 {
                result.docs.append(target)
                result.counts.append(count)
            }
            target = try iterators[0].iterator.next()
        }
        return result
    }

    /// All iterators stand on the same document: count the start positions where every term
    /// sits at its offset.
    private static func occurrences(_ iterators: inout [(iterator: PostingsIterator, offset: Int32)]) throws(IndexError) -> Int {
        if iterators.count == 1 { return iterators[0].iterator.termFrequency }
        var starts = try iterators[0].iterator.positions().compactMap { position -> Int64? in
            let start = Int64(position) - Int64(iterators[0].offset)
            return start >= 0 ? start : nil
        }
        for i in 1..<iterators.count where !starts.isEmpty {
            let positions = try iterators[i].iterator.positions()
            let offset = Int64(iterators[i].offset)
            var j = 0
            starts = starts.filter { start in
                let wanted = start + offset
                while j < positions.count, Int64(positions[j]) < wanted { j += 1 }
                return j < positions.count && Int64(positions[j]) == wanted
            }
        }
        return starts.count
    }
}
