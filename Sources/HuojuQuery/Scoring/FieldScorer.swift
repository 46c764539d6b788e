import HuojuIndex
import HuojuProtocol

/// One BM25 term of a query, with its statistics over a whole snapshot.
///
/// A phrase's idf is the sum of its terms' idfs, as Lucene's `PhraseQuery` scores it: the
/// weight is known before any document is read, so top-k search can bound scores up front.
struct ScoringTerm {
    var kind: ExplainEntry.Kind
    var text: String
    var field: Field
    /// The atom a phrase term belongs to; nil for words.
    var atom: Int?
    var boost: Double
    var idf: Double
    /// Documents holding the term (a word), or the rarest term's count (a phrase).
    var docFreq: Int
    /// The word's key; nil for phrases, which are read through their atom's plan.
    var key: TermKey?
    var averageLength: Double
    /// Phrases only: each index term and its document frequency.
    var phraseTerms: [ExplainEntry.TermStatistic]?

    var weight: Double { boost * idf }
}

/// Scores one `ScoringTerm` on the documents of one segment, in increasing doc order.
///
/// `bound(at:)` caps the score of every document from a target up to some later document,
/// for top-k pruning: zero up to the term's next document when its iterator is already past
/// the target, else the best of the current postings block's impacts (from the skip entry
/// alone, nothing decoded). A phrase occurs at most as often as each of its terms, in
/// documents holding all of them, so each term's block bound caps the phrase too.
final class FieldScorer {
    enum Source {
        case word(TermDocs)
        case phrase(PhraseDocs)
    }

    let term: ScoringTerm
    private let source: Source
    private let segment: SegmentReader
    private var blockUpTo: UInt32 = 0
    private var blockBound = -1.0

    init(_ term: ScoringTerm, source: Source, segment: SegmentReader) {
        self.term = term
        self.source = source
        self.segment = segment
    }

    private var iterator: DocIterator {
        switch source {
        case .word(let docs): docs
        case .phrase(let docs): docs
        }
    }

    /// The term frequency in `doc` (phrase occurrences for a phrase); 0 when absent.
    func frequency(at doc: UInt32) throws(IndexError) -> Int {
        switch source {
        case .word(let docs): try docs.advance(to: doc) == doc ? docs.termFrequency : 0
        case .phrase(let docs): try docs.frequency(at: doc)
        }
    }

    func score(at doc: UInt32) throws(IndexError) -> Double {
        let tf = try frequency(at: doc)
        guard tf > 0 else { return 0 }
        return term.weight * BM25.tfNorm(tf: tf, length: segment.fieldLength(term.field, doc), averageLength: term.averageLength)
    }

    /// The most any document in `target...upTo` can score, and `upTo`, without moving the
    /// iterator. Targets must not decrease.
    func bound(at target: UInt32) -> (value: Double, upTo: UInt32) {
        let next = iterator.doc
        if next == DocIterator.end { return (0, DocIterator.end) }
        if next > target { return (0, next - 1) }
        if blockBound >= 0, target <= blockUpTo { return (blockBound, blockUpTo) }
        let weight = term.weight, averageLength = term.averageLength
        let score = { (tf: Int, length: Int) in weight * BM25.tfNorm(tf: tf, length: length, averageLength: averageLength) }
        var value = Double.infinity, upTo = DocIterator.end
        switch source {
        case .word(let docs):
            guard let block = docs.block(containing: target) else { return (0, DocIterator.end) }
            (value, upTo) = (docs.maxImpact(block, score), block.lastDoc)
        case .phrase(let docs):
            for termDocs in docs.terms {
                guard let block = termDocs.block(containing: target) else { return (0, DocIterator.end) }
                value = min(value, termDocs.maxImpact(block, score))
                upTo = min(upTo, block.lastDoc)
            }
        }
        (blockBound, blockUpTo) = (value, upTo)
        return (value, upTo)
    }

    /// `bound(at:)` after moving the iterator to `doc`, so an absent term counts zero.
    func bound(moving doc: UInt32) throws(IndexError) -> (value: Double, upTo: UInt32) {
        try iterator.advance(to: doc)
        return bound(at: doc)
    }

    /// This term's part of `doc`'s score, for `--explain`; nil when the term is absent.
    func explain(at doc: UInt32, docCount: Int) throws(IndexError) -> ExplainEntry? {
        let tf = try frequency(at: doc)
        guard tf > 0 else { return nil }
        let length = segment.fieldLength(term.field, doc)
        return ExplainEntry(kind: term.kind, text: term.text, field: term.field.name, tf: tf, docFreq: term.docFreq,
                            docCount: docCount, length: length, averageLength: term.averageLength, boost: term.boost,
                            idf: term.idf, score: term.weight * BM25.tfNorm(tf: tf, length: length, averageLength: term.averageLength),
                            terms: term.phraseTerms)
    }
}
