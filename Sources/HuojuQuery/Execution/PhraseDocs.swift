import HuojuIndex

/// Documents where a phrase plan's terms stand at their offsets, in one field of one segment.
///
/// The approximation is the conjunction of the terms' postings (doc ids and skip data only);
/// `matches()` reads positions. A plan of one term needs no positions: its approximation is
/// exact and the phrase frequency is the term frequency.
final class PhraseDocs: DocIterator {
    /// The terms, rarest first, with their offsets in the phrase.
    let terms: [TermDocs]
    private let offsets: [Int64]
    /// Documents holding every term (doc ids and skip data only).
    private let approximation: DocIterator
    private var buffers: [[UInt32]]
    private var starts: [Int64] = []
    /// `frequency` is the phrase frequency in `frequencyDoc`, computed at most once per doc.
    private var frequencyDoc = DocIterator.end
    private var frequencyValue = 0

    /// Nil when the segment lacks one of the terms: the phrase cannot occur there.
    init?(_ plan: PhrasePlan, field: Field, in segment: SegmentReader) throws(IndexError) {
        var terms: [(TermDocs, Int64)] = []
        for term in plan.terms {
            // A lone character beside other terms is read from the edges, which keep positions.
            let isLone = plan.terms.count > 1 && term.kind == .gram && term.text.unicodeScalars.count == 1
            let key = TermKey(field, isLone ? .edge : TermLayer(term.kind), term.text)
            guard let postings = try segment.postings(key) else { return nil }
            terms.append((TermDocs(postings), Int64(term.offset)))
        }
        guard !terms.isEmpty else { return nil }
        terms.sort { $0.0.cost < $1.0.cost }
        self.terms = terms.map(\.0)
        offsets = terms.map(\.1)
        buffers = Array(repeating: [], count: terms.count)
        approximation = self.terms.count == 1 ? self.terms[0] : try ConjunctionDocs(self.terms)
        super.init(cost: terms[0].0.cost)
        doc = approximation.doc
    }

    override func next() throws(IndexError) -> UInt32 {
        doc = try approximation.next()
        return doc
    }

    override func advance(to target: UInt32) throws(IndexError) -> UInt32 {
        doc = try approximation.advance(to: target)
        return doc
    }

    override func matches() throws(IndexError) -> Bool { try frequency() > 0 }
    override var isExact: Bool { terms.count == 1 }

    /// Occurrences of the phrase in the current document.
    func frequency() throws(IndexError) -> Int {
        guard doc != Self.end else { return 0 }
        if frequencyDoc == doc { return frequencyValue }
        frequencyDoc = doc
        frequencyValue = terms.count == 1 ? terms[0].termFrequency : try countOccurrences()
        return frequencyValue
    }

    /// The phrase frequency in `target`, moving there first; 0 when the phrase is not there.
    /// Targets must not decrease.
    func frequency(at target: UInt32) throws(IndexError) -> Int {
        guard try advance(to: target) == target else { return 0 }
        return try frequency()
    }

    /// Start positions where every term sits at its offset: the first term's positions give
    /// candidate starts, each further term keeps those it confirms (both lists ascending).
    private func countOccurrences() throws(IndexError) -> Int {
        starts.removeAll(keepingCapacity: true)
        try terms[0].positions(into: &buffers[0])
        for position in buffers[0] {
            let start = Int64(position) - offsets[0]
            if start >= 0 { starts.append(start) }
        }
        var live = starts.count
        for i in 1..<terms.count where live > 0 {
            try terms[i].positions(into: &buffers[i])
            let offset = offsets[i]
            buffers[i].withUnsafeBufferPointer { positions in
                starts.withUnsafeMutableBufferPointer { starts in
                    var kept = 0, j = 0
                    for k in 0..<live {
                        let start = starts[k]
                        let wanted = start + offset
                        while j < positions.count, Int64(positions[j]) < wanted { j += 1 }
                        if j < positions.count, Int64(positions[j]) == wanted {
                            starts[kept] = start
                            kept += 1
                        }
                    }
                    live = kept
                }
            }
        }
        return live
    }
}
