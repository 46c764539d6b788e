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

/// Receives the tokens of one folded text as integers and bytes, in the order `Analysis.tokens`
/// lists them: the index-time path, where a String per token would cost more than ICU itself.
public protocol TokenSink {
    /// A CJK unigram (one scalar value) at `position`.
    mutating func unigram(_ scalar: UInt32, at position: Int32)
    /// A CJK bigram (two adjacent scalar values) starting at `position`.
    mutating func bigram(_ first: UInt32, _ second: UInt32, at position: Int32)
    /// An ICU word of two or more CJK characters: its folded UTF-8, valid only during the call.
    mutating func word(_ utf8: UnsafeBufferPointer<UInt8>, at position: Int32)
    /// A Latin word or number, a unit of its own that phrases match: its folded UTF-8, valid
    /// only during the call.
    mutating func latin(_ utf8: UnsafeBufferPointer<UInt8>, at position: Int32)
    /// A unit starting: its byte range in the folded text, and whether a gap position precedes it.
    mutating func unit(_ bytes: Range<Int>, isCJK: Bool, afterGap: Bool)
}

extension TokenSink {
    /// Units matter to the query side (highlighting), not to the index.
    public mutating func unit(_ bytes: Range<Int>, isCJK: Bool, afterGap: Bool) {}
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
    /// ICU's segments are read in batches of this buffer, so memory does not grow with the text.
    private var segments = [hj_segment](repeating: hj_segment(), count: 1024)

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

    /// The query side: tokens as Strings, with units (and their offsets in `text`).
    public func analyze(_ text: String, offsets: Bool = false) -> Analysis {
        var (folded, origins) = folder.fold(text, offsets: offsets)
        var collector = AnalysisCollector(folded: folded, origins: origins, offsets: offsets)
        let (length, positions) = folded.withUTF8 { tokens(of: $0, into: &collector) }
        collector.result.length = length
        collector.result.positions = positions
        return collector.result
    }

    /// The index side: the tokens of already-folded UTF-8 (`Folder.fold`) into `sink`, with no
    /// allocation per token. Returns the field length in units.
    public func index<Sink: TokenSink>(folded utf8: UnsafeBufferPointer<UInt8>, into sink: inout Sink) -> Int {
        tokens(of: utf8, into: &sink).length
    }

    /// The one tokenization both sides share: ICU's segments walked a scalar at a time.
    private func tokens<Sink: TokenSink>(of utf8: UnsafeBufferPointer<UInt8>, into sink: inout Sink) -> (length: Int, positions: Int) {
        guard let base = utf8.baseAddress, !utf8.isEmpty else { return (0, 0) }
        var position: Int32 = 0
        var length = 0
        var gapPending = false
        var previousCJK: UInt32 = 0  // the CJK unit just before, when adjacent (0: none)

        @inline(__always) func beginUnit(_ bytes: Range<Int>, isCJK: Bool) -> Int32 {
            let gap = gapPending && length > 0
            if gap { position += 1 }
            gapPending = false
            sink.unit(bytes, isCJK: isCJK, afterGap: gap)
            let unit = position
            position += 1
            length += 1
            return unit
        }
        var latinStart = -1
        @inline(__always) func flushLatin(upTo end: Int) {
            guard latinStart >= 0 else { return }
            let start = latinStart
            latinStart = -1
            let unit = beginUnit(start..<end, isCJK: false)
            sink.latin(UnsafeBufferPointer(rebasing: utf8[start..<end]), at: unit)
            previousCJK = 0
        }

        forEachSegment(base, utf8.count) { segment in
            let start = Int(segment.start), end = Int(segment.end)
            let isWordSegment = segment.status >= 100
            var cjkInSegment = 0
            var firstCJKPosition: Int32 = 0
            var offset = start
            while offset < end {
                let lead = utf8[offset]
                var value = UInt32(lead)
                var width = 1
                if lead >= 0x80 {
                    width = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
                    value = UInt32(lead & (width == 2 ? 0x1F : width == 3 ? 0x0F : 0x07))
                    for k in 1..<width { value = value << 6 | UInt32(utf8[offset + k] & 0x3F) }
                }
                if ScalarClass.isCJK(value: value) {
                    flushLatin(upTo: offset)
                    let unit = beginUnit(offset..<(offset + width), isCJK: true)
                    if cjkInSegment == 0 { firstCJKPosition = unit }
                    cjkInSegment += 1
                    if previousCJK != 0 { sink.bigram(previousCJK, value, at: unit - 1) }
                    sink.unigram(value, at: unit)
                    previousCJK = value
                } else if isWordSegment || ScalarClass.isWordCharacter(value: value) {
                    // Inside an ICU word ("3.2", "1,280", "5g") every non-CJK character belongs to it.
                    if latinStart < 0 { latinStart = offset }
                } else {
                    flushLatin(upTo: offset)
                    gapPending = true
                    previousCJK = 0
                }
                offset += width
            }
            flushLatin(upTo: end)
            // A dictionary word of several CJK characters carries ranking weight of its own.
            if isWordSegment && cjkInSegment >= 2 {
                sink.word(UnsafeBufferPointer(rebasing: utf8[start..<end]), at: firstCJKPosition)
            }
        }
        return (length, Int(position))
    }

    /// ICU's words of the folded text, punctuation and spaces dropped: what a plain ICU
    /// analyzer (Lucene's, Tantivy with ICU) would index. Used to feed peers in benchmarks.
    public func icuWords(_ text: String) -> [String] {
        var folded = folder.fold(text).text
        return folded.withUTF8 { utf8 in
            var words: [String] = []
            guard let base = utf8.baseAddress else { return words }
            forEachSegment(base, utf8.count) { segment in
                let word = String(decoding: UnsafeBufferPointer(rebasing: utf8[Int(segment.start)..<Int(segment.end)]), as: UTF8.self)
                if segment.status >= 100 || word.unicodeScalars.contains(where: ScalarClass.isCJK) { words.append(word) }
            }
            return words
        }
    }

    /// Only ICU word break over already-folded UTF-8: the baseline the full analysis is
    /// measured against. Returns the number of segments.
    public func segmentOnly(_ folded: String) -> Int {
        var folded = folded
        var count = 0
        folded.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return }
            forEachSegment(base, utf8.count) { _ in count += 1 }
        }
        return count
    }

    /// Runs ICU word break over valid UTF-8, a batch of segments at a time.
    private func forEachSegment(_ text: UnsafePointer<UInt8>, _ count: Int, _ body: (hj_segment) -> Void) {
        precondition(count <= Int(Int32.max), "text over 2 GB")
        let begun = text.withMemoryRebound(to: CChar.self, capacity: count) { hj_segment_begin(segmenter, $0, Int32(count)) }
        precondition(begun == 0, "ICU word break failed")
        let capacity = Int32(segments.count)
        while true {
            let filled = segments.withUnsafeMutableBufferPointer { hj_segment_next(segmenter, $0.baseAddress, capacity) }
            precondition(filled >= 0, "ICU word break failed")
            if filled == 0 { return }
            for index in 0..<Int(filled) { body(segments[index]) }
        }
    }
}

/// The query side's sink: tokens as Strings, units as substrings of the folded text.
private struct AnalysisCollector: TokenSink {
    var result: Analysis
    let origins: [Int32]
    let offsets: Bool

    init(folded: String, origins: [Int32], offsets: Bool) {
        result = Analysis(folded: folded, tokens: [], length: 0, positions: 0, unitRanges: [], units: [])
        result.tokens.reserveCapacity(folded.utf8.count)
        self.origins = origins
        self.offsets = offsets
    }

    mutating func unigram(_ scalar: UInt32, at position: Int32) {
        result.tokens.append(Token(.gram, String(Unicode.Scalar(scalar)!), at: position))
    }

    mutating func bigram(_ first: UInt32, _ second: UInt32, at position: Int32) {
        result.tokens.append(Token(.gram, String(Unicode.Scalar(first)!) + String(Unicode.Scalar(second)!), at: position))
    }

    mutating func word(_ utf8: UnsafeBufferPointer<UInt8>, at position: Int32) {
        result.tokens.append(Token(.word, String(decoding: utf8, as: UTF8.self), at: position))
    }

    mutating func latin(_ utf8: UnsafeBufferPointer<UInt8>, at position: Int32) { word(utf8, at: position) }

    mutating func unit(_ bytes: Range<Int>, isCJK: Bool, afterGap: Bool) {
        if afterGap {
            result.units.append(nil)
            if offsets { result.unitRanges.append(0..<0) }
        }
        result.units.append((result.folded.utf8Slice(bytes), isCJK))
        if offsets { result.unitRanges.append(Int(origins[bytes.lowerBound])..<Int(origins[bytes.upperBound])) }
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
