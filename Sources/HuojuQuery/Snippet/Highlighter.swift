import HuojuText

/// Finds where a query's parts stand in original text and picks the best passage.
///
/// The index stores no offsets, so text is folded again (with offsets back to the original)
/// and searched: a part without gaps is a plain byte search in the folded text (for CJK that
/// is exactly a run of units; a Latin end must not continue into a longer word); a part with
/// gaps (quoted text with punctuation) is matched unit by unit with `UnitScanner`. The whole
/// occurrence — not each character — is marked, in original characters. Occurrences of the
/// query's words are marked too, which is what a partial match shows. No ICU is involved.
struct Highlighter {
    static let passageLength = 110

    enum Pattern {
        /// Folded UTF-8 of a gap-free part, and whether its first/last unit is a Latin word.
        case literal([UInt8], latinStart: Bool, latinEnd: Bool)
        case units([String?])
    }

    private let patterns: [Pattern]

    init(analyzer: Analyzer, plans: [PhrasePlan]) {
        var unitLists = plans.map(\.units).filter { !$0.isEmpty }
        for plan in plans {
            for word in plan.words {
                let units = analyzer.analyze(word).units.map { $0.map { String($0.text) } }
                if !units.isEmpty && !unitLists.contains(units) { unitLists.append(units) }
            }
        }
        patterns = unitLists.map { units in
            guard !units.contains(where: { $0 == nil }) else { return .units(units) }
            let latin = { (unit: String?) in !(unit?.unicodeScalars.contains(where: ScalarClass.isCJK) ?? true) }
            return .literal(Array(units.map { $0! }.joined().utf8), latinStart: latin(units.first!), latinEnd: latin(units.last!))
        }
    }

    /// Marked spans of `text` in Unicode-scalar offsets, merged and sorted.
    func spans(in text: String) -> [[Int]] {
        scalarRanges(text, byteSpans(in: text)).map { [$0.lowerBound, $0.upperBound] }
    }

    private func byteSpans(in text: String) -> [Range<Int>] {
        guard !text.isEmpty, !patterns.isEmpty else { return [] }
        let (folded, origins) = Folder.shared.fold(text, offsets: true)
        let haystack = Array(folded.utf8)
        var units: [UnitScanner.Unit?]?
        var spans: [Range<Int>] = []
        for pattern in patterns {
            switch pattern {
            case .literal(let needle, let latinStart, let latinEnd):
                for start in Self.occurrences(of: needle, in: haystack) {
                    let end = start + needle.count
                    if latinStart && Self.continuesWord(haystack, before: start) { continue }
                    if latinEnd && Self.continuesWord(haystack, after: end) { continue }
                    spans.append(Int(origins[start])..<Int(origins[end]))
                }
            case .units(let pattern):
                let scanned = units ?? UnitScanner.units(of: text)
                units = scanned
                guard pattern.count <= scanned.count else { continue }
                for start in 0...(scanned.count - pattern.count) where Self.same(scanned[start], pattern[0]) {
                    let matches = (0..<pattern.count).allSatisfy { Self.same(scanned[start + $0], pattern[$0]) }
                    guard matches, let first = scanned[start], let last = scanned[start + pattern.count - 1] else { continue }
                    spans.append(first.range.lowerBound..<last.range.upperBound)
                }
            }
        }
        spans.sort { $0.lowerBound < $1.lowerBound }
        var merged: [Range<Int>] = []
        for span in spans {
            if let last = merged.last, span.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, span.upperBound)
            } else {
                merged.append(span)
            }
        }
        return merged
    }

    /// Start offsets of every occurrence of `needle` (non-empty) in `haystack`.
    private static func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> [Int] {
        guard !needle.isEmpty, needle.count <= haystack.count else { return [] }
        var result: [Int] = []
        let first = needle[0]
        var i = 0
        while i <= haystack.count - needle.count {
            if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) {
                result.append(i)
                i += needle.count
            } else {
                i += 1
            }
        }
        return result
    }

    /// Whether the scalar ending just before `offset` (or starting at `offset`) is a letter or
    /// digit, i.e. a Latin match there would be part of a longer word.
    private static func continuesWord(_ bytes: [UInt8], before offset: Int) -> Bool {
        var start = offset - 1
        while start > 0 && bytes[start] & 0xC0 == 0x80 { start -= 1 }
        return start >= 0 && isWordCharacter(bytes, at: start)
    }

    private static func continuesWord(_ bytes: [UInt8], after offset: Int) -> Bool {
        offset < bytes.count && isWordCharacter(bytes, at: offset)
    }

    private static func isWordCharacter(_ bytes: [UInt8], at offset: Int) -> Bool {
        var iterator = bytes[offset...].makeIterator()
        var decoder = UTF8()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator) else { return false }
        return ScalarClass.isWordCharacter(scalar)
    }

    /// A unit equals a pattern element when both are gaps or both hold the same text.
    private static func same(_ unit: UnitScanner.Unit?, _ pattern: String?) -> Bool {
        switch (unit, pattern) {
        case (nil, nil): true
        case (let unit?, let pattern?): unit.text == pattern[...]
        default: false
        }
    }

    /// The passage of about `passageLength` characters holding the most marked spans, with
    /// the spans relative to it. Without any match, the start of the text. A span across
    /// either edge widens the passage to hold it whole: a highlight is never cut in two.
    ///
    /// Linear in the text and the number of matches: a long document full of matches (a
    /// 50 MB single-line file) must not turn one hit into minutes of work.
    func snippet(_ text: String) -> (text: String, highlights: [[Int]]) {
        let spans = scalarRanges(text, byteSpans(in: text))
        var text = text
        return text.withUTF8 { bytes in
            var start = 0
            if let first = spans.first {
                // Spans are sorted and disjoint: the spans inside a window are a contiguous run,
                // and both ends of that run only move forward as the window does.
                var best = (count: 0, start: first.lowerBound)
                var inside = 0, beyond = 0
                for span in spans {
                    let windowStart = max(0, span.lowerBound - 12)
                    while spans[inside].lowerBound < windowStart { inside += 1 }
                    beyond = max(beyond, inside)
                    while beyond < spans.count, spans[beyond].upperBound <= windowStart + Self.passageLength { beyond += 1 }
                    let count = beyond - inside
                    if count > best.count { best = (count, windowStart) }
                }
                start = best.start
            }
            // Prefer to begin at a sentence start a little before the match.
            var cursor = ScalarCursor(bytes)
            if start > 0 {
                cursor.advance(to: max(0, start - 30))
                var sentenceStart: Int?
                while cursor.scalar < start {
                    if cursor.isSentenceEnd { sentenceStart = cursor.scalar + 1 }
                    cursor.advance(to: cursor.scalar + 1)
                }
                if let sentenceStart { start = sentenceStart }
            }
            var end = start + Self.passageLength
            for span in spans where span.lowerBound < start && span.upperBound > start { start = span.lowerBound }
            for span in spans where span.lowerBound < end && span.upperBound > end { end = span.upperBound }
            cursor = ScalarCursor(bytes)
            cursor.advance(to: start)
            let (startByte, first) = (cursor.byte, cursor.scalar)
            cursor.advance(to: end)
            end = cursor.scalar
            start = first
            let passage = String(unsafeUninitializedCapacity: cursor.byte - startByte) { out in
                for i in startByte..<cursor.byte { out[i - startByte] = bytes[i] == 0x0A ? 0x20 : bytes[i] }
                return cursor.byte - startByte
            }
            let highlights = spans.compactMap { span -> [Int]? in
                let lower = max(span.lowerBound, start), upper = min(span.upperBound, end)
                return lower < upper ? [lower - start, upper - start] : nil
            }
            return (passage, highlights)
        }
    }

    /// Scalar offsets of sorted, disjoint UTF-8 byte ranges of `text`, in one pass over it.
    private func scalarRanges(_ text: String, _ ranges: [Range<Int>]) -> [Range<Int>] {
        guard !ranges.isEmpty else { return [] }
        var text = text
        return text.withUTF8 { bytes in
            var cursor = ScalarCursor(bytes)
            return ranges.map { range in
                cursor.advance(toByte: range.lowerBound)
                let lower = cursor.scalar
                cursor.advance(toByte: range.upperBound)
                return lower..<cursor.scalar
            }
        }
    }
}

/// Walks UTF-8 text a scalar at a time, forward only: scalar offsets to byte offsets and back.
private struct ScalarCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    /// The scalar the cursor stands on and its first byte (`bytes.count` at the end).
    private(set) var scalar = 0
    private(set) var byte = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Moves to scalar `target`, or to the end of the text.
    mutating func advance(to target: Int) {
        while scalar < target, byte < bytes.count { step() }
    }

    /// Moves to the scalar that starts at byte `target` (a scalar boundary), or to the end.
    mutating func advance(toByte target: Int) {
        while byte < target, byte < bytes.count { step() }
    }

    /// To the next scalar: past its continuation bytes (10xxxxxx).
    private mutating func step() {
        byte += 1
        while byte < bytes.count, bytes[byte] & 0xC0 == 0x80 { byte += 1 }
        scalar += 1
    }

    /// Whether the current scalar ends a sentence: 。！？； or a line break.
    var isSentenceEnd: Bool {
        guard byte < bytes.count else { return false }
        switch bytes[byte] {
        case 0x0A: return true
        case 0xE3: return byte + 2 < bytes.count && bytes[byte + 1] == 0x80 && bytes[byte + 2] == 0x82
        case 0xEF:
            guard byte + 2 < bytes.count, bytes[byte + 1] == 0xBC else { return false }
            let last = bytes[byte + 2]
            return last == 0x81 || last == 0x9F || last == 0x9B
        default: return false
        }
    }
}
