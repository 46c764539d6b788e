/// A non-blank physical line, trimmed, with the layout facts the parsing rules use.
///
/// Everything works on Unicode scalars, never on `Character`s: grapheme breaking is slow on
/// huge lines and meaningless for garbage input, and every rule here is about single code points.
struct Line: Sendable {
    /// What a line is once attribution rules have looked at it.
    enum Kind: Equatable, Sendable {
        case text
        /// `(供稿:…)` content.
        case source(String)
        /// A role byline such as `本报记者 叶伟`.
        case byline(String)
        /// Person names alone, e.g. `张成 黄于穗 梁晓芳`.
        case names(String)
        /// A short photo credit: `图片来源:…`, `雷键/摄`.
        case caption
    }

    var text: String
    /// Number of blank lines before this one: one blank is how the PDF extraction separates
    /// paragraphs *and* broken pieces; two or more mark an image or a layout gap.
    var gapBefore: Int
    var spaceBefore: Bool
    var spaceAfter: Bool
    var kind: Kind = .text
    var shape: Shape

    init(text: String, gapBefore: Int, spaceBefore: Bool = false, spaceAfter: Bool = false) {
        self.text = text
        self.gapBefore = gapBefore
        self.spaceBefore = spaceBefore
        self.spaceAfter = spaceAfter
        self.shape = Shape(text)
    }

    var isText: Bool { kind == .text }
    /// A text line that can be a title, section name or subheading.
    var isHeading: Bool { kind == .text && shape.isHeadingLike }
}

/// How a line ends, which decides whether a PDF break after it is real.
enum Ending: Sendable {
    /// 。！？；… (possibly followed by closing quotes): the paragraph really ends.
    case terminal
    /// A closing quote or bracket not preceded by terminal punctuation: `…“2+1+N”`.
    case closer
    /// Cannot end a sentence or heading: `，、（“` or a function word such as `的`.
    case open
    case plain
}

/// Punctuation facts about a line, computed once so that joining lines stays linear.
struct Shape: Sendable {
    var length: Int
    var ending: Ending
    /// Clause punctuation (，、；。！？) outside quotes and brackets: the line is prose.
    var hasClausePunct: Bool
    var startsWithNonStarter: Bool
    var first: Unicode.Scalar?
    var last: Unicode.Scalar?

    static let maxHeadingLength = 50

    init(_ text: String) {
        let scalars = text.unicodeScalars
        first = scalars.first
        last = scalars.last
        startsWithNonStarter = first.map { Punct.nonStarters.contains($0) } ?? false
        ending = Punct.ending(of: scalars)
        let enumerator = Punct.enumeratorLength(scalars)
        var depth = 0
        var count = 0
        var clause = false
        for s in scalars {
            count += 1
            if count <= enumerator || !Punct.isShapeMark(s) { continue }
            if Punct.openers.contains(s) { depth += 1 }
            else if Punct.closers.contains(s) { depth = max(0, depth - 1) }
            else if depth == 0, Punct.clause.contains(s) { clause = true }
        }
        length = count
        hasClausePunct = clause
    }

    /// Short, unpunctuated and not cut off: a title, section name or subheading candidate.
    var isHeadingLike: Bool {
        length > 0 && length <= Self.maxHeadingLength && !hasClausePunct && !startsWithNonStarter
            && (ending == .plain || ending == .closer)
    }

    /// A piece of prose that stops mid-sentence, so a following piece may continue it.
    var isFragment: Bool {
        switch ending {
        case .open: return true
        case .plain: return hasClausePunct || length > Self.maxHeadingLength
        case .terminal, .closer: return false
        }
    }

    /// Shape of `a + separator + b` without rescanning the joined text.
    static func joined(_ a: Shape, _ b: Shape, separatorLength: Int) -> Shape {
        var s = a
        s.length = a.length + separatorLength + b.length
        s.ending = b.ending
        s.hasClausePunct = a.hasClausePunct || b.hasClausePunct
        s.last = b.last
        return s
    }
}

/// Character classes used by the line rules.
enum Punct {
    static let terminal: Set<Unicode.Scalar> = ["。", "．", "！", "？", "；", "!", "?", ";", "…", "：", ":", "."]
    static let clause: Set<Unicode.Scalar> = ["，", ",", "、", "；", ";", "。", "！", "？", "!", "?"]
    static let openers: Set<Unicode.Scalar> = ["“", "‘", "「", "『", "《", "〈", "(", "（", "【", "〔"]
    static let closers: Set<Unicode.Scalar> = ["”", "’", "」", "』", "》", "〉", ")", "）", "】", "〕"]
    /// Openers, closers and clause punctuation as one BMP bitmap: most scalars of a line are
    /// none of them, and one bit test costs far less than three set lookups.
    private static let shapeMarks: [UInt64] = {
        var bits = [UInt64](repeating: 0, count: 0x1_0000 / 64)
        for s in openers.union(closers).union(clause) { bits[Int(s.value >> 6)] |= 1 << UInt64(s.value & 63) }
        return bits
    }()

    @inline(__always)
    static func isShapeMark(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x1_0000 && shapeMarks[Int(s.value >> 6)] & (1 << UInt64(s.value & 63)) != 0
    }
    /// Things a line cannot end with unless it was cut: clause commas, opening marks, hyphens,
    /// and the few function characters that never close a heading.
    static let openEnders: Set<Unicode.Scalar> = [
        "，", ",", "、", "“", "‘", "「", "『", "《", "(", "（", "-", "—", "的", "和", "与", "及", "或",
    ]
    /// Things a line cannot start with unless it continues the previous one.
    static let nonStarters: Set<Unicode.Scalar> = [
        "，", ",", "、", "。", "．", "；", ";", "：", ":", "！", "？", "!", "?", ")", "）", "”", "’", "》", "」", "』", "%", "％",
    ]
    static let chineseNumerals: Set<Unicode.Scalar> = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "百"]

    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        // ASCII and common ideographs (most scalars) answer without the Unicode property lookup.
        if s.value < 0x80 { return s.value <= 0x20 || s.value == 0x7F }
        if (0x4E00...0x9FFF).contains(s.value) { return false }
        return s.properties.isWhitespace || s.value == 0x200B || s.value == 0xFEFF
    }

    static func isCJK(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3FFFF: return true
        default: return false
        }
    }

    static func isASCIIAlnum(_ s: Unicode.Scalar) -> Bool {
        s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s))
    }

    static func ending(of scalars: String.UnicodeScalarView) -> Ending {
        var i = scalars.endIndex
        guard i != scalars.startIndex else { return .plain }
        i = scalars.index(before: i)
        let last = scalars[i]
        if closers.contains(last) {
            // Look through the run of closers: `。”` ends a paragraph, `“2+1+N”` does not.
            while i != scalars.startIndex, closers.contains(scalars[i]) { i = scalars.index(before: i) }
            return terminal.contains(scalars[i]) ? .terminal : .closer
        }
        if terminal.contains(last) { return .terminal }
        if openEnders.contains(last) { return .open }
        return .plain
    }

    /// Length of a leading list marker (`一、`, `3.`, `12、`) so that `一、总体发展情况`
    /// still counts as a heading although it contains `、`.
    static func enumeratorLength(_ scalars: String.UnicodeScalarView) -> Int {
        var n = 0
        var digits = 0
        var numerals = 0
        for s in scalars.prefix(6) {
            n += 1
            if ("0"..."9").contains(s) { digits += 1; continue }
            if chineseNumerals.contains(s) { numerals += 1; continue }
            if s == "、" && (digits > 0) != (numerals > 0) { return n }
            if (s == "." || s == "．") && digits > 0 && numerals == 0 { return n }
            return 0
        }
        return 0
    }
}

/// Splits raw text into trimmed non-blank lines, counting the blank lines between them.
enum LineSplitter {
    static func lines(of text: String) -> [Line] {
        var result: [Line] = []
        var gap = 0
        let utf8 = text.utf8
        var start = utf8.startIndex
        var i = start
        func emit(_ end: String.Index) {
            let piece = text[start..<end].unicodeScalars
            var lo = piece.startIndex
            var hi = piece.endIndex
            while lo < hi, Punct.isSpace(piece[lo]) { lo = piece.index(after: lo) }
            while hi > lo, Punct.isSpace(piece[piece.index(before: hi)]) { hi = piece.index(before: hi) }
            if lo == hi {
                gap += 1
                return
            }
            let content = String(piece[lo..<hi])
            result.append(Line(text: content, gapBefore: gap,
                               spaceBefore: lo != piece.startIndex, spaceAfter: hi != piece.endIndex))
            gap = 0
        }
        // \r\n, lone \r and form feeds all end a line.
        while i != utf8.endIndex {
            let b = utf8[i]
            if b == 0x0A || b == 0x0D || b == 0x0C {
                emit(i)
                var next = utf8.index(after: i)
                if b == 0x0D, next != utf8.endIndex, utf8[next] == 0x0A { next = utf8.index(after: next) }
                start = next
                i = next
            } else {
                i = utf8.index(after: i)
            }
        }
        emit(utf8.endIndex)
        return result
    }
}

extension String {
    /// Comparison key for matching TOC entries against body lines: no whitespace or
    /// punctuation, full-width ASCII folded to half-width. Built as UTF-8 bytes: it is taken of
    /// every body line of a newsletter (running heads), so appending scalars one by one showed.
    var matchKey: String {
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        for s in unicodeScalars {
            if s.value < 0x80 {
                let kept = MatchKey.ascii[Int(s.value)]
                if kept != 0 { out.append(kept) }
            } else if (0x4E00...0x9FFF).contains(s.value) {
                // Common ideographs are letters: skip the (slow) Unicode property lookup for them.
                UTF8.encode(s) { out.append($0) }
            } else if let kept = MatchKey.kept(s) {
                UTF8.encode(kept) { out.append($0) }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    func hasAnyPrefix(_ prefixes: [String]) -> Bool { prefixes.contains { hasPrefix($0) } }

    /// Whether the text has at most `limit` scalars, counted no further than that: the short-line
    /// rules ask it of every line, and counting a whole long line cost more than the rule.
    func hasAtMostScalars(_ limit: Int) -> Bool {
        unicodeScalars.index(unicodeScalars.startIndex, offsetBy: limit + 1, limitedBy: unicodeScalars.endIndex) == nil
    }
}

/// What `matchKey` keeps of one scalar.
private enum MatchKey {
    /// `kept` of every ASCII scalar, as a byte; 0 when dropped (NUL is a space, so dropped too).
    static let ascii: [UInt8] = (0..<128).map { kept(Unicode.Scalar(UInt8($0))).map { UInt8(ascii: $0) } ?? 0 }

    /// The scalar as the key holds it (full-width ASCII made half-width, ASCII lowercased), or
    /// nil for whitespace and punctuation.
    static func kept(_ s: Unicode.Scalar) -> Unicode.Scalar? {
        var v = s
        if (0xFF01...0xFF5E).contains(s.value), let h = Unicode.Scalar(s.value - 0xFEE0) { v = h }
        if Punct.isSpace(v) { return nil }
        switch v.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation, .mathSymbol, .otherSymbol:
            return nil
        default:
            return v.isASCII ? Unicode.Scalar(UInt8(ascii: v).lowercasedASCII) : v
        }
    }
}

private extension UInt8 {
    init(ascii s: Unicode.Scalar) { self = UInt8(truncatingIfNeeded: s.value) }
    var lowercasedASCII: UInt8 { (65...90).contains(self) ? self + 32 : self }
}
