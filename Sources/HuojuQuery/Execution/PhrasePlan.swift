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
