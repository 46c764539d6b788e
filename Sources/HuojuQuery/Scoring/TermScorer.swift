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

    /// The term's part of the score of a document where it occurs `tf` times in a field of
    /// `length` units: the one place the BM25 formula is applied (scoring, bounds, explain).
    @inline(__always)
    func score(tf: Int, length: Int) -> Double {
        weight * BM25.tfNorm(tf: tf, length: length, averageLength: averageLength)
    }
}

/// Scores one `ScoringTerm` on the matches of one segment, in increasing doc order.
///
/// Frequencies come from a `SegmentMatcher` leaf: the one that matched a phrase, or for a
/// word that only ranks, a leaf of its own filled for the windows that get scored. `bound` caps the score of every document of
/// a range from the skip entries' block impacts alone (nothing decoded). A phrase occurs at
/// most as often as each of its terms, in documents holding all of them, so each term's block
/// bound caps the phrase too.
struct TermScorer {
    enum Source {
        /// Frequencies recorded by `SegmentMatcher`'s term or phrase leaf of that index.
        case term(Int)
        case phrase(Int)
    }

    let term: ScoringTerm
    let source: Source
    /// The term (a word), or each of the phrase's terms, read for block impacts only: opened
    /// on the first bound asked, which a search that never fills its top k never asks.
    private let boundInfos: [TermInfo]
    private var boundTerms: [PostingsIterator] = []

    init(_ term: ScoringTerm, source: Source, boundTerms: [TermInfo]) {
        self.term = term
        self.source = source
        boundInfos = boundTerms
    }

    private mutating func openBoundTerms(_ segment: SegmentReader) throws(IndexError) {
        guard boundTerms.isEmpty else { return }
        for info in boundInfos { boundTerms.append(try segment.postings(info)) }
    }

    /// The most any document of `start..<end` can score. Ranges must not go backwards.
    mutating func bound(start: UInt32, end: UInt32, segment: SegmentReader) throws(IndexError) -> Double {
        try openBoundTerms(segment)
        let score = term.score
        var bound = Double.infinity
        for i in boundTerms.indices {
            var best = 0.0, target = start
            while target < end, let block = boundTerms[i].block(containing: target) {
                best = max(best, boundTerms[i].maxImpact(block, score))
                guard block.lastDoc < end, block.lastDoc < PostingsIterator.end - 1 else { break }
                target = block.lastDoc + 1
            }
            bound = min(bound, best)
        }
        return bound == .infinity ? 0 : bound
    }

    /// The most any document from `target` up to the returned `upTo` can score: the block
    /// holding `target` (each of a phrase's terms' blocks), from its skip entry. Targets must
    /// not go backwards.
    mutating func region(at target: UInt32, segment: SegmentReader) throws(IndexError) -> (value: Double, upTo: UInt32) {
        try openBoundTerms(segment)
        let score = term.score
        var value = Double.infinity, upTo = PostingsIterator.end
        for i in boundTerms.indices {
            guard let block = boundTerms[i].block(containing: target) else { return (0, PostingsIterator.end) }
            value = min(value, boundTerms[i].maxImpact(block, score))
            upTo = min(upTo, block.lastDoc)
        }
        return (value == .infinity ? 0 : value, upTo)
    }

    /// This term's part of `doc`'s score, for `--explain`.
    func explain(tf: Int, doc: UInt32, docCount: Int, segment: SegmentReader) -> ExplainEntry {
        let length = segment.fieldLength(term.field, doc)
        return ExplainEntry(kind: term.kind, text: term.text, field: term.field.name, tf: tf, docFreq: term.docFreq,
                            docCount: docCount, length: length, averageLength: term.averageLength, boost: term.boost,
                            idf: term.idf, score: term.score(tf: tf, length: length), terms: term.phraseTerms)
    }
}
