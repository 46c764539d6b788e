import HuojuText

/// Finds where a query's parts stand in original text and picks the best passage.
///
/// Text is split into units again with `UnitScanner` (the index stores no offsets, and ICU is
/// not needed for this): a phrase occurs where the query's units repeat at consecutive positions, and the whole occurrence — not each
/// character — is marked, mapped back to the original (unfolded) characters. Occurrences of the
/// query's words are marked too, which is what a partial match shows.
struct Highlighter {
    static let passageLength = 110
    private let analyzer: Analyzer
    private let patterns: [[String?]]

    init(analyzer: Analyzer, plans: [PhrasePlan]) {
        self.analyzer = analyzer
        var patterns = plans.map(\.units).filter { !$0.isEmpty }
        for plan in plans {
            for word in plan.words {
                let units = analyzer.analyze(word).units.map { $0.map { String($0.text) } }
                if !units.isEmpty && !patterns.contains(units) { patterns.append(units) }
            }
        }
        self.patterns = patterns
    }

    /// Marked spans of `text` in Unicode-scalar offsets, merged and sorted.
    func spans(in text: String) -> [[Int]] {
        byteSpans(in: text).map { scalarRange(text, $0) }.map { [$0.lowerBound, $0.upperBound] }
    }

    private func byteSpans(in text: String) -> [Range<Int>] {
        guard !text.isEmpty, !patterns.isEmpty else { return [] }
        let units = UnitScanner.units(of: text)
        var spans: [Range<Int>] = []
        for pattern in patterns where pattern.count <= units.count {
            for start in 0...(units.count - pattern.count) where Self.same(units[start], pattern[0]) {
                let matches = (0..<pattern.count).allSatisfy { Self.same(units[start + $0], pattern[$0]) }
                guard matches, let first = units[start], let last = units[start + pattern.count - 1] else { continue }
                spans.append(first.range.lowerBound..<last.range.upperBound)
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

    /// A unit equals a pattern element when both are gaps or both hold the same text.
    private static func same(_ unit: UnitScanner.Unit?, _ pattern: String?) -> Bool {
        switch (unit, pattern) {
        case (nil, nil): true
        case (let unit?, let pattern?): unit.text == pattern[...]
        default: false
        }
    }

    /// The passage of about `passageLength` characters holding the most marked spans, with
    /// the spans relative to it. Without any match, the start of the text.
    func snippet(_ text: String) -> (text: String, highlights: [[Int]]) {
        let scalars = Array(text.unicodeScalars)
        let spans = byteSpans(in: text).map { scalarRange(text, $0) }
        var start = 0
        if let first = spans.first {
            var best = (count: 0, start: first.lowerBound)
            for span in spans {
                let windowStart = max(0, span.lowerBound - 12)
                let count = spans.filter { $0.lowerBound >= windowStart && $0.upperBound <= windowStart + Self.passageLength }.count
                if count > best.count { best = (count, windowStart) }
            }
            start = best.start
            // Prefer to begin at a sentence start a little before the match.
            if let sentenceStart = (max(0, start - 30)..<start).last(where: { "。！？；\n".unicodeScalars.contains(scalars[$0]) }) {
                start = sentenceStart + 1
            }
        }
        let end = min(scalars.count, start + Self.passageLength)
        var passage = String.UnicodeScalarView()
        passage.append(contentsOf: scalars[start..<end].map { $0 == "\n" ? " " : $0 })
        let highlights = spans.compactMap { span -> [Int]? in
            let lower = max(span.lowerBound, start), upper = min(span.upperBound, end)
            return lower < upper ? [lower - start, upper - start] : nil
        }
        return (String(passage), highlights)
    }

    private func scalarRange(_ text: String, _ bytes: Range<Int>) -> Range<Int> {
        let utf8 = text.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: bytes.lowerBound)
        let upper = utf8.index(utf8.startIndex, offsetBy: bytes.upperBound)
        let start = text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: lower)
        return start..<(start + text.unicodeScalars.distance(from: lower, to: upper))
    }
}
