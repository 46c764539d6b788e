import HuojuIndex

/// Queries run over a segment a window of consecutive documents at a time: each node of the
/// query computes the window's matches as a bitset (`WindowBits`) from decoded postings
/// blocks, so counting costs a few bit operations per document and no call per document.
enum Window {
    /// Exact counting reads every window that may hold a match: larger windows spread the
    /// per-window work (one step per query node) over more documents.
    static let exactSize = 2048
    /// Top-k counting skips runs of documents whose score bound cannot reach the top k unread
    /// (`SegmentMatcher.region`) and evaluates small windows between them, so that the next
    /// skip comes soon, as Lucene's block-max WAND skips postings blocks.
    static let topKSize = 128
}

/// One term's documents in a window, and their frequencies when a scorer reads them.
struct TermLeaf {
    var postings: PostingsIterator
    /// Frequencies by window offset; zero where the term is absent. Nil when no scorer reads them.
    let frequencies: UnsafeMutablePointer<UInt32>?

    mutating func fill(_ bits: WindowBits, start: UInt32, end: UInt32) throws(IndexError) {
        frequencies?.update(repeating: 0, count: bits.size)
        try postings.collect(from: start, below: end, into: bits.words, frequencies: frequencies)
    }
}

/// Documents where a phrase's terms stand at their offsets in one field, in a window.
///
/// Candidates are the documents all terms share, aligned leapfrog-style (rarest term first,
/// reading skip entries to jump); each candidate inside the mask is confirmed on positions
/// and its phrase frequency recorded.
struct PhraseLeaf {
    /// The terms, rarest first, with their offsets in the phrase.
    var terms: [PostingsIterator]
    let offsets: [Int64]
    let frequencies: UnsafeMutablePointer<UInt32>?
    /// Candidate starts of the document being confirmed (kept to reuse its storage).
    private var starts: [Int64] = []

    init(terms: [(PostingsIterator, Int64)], frequencies: UnsafeMutablePointer<UInt32>?) {
        let sorted = terms.sorted { $0.0.docFreq < $1.0.docFreq }
        self.terms = sorted.map(\.0)
        offsets = sorted.map(\.1)
        self.frequencies = frequencies
    }

    /// Marks the window's documents (inside `mask`, when given) where the phrase occurs.
    mutating func fill(_ bits: WindowBits, start: UInt32, end: UInt32, mask: WindowBits?) throws(IndexError) {
        frequencies?.update(repeating: 0, count: bits.size)
        var target = start
        while target < end {
            if let mask {
                guard let offset = mask.first(from: Int(target - start)) else { return }
                target = start + UInt32(offset)
            }
            var candidate = try terms[0].advance(to: target)
            aligning: while candidate < end {
                for i in 1..<terms.count {
                    let doc = try terms[i].advance(to: candidate)
                    if doc > candidate {
                        candidate = try terms[0].advance(to: doc)
                        continue aligning
                    }
                }
                break
            }
            guard candidate < end else { return }
            let offset = Int(candidate - start)
            if mask?.contains(offset) ?? true {
                let frequency = try occurrences()
                if frequency > 0 {
                    bits.insert(offset)
                    frequencies?[offset] = UInt32(frequency)
                }
            }
            target = candidate + 1
        }
    }

    /// The phrase's occurrences in the document every term stands on: the first term's
    /// positions give candidate starts, each further term keeps those it confirms (both lists
    /// ascending), reading positions in place.
    private mutating func occurrences() throws(IndexError) -> Int {
        var starts = self.starts
        defer { self.starts = starts }
        starts.removeAll(keepingCapacity: true)
        let firstOffset = offsets[0]
        _ = try terms[0].withPositions { positions in
            for position in positions where Int64(position) >= firstOffset { starts.append(Int64(position) - firstOffset) }
            return 0
        }
        var live = starts.count
        for i in 1..<terms.count where live > 0 {
            let offset = offsets[i]
            live = try terms[i].withPositions { positions in
                starts.withUnsafeMutableBufferPointer { starts in
                    var kept = 0, j = 0
                    for k in 0..<live {
                        let wanted = starts[k] + offset
                        while j < positions.count, Int64(positions[j]) < wanted { j += 1 }
                        if j < positions.count, Int64(positions[j]) == wanted {
                            starts[kept] = starts[k]
                            kept += 1
                        }
                    }
                    return kept
                }
            }
        }
        return live
    }
}

/// One pass of a compiled query (`Evaluation.Pass`) over one segment, evaluated a window at
/// a time, with the scorers of its BM25 terms.
///
/// Nodes evaluate with a mask: a window bitset known to hold every final match. A phrase or a
/// scan confirms only documents inside it, and a conjunction on the path of conjunctions from
/// the root narrows it child by child (cheapest first) and stops once nothing is left.
/// Invariant: a leaf evaluated with mask M holds exact frequencies for every document of M,
/// so scorers read the frequencies of every final match; outside M a node's bits may be
/// anything, and the conjunction that supplied M clears them.
final class SegmentMatcher {
    enum Node {
        case none
        case all
        case term(Int)
        case phrase(Int)
        /// The documents a per-document predicate accepts (`issue:`, `date:`).
        case scan((UInt32) -> Bool)
        /// Required children cheapest first; a document matching any excluded child is not a match.
        case and(required: [Int], excluded: [Int])
        case or([Int])
    }

    let segment: SegmentReader
    let docCount: UInt32
    /// The window size: the capacity of every bitset and frequency buffer.
    let capacity: Int
    /// Words of one window's bitset.
    private let wordsPerWindow: Int
    private var nodes: [Node] = []
    private var costs: [Int] = []
    private(set) var terms: [TermLeaf] = []
    private(set) var phrases: [PhraseLeaf] = []
    var scorers: [TermScorer] = []
    /// Term leaves only scorers read (`addScoringTerm`), and what scoring reads per scorer.
    private var scoringLeaves: [Int] = []
    private var slots: [Slot] = []
    /// Per scorer: its bound over the current window.
    private var windowBounds: [Double] = []
    /// The window `windowBounds` hold, when one does: they are computed only once the top k
    /// is full (`PostingsIterator.end` = none yet).
    private var boundsStart = PostingsIterator.end
    private var root = 0
    private var bitStorage: UnsafeMutablePointer<UInt64>
    private var frequencyBuffers: [UnsafeMutablePointer<UInt32>] = []
    /// The current window: `start..<end`.
    private(set) var start: UInt32 = 0
    private(set) var end: UInt32 = 0

    init(segment: SegmentReader, capacity: Int) {
        self.segment = segment
        docCount = UInt32(segment.docCount)
        self.capacity = capacity
        wordsPerWindow = (capacity + 63) / 64
        bitStorage = .allocate(capacity: 0)
    }

    deinit {
        bitStorage.deallocate()
        for buffer in frequencyBuffers { buffer.deallocate() }
    }

    // MARK: Building

    /// A buffer of window frequencies for a leaf a scorer reads.
    func frequencyBuffer() -> UnsafeMutablePointer<UInt32> {
        let buffer = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
        frequencyBuffers.append(buffer)
        return buffer
    }

    func add(_ node: Node) -> Int {
        let cost: Int
        switch node {
        case .none: cost = 0
        case .all, .scan: cost = Int(docCount)
        case .term(let i): cost = terms[i].postings.docFreq
        case .phrase(let i): cost = phrases[i].terms[0].docFreq
        case .and(let required, _): cost = required.map { costs[$0] }.min() ?? Int(docCount)
        case .or(let children): cost = children.reduce(0) { $0 + costs[$1] }
        }
        nodes.append(node)
        costs.append(cost)
        return nodes.count - 1
    }

    func addTerm(_ leaf: TermLeaf) -> Int {
        terms.append(leaf)
        return add(.term(terms.count - 1))
    }

    func addPhrase(_ leaf: PhraseLeaf) -> Int {
        phrases.append(leaf)
        return add(.phrase(phrases.count - 1))
    }

    /// Where a scorer reads the frequencies of leaf node `node` (just added by `addTerm` or
    /// `addPhrase`).
    func source(ofLeaf node: Int) -> TermScorer.Source {
        switch nodes[node] {
        case .term(let leaf): .term(leaf)
        case .phrase(let leaf): .phrase(leaf)
        default: preconditionFailure("node \(node) is not a leaf")
        }
    }

    func isNone(_ node: Int) -> Bool { if case .none = nodes[node] { true } else { false } }

    /// All of `children` and none of `excluded`; every document when both are empty.
    func conjunction(_ children: [Int], excluding excluded: [Int] = []) -> Int {
        if children.contains(where: isNone) { return add(.none) }
        let excluded = excluded.filter { !isNone($0) }
        if children.count == 1, excluded.isEmpty { return children[0] }
        let required = children.isEmpty ? [add(.all)] : children.sorted { costs[$0] < costs[$1] }
        return add(.and(required: required, excluded: excluded))
    }

    func disjunction(_ children: [Int]) -> Int {
        let children = children.filter { !isNone($0) }
        if children.isEmpty { return add(.none) }
        return children.count == 1 ? children[0] : add(.or(children))
    }

    /// Ends building: `root` is what the pass matches.
    func finish(root: Int) {
        self.root = root
        bitStorage.deallocate()
        // One window of bits per node, and one for scoring leaves (`fillScoringLeaves`).
        bitStorage = .allocate(capacity: (nodes.count + 1) * wordsPerWindow)
    }

    // MARK: Evaluating

    /// The first document at or after `doc` that may match (every document before it cannot):
    /// where the next window starts. Moves iterators forward only.
    func firstCandidate(from doc: UInt32) throws(IndexError) -> UInt32 {
        try lowerBound(root, doc)
    }

    private func lowerBound(_ node: Int, _ doc: UInt32) throws(IndexError) -> UInt32 {
        switch nodes[node] {
        case .none: return PostingsIterator.end
        case .all, .scan: return doc
        case .term(let i): return try terms[i].postings.advance(to: doc)
        case .phrase(let i):
            var first = doc
            for t in phrases[i].terms.indices { first = max(first, try phrases[i].terms[t].advance(to: first)) }
            return first
        case .and(let required, _):
            var first = doc
            for child in required { first = max(first, try lowerBound(child, first)) }
            return first
        case .or(let children):
            var first = PostingsIterator.end
            for child in children { first = min(first, try lowerBound(child, doc)) }
            return first
        }
    }

    /// The matches of the window `start..<end` (before deletes are taken out), valid until the
    /// next call. Windows must not go backwards.
    func evaluate(start: UInt32, end: UInt32) throws(IndexError) -> WindowBits {
        precondition(end > start && Int(end - start) <= capacity)
        self.start = start
        self.end = end
        let bits = try evaluate(root, mask: nil, narrowing: true)
        if segment.hasDeletions {
            try bits.forEach { offset throws(IndexError) in
                if segment.isDeleted(start + UInt32(offset)) { bits.remove(offset) }
            }
        }
        return bits
    }

    /// Node `node`'s window bits; `nodes.count` names the scratch bits of scoring leaves.
    private func bits(_ node: Int) -> WindowBits {
        WindowBits(words: bitStorage + node * wordsPerWindow, size: Int(end - start))
    }

    private func evaluate(_ node: Int, mask: WindowBits?, narrowing: Bool) throws(IndexError) -> WindowBits {
        let bits = bits(node)
        switch nodes[node] {
        case .none:
            bits.clear()
        case .all:
            bits.fill()
        case .term(let i):
            bits.clear()
            try terms[i].fill(bits, start: start, end: end)
        case .phrase(let i):
            bits.clear()
            try phrases[i].fill(bits, start: start, end: end, mask: mask)
        case .scan(let accepts):
            bits.clear()
            let start = start
            if let mask {
                try mask.forEach { offset throws(IndexError) in if accepts(start + UInt32(offset)) { bits.insert(offset) } }
            } else {
                for offset in 0..<bits.size where accepts(start + UInt32(offset)) { bits.insert(offset) }
            }
        case .and(let required, let excluded):
            for (index, child) in required.enumerated() {
                let result = try evaluate(child, mask: narrowing && index > 0 ? bits : mask, narrowing: narrowing)
                if index == 0 {
                    bits.copy(from: result)
                    if let mask { bits.formIntersection(mask) }
                } else {
                    bits.formIntersection(result)
                }
                if narrowing, bits.isEmpty { return bits }
            }
            for child in excluded {
                bits.subtract(try evaluate(child, mask: narrowing ? bits : mask, narrowing: false))
            }
        case .or(let children):
            bits.clear()
            for child in children { bits.formUnion(try evaluate(child, mask: mask, narrowing: false)) }
        }
        return bits
    }

    // MARK: Scoring

    /// Adds a term only scorers read (a word that ranks but does not match): a leaf outside
    /// the query's nodes, filled only for the windows that get scored.
    func addScoringTerm(_ leaf: TermLeaf) -> Int {
        terms.append(leaf)
        scoringLeaves.append(terms.count - 1)
        return terms.count - 1
    }

    /// Scores the window's matches in `bits` (from `evaluate`) in doc order, handing each to
    /// `offer(offset, score)`, which returns the score a later match must beat (-infinity:
    /// every match is scored). Once the window's bounds are known (`bound`), a match whose
    /// present terms' window bounds sum no higher is not scored: that saves the length reads
    /// and divisions of most matches once the top k is full. Scores are the scorers' parts
    /// summed in scorer order, as `explain` sums them.
    func score(_ bits: WindowBits, threshold: Double, _ offer: (Int, Double) throws(IndexError) -> Double) throws(IndexError) {
        try fillScoringLeaves()
        if slots.count != scorers.count {
            slots = scorers.map { Slot(frequencies: frequencyBuffer(of: $0.source), term: $0.term) }
        }
        let slots = self.slots, count = slots.count, start = start, segment = segment
        let bounds = boundsStart == start ? windowBounds : nil
        var threshold = threshold
        try bits.forEach { offset throws(IndexError) in
            if let bounds, threshold > -.infinity {
                var bound = 0.0
                for i in 0..<count where slots[i].frequencies[offset] > 0 { bound += bounds[i] }
                guard bound * Evaluation.slack > threshold else { return }
            }
            let doc = start + UInt32(offset)
            var score = 0.0
            for i in 0..<count {
                let tf = Int(slots[i].frequencies[offset])
                guard tf > 0 else { continue }
                score += slots[i].term.score(tf: tf, length: segment.fieldLength(slots[i].term.field, doc))
            }
            threshold = try offer(offset, score)
        }
    }

    /// What scoring reads of a scorer, hoisted out of the per-document loop.
    private struct Slot {
        let frequencies: UnsafeMutablePointer<UInt32>
        let term: ScoringTerm
    }

    private func fillScoringLeaves() throws(IndexError) {
        guard !scoringLeaves.isEmpty else { return }
        let scratch = bits(nodes.count)
        for leaf in scoringLeaves {
            scratch.clear()
            try terms[leaf].fill(scratch, start: start, end: end)
        }
    }

    /// The frequencies a scorer reads, by window offset.
    private func frequencyBuffer(of source: TermScorer.Source) -> UnsafeMutablePointer<UInt32> {
        switch source {
        case .term(let leaf): terms[leaf].frequencies!
        case .phrase(let leaf): phrases[leaf].frequencies!
        }
    }

    /// The most any document of `start..<end` can score: the scorers' block bounds summed,
    /// where a scorer whose term (or a phrase's term) already stands past the window counts
    /// zero. Call after `firstCandidate(from: start)`, which moved the leaves there.
    func bound(start: UInt32, end: UInt32) throws(IndexError) -> Double {
        if windowBounds.count != scorers.count { windowBounds = Array(repeating: 0, count: scorers.count) }
        boundsStart = start
        var bound = 0.0
        for i in scorers.indices {
            windowBounds[i] = try next(i, from: start) < end ? try scorers[i].bound(start: start, end: end, segment: segment) : 0
            bound += windowBounds[i]
        }
        return bound
    }

    /// The most any document from `start` up to the returned `upTo` can score, and `upTo`:
    /// where a scorer's term is absent up to its next document, it counts zero until there;
    /// where present, its block bound holds to the block's end. Finer than `bound`: what
    /// top-k counting skips by. Call after `firstCandidate(from: start)`.
    func region(from start: UInt32) throws(IndexError) -> (value: Double, upTo: UInt32) {
        var value = 0.0, upTo = PostingsIterator.end
        for i in scorers.indices {
            let next = try next(i, from: start)
            if next > start {
                upTo = min(upTo, next - 1)
            } else {
                let region = try scorers[i].region(at: start, segment: segment)
                value += region.value
                upTo = min(upTo, region.upTo)
            }
        }
        return (value, upTo)
    }

    /// The first document at or after `start` that scorer `i`'s term (every term of a phrase)
    /// may hold, as far as its leaf stands (a term leaf is moved there: windows start no
    /// earlier).
    private func next(_ i: Int, from start: UInt32) throws(IndexError) -> UInt32 {
        switch scorers[i].source {
        case .term(let leaf): return try terms[leaf].postings.advance(to: start)
        case .phrase(let leaf):
            var next: UInt32 = 0
            for term in phrases[leaf].terms.indices { next = max(next, phrases[leaf].terms[term].doc) }
            return next
        }
    }

    /// The parts of the score of the window's match at `offset`, for `--explain`.
    func explain(_ offset: Int, docCount: Int) throws(IndexError) -> ScoreBreakdown {
        try fillScoringLeaves()
        let doc = start + UInt32(offset)
        var breakdown = ScoreBreakdown()
        for scorer in scorers {
            let tf = Int(frequencyBuffer(of: scorer.source)[offset])
            if tf > 0 { breakdown.add(scorer.explain(tf: tf, doc: doc, docCount: docCount, segment: segment)) }
        }
        return breakdown
    }
}
