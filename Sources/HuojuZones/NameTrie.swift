/// Words over Unicode scalars, for finding the longest word that starts at a position.
///
/// Most characters of a text start no word; a bitmap of first scalars answers that without
/// touching the trie, which keeps recognition cheap next to analysis at indexing time.
struct NameTrie<Value: Sendable>: Sendable {
    private var children: [[UInt32: Int32]] = [[:]]
    private var values: [Value?] = [nil]
    private var firsts = ScalarSet()

    mutating func insert(_ word: [Unicode.Scalar], _ value: Value) {
        guard let first = word.first else { return }
        firsts.insert(first)
        var node = 0
        for scalar in word {
            if let next = children[node][scalar.value] { node = Int(next); continue }
            children.append([:])
            values.append(nil)
            children[node][scalar.value] = Int32(children.count - 1)
            node = children.count - 1
        }
        values[node] = value
    }

    /// The longest word that starts at `position` of `text`: where it ends and its value.
    func longest(in text: [Unicode.Scalar], at position: Int) -> (end: Int, value: Value)? {
        guard firsts.contains(text[position]) else { return nil }
        var node = 0
        var best: (end: Int, value: Value)?
        var index = position
        while index < text.count, let next = children[node][text[index].value] {
            node = Int(next)
            index += 1
            if let value = values[node] { best = (index, value) }
        }
        return best
    }
}

/// A set of scalars as a bitmap over the BMP (the rest hashed): asked at every position of a
/// text, where hashing each scalar cost more than the scan around it.
struct ScalarSet: Sendable {
    private var bits = [UInt64](repeating: 0, count: 0x1_0000 / 64)
    private var beyondBMP: Set<UInt32> = []

    init() {}

    init(_ scalars: some Sequence<Unicode.Scalar>) {
        for scalar in scalars { insert(scalar) }
    }

    mutating func insert(_ scalar: Unicode.Scalar) {
        if scalar.value < 0x1_0000 { bits[Int(scalar.value >> 6)] |= 1 << UInt64(scalar.value & 63) } else { beyondBMP.insert(scalar.value) }
    }

    @inline(__always)
    func contains(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x1_0000 ? bits[Int(scalar.value >> 6)] & (1 << UInt64(scalar.value & 63)) != 0 : beyondBMP.contains(scalar.value)
    }
}

/// A small set of words, for asking whether text at a position starts or ends with one.
/// Words are grouped by their first and last scalar, and a position whose scalar starts (or
/// ends) no word is answered by a bitmap, so nothing is hashed or copied.
struct WordList: Sendable {
    private let byFirst: [UInt32: [[Unicode.Scalar]]]
    private let byLast: [UInt32: [[Unicode.Scalar]]]
    private let firsts: ScalarSet
    private let lasts: ScalarSet

    init(_ words: [String]) {
        var byFirst: [UInt32: [[Unicode.Scalar]]] = [:], byLast: [UInt32: [[Unicode.Scalar]]] = [:]
        for word in Set(words) {
            let scalars = Array(word.unicodeScalars)
            guard let first = scalars.first, let last = scalars.last else { continue }
            byFirst[first.value, default: []].append(scalars)
            byLast[last.value, default: []].append(scalars)
        }
        // Longest first, so the first hit is the longest word.
        self.byFirst = byFirst.mapValues { $0.sorted { $0.count > $1.count } }
        self.byLast = byLast.mapValues { $0.sorted { $0.count > $1.count } }
        firsts = ScalarSet(byFirst.keys.compactMap(Unicode.Scalar.init))
        lasts = ScalarSet(byLast.keys.compactMap(Unicode.Scalar.init))
    }

    /// The length of the longest word that `text[start..<end]` starts with, or nil.
    func prefixLength(of text: [Unicode.Scalar], at start: Int, end: Int? = nil) -> Int? {
        let end = end ?? text.count
        guard start < end, firsts.contains(text[start]), let candidates = byFirst[text[start].value] else { return nil }
        for word in candidates where start + word.count <= end && text[start..<(start + word.count)].elementsEqual(word) {
            return word.count
        }
        return nil
    }

    /// The length of the longest word that `text[start..<end]` ends with, or nil.
    func suffixLength(of text: [Unicode.Scalar], endingAt end: Int, from start: Int = 0) -> Int? {
        guard end > start, lasts.contains(text[end - 1]), let candidates = byLast[text[end - 1].value] else { return nil }
        for word in candidates where end - word.count >= start && text[(end - word.count)..<end].elementsEqual(word) {
            return word.count
        }
        return nil
    }

    /// True when any word stands anywhere inside `text[range]`.
    func occurs(in text: [Unicode.Scalar], range: Range<Int>) -> Bool {
        range.contains { prefixLength(of: text, at: $0, end: range.upperBound) != nil }
    }
}
