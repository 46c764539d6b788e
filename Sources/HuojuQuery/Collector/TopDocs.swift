/// A document found by a search: where it lives and its score.
struct ScoredDoc {
    var segment: Int
    var local: UInt32
    /// Snapshot-wide id; orders ties (the earlier document first), so results are stable.
    var global: Int
    var score: Double
    var partial: Bool

    /// Ranking order: higher score first, then lower global id.
    func ranksAbove(_ other: ScoredDoc) -> Bool {
        score > other.score || (score == other.score && global < other.global)
    }
}

/// Keeps the best `k` documents offered to it, in a binary heap whose root is the worst kept.
///
/// `threshold` is the score a new document must beat once the heap is full: top-k search
/// skips whatever provably cannot. Documents arrive in increasing global id, so one that only
/// ties the threshold ranks below every kept document and can be skipped too.
struct TopDocs {
    let k: Int
    private var heap: [ScoredDoc] = []

    init(k: Int) {
        self.k = k
        heap.reserveCapacity(k)
    }

    var isFull: Bool { heap.count >= k }

    /// Scores at or below this cannot enter; -infinity until the heap is full.
    var threshold: Double { isFull ? (heap.first?.score ?? .infinity) : -.infinity }

    mutating func offer(_ doc: ScoredDoc) {
        guard k > 0 else { return }
        if heap.count < k {
            heap.append(doc)
            siftUp(heap.count - 1)
        } else if doc.ranksAbove(heap[0]) {
            heap[0] = doc
            siftDown(0)
        }
    }

    /// The kept documents, best first.
    func sorted() -> [ScoredDoc] { heap.sorted { $0.ranksAbove($1) } }

    // The heap orders by "ranks below": the root is the document every other one ranks above.
    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[parent].ranksAbove(heap[child]) else { return }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1, right = left + 1
            var worst = parent
            if left < heap.count, heap[worst].ranksAbove(heap[left]) { worst = left }
            if right < heap.count, heap[worst].ranksAbove(heap[right]) { worst = right }
            if worst == parent { return }
            heap.swapAt(parent, worst)
            parent = worst
        }
    }
}
