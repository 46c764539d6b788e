import HuojuIndex
import HuojuProtocol
import HuojuText

/// How much of the match set a search must see.
public enum Counting: Sendable {
    /// Every match is confirmed and counted: the total is exact. Scoring still skips documents
    /// whose score bound cannot reach the current top k.
    case exact
    /// Blocks of documents whose score bound cannot reach the top k are skipped unread, so
    /// the total is a lower bound once the top k is full (block-max pruning).
    case topK
}

/// What one pass over a snapshot found.
struct Collected {
    var hits: [ScoredDoc]
    /// Matches counted; all of them unless `isExact` is false.
    var total: Int
    var isExact: Bool
    /// Per segment, every matching local doc id (ascending); only collected on request.
    var matches: [[UInt32]]?
}

/// One query prepared for one snapshot: its BM25 terms with snapshot-wide statistics, and
/// per-segment document iterators built on demand.
///
/// Exact matching runs the query tree (`CompiledQuery.Node`) as two-phase `DocIterator`s;
/// partial matching runs "any of the query's words, meeting its filters and exclusions, but
/// not an exact match". Both score with `FieldScorer`s over the same statistics.
final class Evaluation {
    enum Pass { case exact, partial }

    let query: CompiledQuery
    let snapshot: IndexSnapshot
    /// Phrase terms (per positive atom and field) and word terms.
    private(set) var scoringTerms: [ScoringTerm] = []

    init(query: CompiledQuery, snapshot: IndexSnapshot) throws(IndexError) {
        self.query = query
        self.snapshot = snapshot
        let docCount = snapshot.docCount
        for (index, atom) in query.atoms.enumerated() where atom.positive {
            for field in atom.fields {
                let averageLength = snapshot.averageLength(field)
                if !atom.plan.terms.isEmpty {
                    var idf = 0.0
                    var statistics: [ExplainEntry.TermStatistic] = []
                    for term in atom.plan.terms {
                        let docFreq = try snapshot.docFreq(TermKey(field, TermLayer(term.kind), term.text))
                        idf += BM25.idf(docCount: docCount, docFreq: docFreq)
                        statistics.append(ExplainEntry.TermStatistic(term: term.text, docFreq: docFreq))
                    }
                    scoringTerms.append(ScoringTerm(kind: .phrase, text: atom.plan.text, field: field, atom: index,
                                                    boost: FieldBoost.of(field), idf: idf, docFreq: statistics.map(\.docFreq).min()!,
                                                    key: nil, averageLength: averageLength, phraseTerms: statistics))
                }
                for word in atom.plan.words
                where !scoringTerms.contains(where: { $0.kind == .word && $0.text == word && $0.field == field }) {
                    let key = TermKey(field, .word, word)
                    let docFreq = try snapshot.docFreq(key)
                    scoringTerms.append(ScoringTerm(kind: .word, text: word, field: field, atom: nil, boost: FieldBoost.of(field),
                                                    idf: BM25.idf(docCount: docCount, docFreq: docFreq), docFreq: docFreq,
                                                    key: key, averageLength: averageLength, phraseTerms: nil))
                }
            }
        }
    }

    // MARK: Collecting

    /// The best `k` documents of a pass, ranked by BM25, with the count of matches.
    func collect(_ pass: Pass, k: Int, counting: Counting, keepMatches: Bool = false) throws(IndexError) -> Collected {
        var top = TopDocs(k: k)
        var total = 0
        var skipped = false
        var matches: [[UInt32]]? = keepMatches ? [] : nil
        for (s, segment) in snapshot.segments.enumerated() {
            let plan = try SegmentPlan(self, pass: pass, segment: segment)
            let base = snapshot.bases[s]
            var segmentMatches: [UInt32] = []
            var doc = plan.root.doc
            while doc != DocIterator.end {
                if top.isFull, try plan.cannotCompete(doc, threshold: top.threshold) {
                    if counting == .topK {
                        // Skip every region whose bound cannot reach the top k, reading only
                        // skip entries, then move the query there.
                        skipped = true
                        doc = try plan.root.advance(to: plan.firstCompetitive(after: doc, threshold: top.threshold))
                    } else {
                        if try plan.root.matches() {
                            total += 1
                            if keepMatches { segmentMatches.append(doc) }
                        }
                        doc = try plan.root.next()
                    }
                    continue
                }
                if try plan.root.matches() {
                    total += 1
                    if keepMatches { segmentMatches.append(doc) }
                    top.offer(ScoredDoc(segment: s, local: doc, global: base + Int(doc), score: try plan.score(doc), partial: pass == .partial))
                }
                doc = try plan.root.next()
            }
            matches?.append(segmentMatches)
        }
        return Collected(hits: top.sorted(), total: total, isExact: !skipped, matches: matches)
    }

    /// Every exact match per segment (ascending) with its score: what zone rankings sum over.
    struct AllMatches {
        var matches: [[UInt32]]
        var scores: [[Double]]
    }

    /// Scores every exact match, without pruning.
    func scoreAll() throws(IndexError) -> AllMatches {
        var all = AllMatches(matches: [], scores: [])
        for segment in snapshot.segments {
            let plan = try SegmentPlan(self, pass: .exact, segment: segment)
            var docs: [UInt32] = [], scores: [Double] = []
            var doc = plan.root.doc
            while doc != DocIterator.end {
                if try plan.root.matches() {
                    docs.append(doc)
                    scores.append(try plan.score(doc))
                }
                doc = try plan.root.next()
            }
            all.matches.append(docs)
            all.scores.append(scores)
        }
        return all
    }

    /// The full breakdown of each hit's score, for `--explain` and to report scores.
    func explain(_ hits: [ScoredDoc]) throws(IndexError) -> [ScoreBreakdown] {
        var result = [ScoreBreakdown](repeating: ScoreBreakdown(), count: hits.count)
        // Scorers only move forward: visit hits per segment in doc order.
        let order = hits.indices.sorted { (hits[$0].partial ? 1 : 0, hits[$0].segment, hits[$0].local) < (hits[$1].partial ? 1 : 0, hits[$1].segment, hits[$1].local) }
        var plan: SegmentPlan?
        var current: (partial: Bool, segment: Int)?
        for i in order {
            let hit = hits[i]
            if current == nil || current! != (hit.partial, hit.segment) {
                current = (hit.partial, hit.segment)
                plan = try SegmentPlan(self, pass: hit.partial ? .partial : .exact, segment: snapshot.segments[hit.segment])
            }
            for scorer in plan!.scorers {
                if let entry = try scorer.explain(at: hit.local, docCount: snapshot.docCount) { result[i].add(entry) }
            }
        }
        return result
    }
}

/// One pass's iterators and scorers over one segment.
private struct SegmentPlan {
    let root: DocIterator
    let scorers: [FieldScorer]

    /// `doc`'s BM25 score: its scorers' parts, summed in scorer order (as `explain` sums them).
    func score(_ doc: UInt32) throws(IndexError) -> Double {
        var score = 0.0
        for scorer in scorers { score += try scorer.score(at: doc) }
        return score
    }

    /// Scores within a rounding error of the threshold still count as competitive.
    private static let slack = 1 + 1e-9

    /// Whether `doc` (where the query stands) provably scores at most `threshold`: every
    /// scorer moved to `doc`, so absent terms count zero.
    func cannotCompete(_ doc: UInt32, threshold: Double) throws(IndexError) -> Bool {
        var bound = 0.0
        for scorer in scorers { bound += try scorer.bound(moving: doc).value }
        return bound * Self.slack <= threshold
    }

    /// The first document after `doc` whose region bound exceeds `threshold` (or the end),
    /// from skip entries and the scorers' current positions only.
    func firstCompetitive(after doc: UInt32, threshold: Double) -> UInt32 {
        var target = doc
        while true {
            var bound = 0.0, upTo = DocIterator.end
            for scorer in scorers {
                let region = scorer.bound(at: target)
                bound += region.value
                upTo = min(upTo, region.upTo)
            }
            if target > doc, bound * Self.slack > threshold { return target }
            if upTo >= DocIterator.end - 1 { return DocIterator.end }
            target = max(upTo, target) + 1
        }
    }

    init(_ evaluation: Evaluation, pass: Evaluation.Pass, segment: SegmentReader) throws(IndexError) {
        var builder = TreeBuilder(query: evaluation.query, segment: segment)
        var scorers: [FieldScorer] = []
        let root: DocIterator
        switch pass {
        case .exact:
            root = try builder.build(evaluation.query.root)
            for term in evaluation.scoringTerms {
                if let atom = term.atom {
                    if let docs = builder.phrases[atom]?[term.field] { scorers.append(FieldScorer(term, source: .phrase(docs), segment: segment)) }
                } else if let postings = try segment.postings(term.key!) {
                    scorers.append(FieldScorer(term, source: .word(TermDocs(postings)), segment: segment))
                }
            }
        case .partial:
            var words: [DocIterator] = []
            for term in evaluation.scoringTerms where term.kind == .word {
                guard let postings = try segment.postings(term.key!) else { continue }
                scorers.append(FieldScorer(term, source: .word(TermDocs(postings)), segment: segment))
                words.append(TermDocs(try segment.postings(term.key!)!))
            }
            var required: [DocIterator] = [words.isEmpty ? EmptyDocs() : DisjunctionDocs(words)]
            var excluded: [DocIterator] = [try builder.build(evaluation.query.root)]
            for filter in evaluation.query.filterConjuncts {
                if case .not(let inner) = filter { excluded.append(try builder.build(inner)) } else { required.append(try builder.build(filter)) }
            }
            if case .and(let children) = evaluation.query.root {
                for case .not(let inner) in children where inner.containsAtom { excluded.append(try builder.build(inner)) }
            }
            root = ExclusionDocs(try builder.conjunction(required), excluding: DisjunctionDocs(excluded))
        }
        self.root = segment.hasDeletions ? LiveDocs(root, segment: segment) : root
        self.scorers = scorers
    }
}

/// Turns query nodes into iterators over one segment, remembering each positive atom's
/// per-field phrase iterators so phrase scorers share their positions work.
private struct TreeBuilder {
    let query: CompiledQuery
    let segment: SegmentReader
    /// Atom index → field → the phrase iterator of the first tree built.
    private(set) var phrases: [Int: [Field: PhraseDocs]] = [:]

    init(query: CompiledQuery, segment: SegmentReader) {
        self.query = query
        self.segment = segment
    }

    mutating func build(_ node: CompiledQuery.Node) throws(IndexError) -> DocIterator {
        switch node {
        case .atom(let index):
            let atom = query.atoms[index]
            var clauses: [DocIterator] = []
            let first = phrases[index] == nil
            for field in atom.fields {
                guard let docs = try PhraseDocs(atom.plan, field: field, in: segment) else { continue }
                if first { phrases[index, default: [:]][field] = docs }
                clauses.append(docs)
            }
            if first, phrases[index] == nil { phrases[index] = [:] }
            return disjunction(clauses)
        case .keyword(let term):
            return try segment.postings(term).map { TermDocs($0) } ?? EmptyDocs()
        case .issue(let number):
            let number = Int32(number)
            let segment = segment
            return ScanDocs(docCount: segment.docCount) { segment.issueNumber($0) == number || segment.issueCumulative($0) == number }
        case .dateRange(let from, let to):
            let segment = segment
            return ScanDocs(docCount: segment.docCount) { doc in
                let date = segment.date(doc)
                return date != 0 && from.map { date >= $0 } ?? true && to.map { date <= $0 } ?? true
            }
        case .and(let children):
            var required: [DocIterator] = [], excluded: [DocIterator] = []
            for child in children {
                if case .not(let inner) = child { excluded.append(try build(inner)) } else { required.append(try build(child)) }
            }
            let included = try conjunction(required)
            return excluded.isEmpty ? included : ExclusionDocs(included, excluding: disjunction(excluded))
        case .or(let children):
            var clauses: [DocIterator] = []
            for child in children { clauses.append(try build(child)) }
            return disjunction(clauses)
        case .not(let child):
            return ExclusionDocs(ScanDocs(docCount: segment.docCount), excluding: try build(child))
        }
    }

    /// All of `clauses`; every document when there are none.
    func conjunction(_ clauses: [DocIterator]) throws(IndexError) -> DocIterator {
        if clauses.isEmpty { return ScanDocs(docCount: segment.docCount) }
        if clauses.contains(where: { $0 is EmptyDocs }) { return EmptyDocs() }
        return clauses.count == 1 ? clauses[0] : try ConjunctionDocs(clauses)
    }

    func disjunction(_ clauses: [DocIterator]) -> DocIterator {
        let clauses = clauses.filter { !($0 is EmptyDocs) }
        if clauses.isEmpty { return EmptyDocs() }
        return clauses.count == 1 ? clauses[0] : DisjunctionDocs(clauses)
    }
}
