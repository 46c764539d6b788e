import HuojuIndex

/// A set of documents of one window (`Window`), one bit per document: bit i is the window's
/// first document + i. A view over words the `SegmentMatcher` owns; copying it copies the view.
///
/// Invariant: bits at or past `size` are always clear, so counting and iterating need no
/// masking.
struct WindowBits {
    let words: UnsafeMutablePointer<UInt64>
    /// Words in use: `(size + 63) / 64` for the current window.
    let count: Int
    let size: Int

    init(words: UnsafeMutablePointer<UInt64>, size: Int) {
        self.words = words
        self.size = size
        count = (size + 63) >> 6
    }

    func clear() { words.update(repeating: 0, count: count) }

    /// Every document of the window.
    func fill() {
        words.update(repeating: ~0, count: count)
        if size & 63 != 0 { words[count - 1] = (1 << UInt64(size & 63)) - 1 }
    }

    @inline(__always) func insert(_ offset: Int) { words[offset >> 6] |= 1 << UInt64(offset & 63) }
    @inline(__always) func remove(_ offset: Int) { words[offset >> 6] &= ~(1 << UInt64(offset & 63)) }
    @inline(__always) func contains(_ offset: Int) -> Bool { words[offset >> 6] & (1 << UInt64(offset & 63)) != 0 }

    func copy(from other: WindowBits) { words.update(from: other.words, count: count) }
    func formIntersection(_ other: WindowBits) { for i in 0..<count { words[i] &= other.words[i] } }
    func formUnion(_ other: WindowBits) { for i in 0..<count { words[i] |= other.words[i] } }
    func subtract(_ other: WindowBits) { for i in 0..<count { words[i] &= ~other.words[i] } }

    var isEmpty: Bool {
        for i in 0..<count where words[i] != 0 { return false }
        return true
    }

    var cardinality: Int {
        var total = 0
        for i in 0..<count { total += words[i].nonzeroBitCount }
        return total
    }

    /// The first member at or after `offset`, or nil.
    func first(from offset: Int) -> Int? {
        guard offset < size else { return nil }
        var i = offset >> 6
        var word = words[i] & (~0 << UInt64(offset & 63))
        while word == 0 {
            i += 1
            guard i < count else { return nil }
            word = words[i]
        }
        return i << 6 | word.trailingZeroBitCount
    }

    /// Calls `body` with every member, ascending.
    @inline(__always)
    func forEach(_ body: (Int) throws(IndexError) -> Void) throws(IndexError) {
        for i in 0..<count {
            var word = words[i]
            while word != 0 {
                try body(i << 6 | word.trailingZeroBitCount)
                word &= word - 1
            }
        }
    }
}
