import CICU

/// A term of the index vocabulary, in one of two layers that share one position space.
public struct Token: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: UInt8, Sendable {
        /// Recall layer: every CJK character (unigram) and every pair of adjacent CJK
        /// characters (bigram). Any CJK substring of a text is a chain of these.
        case gram = 1
        /// Ranking layer: ICU dictionary words of two or more CJK characters, and every
        /// Latin word or number (which also serve for matching).
        case word = 2
    }

    public var kind: Kind
    /// The folded text of the term.
    public var text: String
    /// The unit position where the term starts.
    public var position: Int32

    public init(_ kind: Kind, _ text: String, at position: Int32) {
        self.kind = kind
        self.text = text
        self.position = position
    }

    public var description: String { "\(kind == .gram ? "g" : "w"):\(text)@\(position)" }
}

/// One analyzed text (a field of a document, or one part of a query).
///
/// Positions count *units*: a CJK character or a whole Latin word/number is one unit. Any
/// run of other characters (space, punctuation) between two units leaves one empty position,
/// so adjacency in positions means adjacency in the folded text. This is what lets a phrase of
/// grams match exactly where the query string stands as a substring.
public struct Analysis: Sendable {
    /// The folded text that was segmented.
    public var folded: String
    public var tokens: [Token]
    /// Units in the text: the field length used by BM25.
    public var length: Int
    /// The number of positions used, units and gaps.
    public var positions: Int
    /// With `offsets`, the byte range in the *original* text of the unit at each position
    /// (an empty range for a gap).
    public var unitRanges: [Range<Int>]
    /// The units in order: CJK characters and Latin words, with `isCJK`. A gap is nil.
    public var units: [(text: Substring, isCJK: Bool)?]
}

/// Folds, segments with ICU word break (`zh`) and emits the two token layers.
///
/// Not thread-safe: it owns an ICU break iterator. Use one per thread (they are cheap).
public final class Analyzer {
    /// Changes whenever tokens could differ for the same input: stored in every index, which
    /// is refused when its analyzer differs.
    public static var version: String { "huoju-analyzer-1/icu-\(ICU.version)" }

    private let segmenter: OpaquePointer
    private let folder: Folder
    private var segments: [hj_segment] = []

    public init(folder: Folder = .shared) {
        guard let segmenter = hj_segmenter_open() else {
            fatalError("ICU word break iterator for zh could not be opened (is libicu-dev's data installed?)")
        }
        self.segmenter = segmenter
        self.folder = folder
    }

    deinit { hj_segmenter_close(segmenter) }

    /// CJK units: ideographs and kana.
    @inline(__always)
    public static func isCJK(_ scalar: Unicode.Scalar) -> Bool { ScalarClass.isCJK(scalar) }

    public func analyze(_ text: String, offsets: Bool = false) -> Analysis {
        let (folded, origins) = folder.fold(text, offsets: offsets)
        var result = Analysis(folded: folded, tokens: [], length: 0, positions: 0, unitRanges: [], units: [])
        let utf8 = Array(folded.utf8)
        guard !utf8.isEmpty else { return result }

        let count = segment(utf8)
        result.tokens.reserveCapacity(utf8.count)

        var position: Int32 = 0
        var gapPending = false
        var previousCJK: Unicode.Scalar?   // the CJK unit just before, when adjacent

        func beginUnit(byteRange: Range<Int>, text: Substring, isCJK: Bool) -> Int32 {
            if gapPending && result.length > 0 {
                result.units.append(nil)
                if offsets { result.unitRanges.append(0..<0) }
                position += 1
            }
            gapPending = false
            let unit = position
            position += 1
            result.length += 1
            result.units.append((text, isCJK))
            if offsets {
                result.unitRanges.append(Int(origins[byteRange.lowerBound])..<Int(origins[byteRange.upperBound]))
            }
            return unit
        }

        for index in 0..<count {
            let segment = segments[index]
            let bytes = Int(segment.start)..<Int(segment.end)
            let isWordSegment = segment.status >= 100
            var cjkInSegment = 0
            var firstCJKPosition: Int32 = 0
            var latinStart: Int?
            var offset = bytes.lowerBound

            func flushLatin(upTo end: Int) {
                guard let start = latinStart else { return }
                latinStart = nil
                let word = folded.utf8Slice(start..<end)
                let unit = beginUnit(byteRange: start..<end, text: word, isCJK: false)
                result.tokens.append(Token(.word, String(word), at: unit))
                previousCJK = nil
            }

            var iterator = utf8[bytes].makeIterator()
            var decoder = UTF8()
            decoding: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar):
                    let width = UTF8.width(scalar)
                    defer { offset += width }
                    if Self.isCJK(scalar) {
                        flushLatin(upTo: offset)
                        let unit = beginUnit(byteRange: offset..<(offset + width),
                                             text: folded.utf8Slice(offset..<(offset + width)), isCJK: true)
                        if cjkInSegment == 0 { firstCJKPosition = unit }
                        cjkInSegment += 1
                        if let previous = previousCJK {
                            result.tokens.append(Token(.gram, String(previous) + String(scalar), at: unit - 1))
                        }
                        result.tokens.append(Token(.gram, String(scalar), at: unit))
                        previousCJK = scalar
                    } else if isWordSegment || ScalarClass.isWordCharacter(scalar) {
                        // Inside an ICU word ("3.2", "1,280", "5g") every non-CJK character belongs to it.
                        if latinStart == nil { latinStart = offset }
                    } else {
                        flushLatin(upTo: offset)
                        gapPending = true
                        previousCJK = nil
                    }
                case .emptyInput:
                    break decoding
                case .error:
                    break decoding  // cannot happen: `folded` is a Swift String
                }
            }
            flushLatin(upTo: bytes.upperBound)
            // A dictionary word of several CJK characters carries ranking weight of its own.
            if isWordSegment && cjkInSegment >= 2 {
                result.tokens.append(Token(.word, String(folded.utf8Slice(bytes)), at: firstCJKPosition))
            }
        }
        result.positions = Int(position)
        return result
    }

    /// ICU's words of the folded text, punctuation and spaces dropped: what a plain ICU
    /// analyzer (Lucene's, Tantivy with ICU) would index. Used to feed peers in benchmarks.
    public func icuWords(_ text: String) -> [String] {
        let folded = folder.fold(text).text
        let utf8 = Array(folded.utf8)
        let count = segment(utf8)
        return (0..<count).compactMap { index -> String? in
            let segment = segments[index]
            let word = folded.utf8Slice(Int(segment.start)..<Int(segment.end))
            let meaningful = segment.status >= 100 || word.unicodeScalars.contains(where: ScalarClass.isCJK)
            return meaningful ? String(word) : nil
        }
    }

    /// Only ICU word break over already-folded UTF-8: the baseline the full analysis is
    /// measured against. Returns the number of segments.
    public func segmentOnly(_ folded: String) -> Int {
        segment(Array(folded.utf8))
    }

    /// Runs ICU word break over the folded UTF-8, growing the segment buffer when needed.
    private func segment(_ utf8: [UInt8]) -> Int {
        if segments.count < utf8.count + 1 {
            segments = [hj_segment](repeating: hj_segment(), count: utf8.count + 1)
        }
        let count = utf8.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                segments.withUnsafeMutableBufferPointer { out in
                    hj_segment_utf8(segmenter, chars.baseAddress, Int32(chars.count), out.baseAddress, Int32(out.count))
                }
            }
        }
        precondition(count >= 0, "ICU word break failed")
        return Int(count)
    }
}

extension String {
    /// The substring at a range of UTF-8 offsets that fall on scalar boundaries.
    func utf8Slice(_ range: Range<Int>) -> Substring {
        let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        let end = utf8.index(start, offsetBy: range.count)
        return self[start..<end]
    }
}
