/// Words over Unicode scalars, for finding the longest word that starts at a position.
///
/// Most characters of a text start no word; a bitmap of first scalars answers that without
/// touching the trie, which keeps recognition cheap next to analysis at indexing time.
struct NameTrie<Value: Sendable>: Sendable {
    private var children: [[UInt32: Int32]] = [[:]]
    private var values: [Value?] = [nil]
    private var firsts = [UInt64](repeating: 0, count: 0x1_0000 / 64)
    private var firstsBeyondBMP: Set<UInt32> = []

    mutating func insert(_ word: [Unicode.Scalar], _ value: Value) {
        guard let first = word.first else { return }
        if first.value < 0x1_0000 { firsts[Int(first.value >> 6)] |= 1 << UInt64(first.value & 63) } else { firstsBeyondBMP.insert(first.value) }
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
        let first = text[position].value
        if first < 0x1_0000 {
            guard firsts[Int(first >> 6)] & (1 << UInt64(first & 63)) != 0 else { return nil }
        } else if !firstsBeyondBMP.contains(first) {
            return nil
        }
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

/// A small set of words, for asking whether a stretch of text starts, ends with or is one.
struct WordList: Sendable {
    private let words: Set<String>
    private let longest: Int

    init(_ words: [String]) {
        self.words = Set(words)
        longest = words.map(\.unicodeScalars.count).max() ?? 0
    }

    func contains(_ text: some Collection<Unicode.Scalar>) -> Bool { words.contains(Self.string(text)) }

    /// The length of the longest word that `text[..<end]` ends with, or nil.
    func suffixLength(of text: [Unicode.Scalar], endingAt end: Int) -> Int? {
        for length in stride(from: min(longest, end), through: 1, by: -1) where words.contains(Self.string(text[(end - length)..<end])) {
            return length
        }
        return nil
    }

    /// The length of the longest word that `text[start...]` starts with, or nil.
    func prefixLength(of text: some Collection<Unicode.Scalar>) -> Int? {
        let scalars = Array(text)
        for length in stride(from: min(longest, scalars.count), through: 1, by: -1) where words.contains(Self.string(scalars[..<length])) {
            return length
        }
        return nil
    }

    /// True when any word stands anywhere inside `text`.
    func occurs(in text: some Collection<Unicode.Scalar>) -> Bool {
        let scalars = Array(text)
        for start in scalars.indices where prefixLength(of: scalars[start...]) != nil { return true }
        return false
    }

    private static func string(_ scalars: some Collection<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
