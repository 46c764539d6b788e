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
    /// Per segment, the score of each of `matches`; only with `Collect.all`.
    var scores: [[Double]]?
}

/// What a pass keeps of its matches.
enum Collect {
    /// The best `k` (ranked by BM25) and the count.
    case top(Int)
    /// The best `k`, the count, and every match (for zone facets).
    case topAndMatches(Int)
    /// Every match with its score, without pruning (zone rankings and groups).
    case all
}

/// One query prepared for one snapshot: its BM25 terms with snapshot-wide statistics, and
/// per-segment document iterators built on demand.
///
/// Exact matching runs the query tree (`CompiledQuery.Node`); partial matching runs "any of
/// the query's words, meeting its filters and exclusions, but not an exact match". Both run
/// as a `SegmentMatcher` per segment, a window of documents at a time, and score with
/// `TermScorer`s over the same statistics. One driver (`collect`) feeds every collector.
final class Evaluation {
    enum Pass { case exact, partial }

    let query: CompiledQuery
    let snapshot: IndexSnapshot
    /// Phrase terms (per positive atom and field) and word terms.
    private(set) var scoringTerms: [ScoringTerm] = []
    /// Per term, where each segment holds it (nil: absent): the dictionaries are read once
    /// per query, for the statistics and for every pass's matchers alike.
    private var termInfos: [TermKey: [TermInfo?]] = [:]

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
                        let docFreq = try self.docFreq(TermKey(field, TermLayer(term.kind), term.text))
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
                    let docFreq = try self.docFreq(key)
                    scoringTerms.append(ScoringTerm(kind: .word, text: word, field: field, atom: nil, boost: FieldBoost.of(field),
                                                    idf: BM25.idf(docCount: docCount, docFreq: docFreq), docFreq: docFreq,
                                                    key: key, averageLength: averageLength, phraseTerms: nil))
                }
            }
        }
    }

    /// Where segment `s` holds `key`, if it does.
    func termInfo(_ key: TermKey, segment s: Int) throws(IndexError) -> TermInfo? {
        if let infos = termInfos[key] { return infos[s] }
        var infos: [TermInfo?] = []
        for segment in snapshot.segments { infos.append(try segment.termInfo(key)) }
        termInfos[key] = infos
        return infos[s]
    }

    private func docFreq(_ key: TermKey) throws(IndexError) -> Int {
        var total = 0
        for s in snapshot.segments.indices { total += try termInfo(key, segment: s)?.docFreq ?? 0 }
        return total
    }

    // MARK: Collecting

    /// Scores within a rounding error of the threshold still count as competitive.
    static let slack = 1 + 1e-9

    /// One pass over every segment: counts the matches and keeps what `collect` asks for.
    ///
    /// Once the top k is full, a window whose score bound cannot beat it is not scored; with
    /// top-k counting it is not even matched, so the total becomes a lower bound.
    func collect(_ pass: Pass, _ collect: Collect, counting: Counting = .exact) throws(IndexError) -> Collected {
        let k: Int, keepMatches: Bool, scoreAll: Bool
        switch collect {
        case .top(let n): (k, keepMatches, scoreAll) = (n, false, false)
        case .topAndMatches(let n): (k, keepMatches, scoreAll) = (n, true, false)
        case .all: (k, keepMatches, scoreAll) = (0, true, true)
        }
        let size = counting == .topK && !scoreAll ? Window.topKSize : Window.exactSize
        var top = TopDocs(k: k)
        var total = 0
        var skipped = false
        var matches: [[UInt32]] = [], scores: [[Double]] = []
        for s in snapshot.segments.indices {
            let matcher = try self.matcher(pass, segment: s, capacity: size)
            let base = snapshot.bases[s], partial = pass == .partial
            var segmentMatches: [UInt32] = [], segmentScores: [Double] = []
            var start: UInt32 = 0
            while true {
                start = try matcher.firstCandidate(from: start)
                guard start < matcher.docCount else { break }
                let end = UInt32(min(UInt64(matcher.docCount), UInt64(start) + UInt64(size)))
                var competitive = scoreAll || k > 0
                if !scoreAll, top.isFull {
                    if counting == .topK {
                        // Skip the region the bound rules out, unread and uncounted.
                        let region = try matcher.region(from: start)
                        if region.value * Self.slack <= top.threshold {
                            skipped = true
                            guard region.upTo < matcher.docCount - 1 else { break }
                            start = region.upTo + 1
                            continue
                        }
                    }
                    competitive = try matcher.bound(start: start, end: end) * Self.slack > top.threshold
                }
                let bits = try matcher.evaluate(start: start, end: end)
                total += bits.cardinality
                if keepMatches { try bits.forEach { offset throws(IndexError) in segmentMatches.append(start + UInt32(offset)) } }
                if scoreAll {
                    try matcher.score(bits, threshold: -.infinity) { _, score throws(IndexError) in
                        segmentScores.append(score)
                        return -.infinity
                    }
                } else if competitive, !bits.isEmpty {
                    try matcher.score(bits, threshold: top.threshold) { offset, score throws(IndexError) in
                        let doc = start + UInt32(offset)
                        top.offer(ScoredDoc(segment: s, local: doc, global: base + Int(doc), score: score, partial: partial))
                        return top.threshold
                    }
                }
                start = end
            }
            if keepMatches { matches.append(segmentMatches) }
            if scoreAll { scores.append(segmentScores) }
        }
        return Collected(hits: top.sorted(), total: total, isExact: !skipped, matches: keepMatches ? matches : nil,
                         scores: scoreAll ? scores : nil)
    }

    /// The full breakdown of each hit's score, for `--explain`.
    func explain(_ hits: [ScoredDoc]) throws(IndexError) -> [ScoreBreakdown] {
        var result = [ScoreBreakdown](repeating: ScoreBreakdown(), count: hits.count)
        // Matchers only move forward: visit hits per segment in doc order.
        let order = hits.indices.sorted { (hits[$0].partial ? 1 : 0, hits[$0].segment, hits[$0].local) < (hits[$1].partial ? 1 : 0, hits[$1].segment, hits[$1].local) }
        var matcher: SegmentMatcher?
        var current: (partial: Bool, segment: Int)?
        for i in order {
            let hit = hits[i]
            if current == nil || current! != (hit.partial, hit.segment) {
                current = (hit.partial, hit.segment)
                matcher = try self.matcher(hit.partial ? .partial : .exact, segment: hit.segment, capacity: 1)
            }
            _ = try matcher!.evaluate(start: hit.local, end: hit.local + 1)
            result[i] = try matcher!.explain(0, docCount: snapshot.docCount)
        }
        return result
    }

    // MARK: Building

    /// The matcher of one pass over segment `s`, with its scorers.
    private func matcher(_ pass: Pass, segment s: Int, capacity: Int) throws(IndexError) -> SegmentMatcher {
        let segment = snapshot.segments[s]
        let matcher = SegmentMatcher(segment: segment, capacity: capacity)
        var builder = MatcherBuilder(query: query, matcher: matcher, recordsFrequencies: pass == .exact) { key throws(IndexError) in
            try self.termInfo(key, segment: s)
        }
        switch pass {
        case .exact:
            matcher.finish(root: try builder.build(query.root))
            for term in scoringTerms {
                if let atom = term.atom {
                    guard let leaf = builder.phrases[atom]?[term.field] else { continue }
                    matcher.scorers.append(TermScorer(term, source: leaf.source, boundTerms: leaf.terms))
                } else if let info = try termInfo(term.key!, segment: s) {
                    let leaf = matcher.addScoringTerm(TermLeaf(postings: try segment.postings(info), frequencies: matcher.frequencyBuffer()))
                    matcher.scorers.append(TermScorer(term, source: .term(leaf), boundTerms: [info]))
                }
            }
        case .partial:
            var words: [Int] = []
            for term in scoringTerms where term.kind == .word {
                guard let info = try termInfo(term.key!, segment: s) else { continue }
                let frequencies = matcher.frequencyBuffer()
                let node = matcher.addTerm(TermLeaf(postings: try segment.postings(info), frequencies: frequencies))
                matcher.scorers.append(TermScorer(term, source: matcher.source(ofLeaf: node), boundTerms: [info]))
                words.append(node)
            }
            var required = [matcher.disjunction(words)]
            var excluded = [try builder.build(query.root)]
            for filter in query.filterConjuncts {
                if case .not(let inner) = filter { excluded.append(try builder.build(inner)) } else { required.append(try builder.build(filter)) }
            }
            if case .and(let children) = query.root {
                for case .not(let inner) in children where inner.containsAtom { excluded.append(try builder.build(inner)) }
            }
            matcher.finish(root: matcher.conjunction(required, excluding: excluded))
        }
        return matcher
    }
}

/// Turns query nodes into a `SegmentMatcher`'s nodes, remembering the leaf of each positive
/// atom's first build per field, which records frequencies for its scorer.
private struct MatcherBuilder {
    /// A scored phrase's leaf and its terms (for the scorer's block bounds).
    struct PhraseLeafInfo {
        var source: TermScorer.Source
        var terms: [TermInfo]
    }

    let query: CompiledQuery
    let matcher: SegmentMatcher
    /// Whether positive atoms' leaves record frequencies (the exact pass scores phrases).
    let recordsFrequencies: Bool
    /// Where the segment holds a term (`Evaluation.termInfo`).
    let lookup: (TermKey) throws(IndexError) -> TermInfo?
    /// Atom index → field → the leaf of the first build.
    private(set) var phrases: [Int: [Field: PhraseLeafInfo]] = [:]

    init(query: CompiledQuery, matcher: SegmentMatcher, recordsFrequencies: Bool,
         lookup: @escaping (TermKey) throws(IndexError) -> TermInfo?) {
        self.query = query
        self.matcher = matcher
        self.recordsFrequencies = recordsFrequencies
        self.lookup = lookup
    }

    mutating func build(_ node: CompiledQuery.Node) throws(IndexError) -> Int {
        let segment = matcher.segment
        switch node {
        case .atom(let index):
            let atom = query.atoms[index]
            let first = phrases[index] == nil
            if first { phrases[index] = [:] }
            var clauses: [Int] = []
            for field in atom.fields {
                var terms: [(TermInfo, Int64)] = []
                for term in atom.plan.terms {
                    // A lone character beside other terms is read from the edges, which keep positions.
                    let isLone = atom.plan.terms.count > 1 && term.kind == .gram && term.text.unicodeScalars.count == 1
                    guard let info = try lookup(TermKey(field, isLone ? .edge : TermLayer(term.kind), term.text)) else {
                        terms = []
                        break
                    }
                    terms.append((info, Int64(term.offset)))
                }
                guard !terms.isEmpty else { continue }
                let frequencies = first && atom.positive && recordsFrequencies ? matcher.frequencyBuffer() : nil
                let node: Int
                if terms.count == 1 {
                    node = matcher.addTerm(TermLeaf(postings: try segment.postings(terms[0].0), frequencies: frequencies))
                } else {
                    var iterators: [(PostingsIterator, Int64)] = []
                    for (info, offset) in terms { iterators.append((try segment.postings(info), offset)) }
                    node = matcher.addPhrase(PhraseLeaf(terms: iterators, frequencies: frequencies))
                }
                if frequencies != nil {
                    phrases[index]![field] = PhraseLeafInfo(source: matcher.source(ofLeaf: node), terms: terms.map(\.0))
                }
                clauses.append(node)
            }
            return matcher.disjunction(clauses)
        case .keyword(let term):
            guard let info = try lookup(term) else { return matcher.add(.none) }
            return matcher.addTerm(TermLeaf(postings: try segment.postings(info), frequencies: nil))
        case .issue(let number):
            let number = Int32(number)
            return matcher.add(.scan { segment.issueNumber($0) == number || segment.issueCumulative($0) == number })
        case .dateRange(let from, let to):
            return matcher.add(.scan { doc in
                let date = segment.date(doc)
                return date != 0 && from.map { date >= $0 } ?? true && to.map { date <= $0 } ?? true
            })
        case .and(let children):
            var required: [Int] = [], excluded: [Int] = []
            for child in children {
                if case .not(let inner) = child { excluded.append(try build(inner)) } else { required.append(try build(child)) }
            }
            return matcher.conjunction(required, excluding: excluded)
        case .or(let children):
            var clauses: [Int] = []
            for child in children { clauses.append(try build(child)) }
            return matcher.disjunction(clauses)
        case .not(let child):
            return matcher.conjunction([], excluding: [try build(child)])
        }
    }
}
