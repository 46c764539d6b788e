import HuojuIndex

/// Walks the documents of one segment that may match a query clause, in increasing order.
///
/// Two phases, as in Lucene's `TwoPhaseIterator`: `next`/`advance` move over an approximation
/// that is cheap to compute (documents holding all of a phrase's terms), and `matches()`
/// confirms the current document (the terms stand at the right positions). A conjunction
/// therefore aligns its clauses on cheap doc ids first and reads positions only for documents
/// every clause's approximation agrees on.
///
/// Invariants: `doc` only grows; it is `DocIterator.end` once exhausted; a new iterator stands
/// on its first document. `advance(to:)` does not move when `doc` is already at or past the
/// target. `matches()` may be asked only about the current document.
class DocIterator {
    static let end = PostingsIterator.end

    final var doc: UInt32 = 0
    /// Roughly how many documents the approximation visits: conjunctions lead with the cheapest.
    let cost: Int

    init(cost: Int) { self.cost = cost }

    @discardableResult
    func next() throws(IndexError) -> UInt32 { fatalError("abstract") }

    @discardableResult
    func advance(to target: UInt32) throws(IndexError) -> UInt32 { fatalError("abstract") }

    func matches() throws(IndexError) -> Bool { true }

    /// True when `matches()` always answers true (no confirmation step).
    var isExact: Bool { true }
}

/// No documents.
final class EmptyDocs: DocIterator {
    init() {
        super.init(cost: 0)
        doc = Self.end
    }

    override func next() throws(IndexError) -> UInt32 { doc }
    override func advance(to target: UInt32) throws(IndexError) -> UInt32 { doc }
}

/// Every document of the segment for which `predicate` holds (checked in `matches()`): the
/// per-document filters (`issue:`, `date:`) and the universe a pure exclusion subtracts from.
final class ScanDocs: DocIterator {
    private let docCount: UInt32
    private let predicate: ((UInt32) -> Bool)?

    init(docCount: Int, predicate: ((UInt32) -> Bool)? = nil) {
        self.docCount = UInt32(docCount)
        self.predicate = predicate
        super.init(cost: docCount)
        doc = docCount == 0 ? Self.end : 0
    }

    override func next() throws(IndexError) -> UInt32 {
        guard doc != Self.end else { return doc }
        doc = doc + 1 < docCount ? doc + 1 : Self.end
        return doc
    }

    override func advance(to target: UInt32) throws(IndexError) -> UInt32 {
        if doc < target { doc = target < docCount ? target : Self.end }
        return doc
    }

    override func matches() throws(IndexError) -> Bool { predicate?(doc) ?? true }
    override var isExact: Bool { predicate == nil }
}

/// The documents of one term's postings; also the term frequency on the current one.
final class TermDocs: DocIterator {
    private(set) var postings: PostingsIterator

    init(_ postings: PostingsIterator) {
        self.postings = postings
        super.init(cost: postings.docFreq)
        doc = postings.doc
    }

    var termFrequency: Int { postings.termFrequency }

    override func next() throws(IndexError) -> UInt32 {
        doc = try postings.next()
        return doc
    }

    override func advance(to target: UInt32) throws(IndexError) -> UInt32 {
        if doc < target { doc = try postings.advance(to: target) }
        return doc
    }

    func block(containing target: UInt32) -> PostingsIterator.Block? { postings.block(containing: target) }

    func maxImpact(_ block: PostingsIterator.Block, _ score: (Int, Int) -> Double) -> Double { postings.maxImpact(block, score) }

    func positions(into buffer: inout [UInt32]) throws(IndexError) { try postings.positions(into: &buffer) }
}

/// Documents every clause matches. The approximations are aligned leapfrog-style, led by the
/// cheapest clause; confirmation asks the clauses that need it, cheapest first.
final class ConjunctionDocs: DocIterator {
    private let clauses: [DocIterator]
    private let confirming: [DocIterator]

    init(_ clauses: [DocIterator]) throws(IndexError) {
        precondition(!clauses.isEmpty)
        self.clauses = clauses.sorted { $0.cost < $1.cost }
        confirming = self.clauses.filter { !$0.isExact }
        super.init(cost: self.clauses[0].cost)
        doc = try align(self.clauses[0].doc)
    }

    override func next() throws(IndexError) -> UInt32 {
        guard doc != Self.end else { return doc }
        doc = try align(try clauses[0].next())
        return doc
    }

    override func advance(to target: UInt32) throws(IndexError) -> UInt32 {
        if doc < target { doc = try align(try clauses[0].advance(to: target)) }
        return doc
    }

    /// Moves every clause to the first document at or after `target` that all approximations share.
    private func align(_ start: UInt32) throws(IndexError) -> UInt32 {
        var target = start
        outer: while target != Self.end {
            for clause in clauses {
                let doc = try clause.advance(to: target)
                if doc > target {
                    target = try clauses[0].advance(to: doc)
                    continue outer
                }
            }
            return target
        }
        return Self.end
    }

    override func matches() throws(IndexError) -> Bool {
        for clause in confirming where !(try clause.matches()) { return false }
        return true
    }

    override var isExact: Bool { confirming.isEmpty }
}

/// Documents any clause matches. Clauses are few (one per field or `OR` branch), so the
/// current document is found by a linear scan rather than a heap.
final class DisjunctionDocs: DocIterator {
    private let clauses: [DocIterator]

    init(_ clauses: [DocIterator]) {
        precondition(!clauses.isEmpty)
        self.clauses = clauses
        super.init(cost: clauses.reduce(0) { $0 + $1.cost })
        doc = clauses.map(\.doc).min()!
    }

    override func next() throws(IndexError) -> UInt32 {
        guard doc != Self.end else { return doc }
        var lowest = Self.end
        for clause in clauses {
            if clause.doc == doc { try clause.next() }
            lowest = min(lowest, clause.doc)
        }
        doc = lowest
        return doc
    }

    override func advance(to target: UInt32) throws(IndexError) -> UInt32 {
        guard doc < target else { return doc }
        var lowest = Self.end
        for clause in clauses { lowest = min(lowest, try clause.advance(to: target)) }
        doc = lowest
        return doc
    }

    override func matches() throws(IndexError) -> Bool {
        for clause in clauses where clause.doc == doc {
            if try clause.matches() { return true }
        }
        return false
    }

    override var isExact: Bool { clauses.allSatisfy(\.isExact) }
}

/// The documents of `inner` that `matches()` further confirms: the forwarding every filter
/// shares. Filters never make the approximation cheaper, only the confirmation stricter.
class FilteredDocs: DocIterator {
    let inner: DocIterator

    init(_ inner: DocIterator) {
        self.inner = inner
        super.init(cost: inner.cost)
        doc = inner.doc
    }

    override final func next() throws(IndexError) -> UInt32 {
        doc = try inner.next()
        return doc
    }

    override final func advance(to target: UInt32) throws(IndexError) -> UInt32 {
        doc = try inner.advance(to: target)
        return doc
    }

    override final var isExact: Bool { false }
}

/// Documents of `inner` that `exclude` does not match (`-part`).
final class ExclusionDocs: FilteredDocs {
    private let exclude: DocIterator

    init(_ include: DocIterator, excluding exclude: DocIterator) {
        self.exclude = exclude
        super.init(include)
    }

    override func matches() throws(IndexError) -> Bool {
        guard try inner.matches() else { return false }
        guard try exclude.advance(to: doc) == doc else { return true }
        return !(try exclude.matches())
    }
}

/// The documents of `inner` that the segment has not deleted (a replaced or removed file's
/// articles stay in their segment, marked, until a merge drops them).
final class LiveDocs: FilteredDocs {
    private let segment: SegmentReader

    init(_ inner: DocIterator, segment: SegmentReader) {
        self.segment = segment
        super.init(inner)
    }

    override func matches() throws(IndexError) -> Bool {
        guard !segment.isDeleted(doc) else { return false }
        return try inner.matches()
    }
}
