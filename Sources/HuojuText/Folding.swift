import CICU
import Synchronization

/// The text fold shared by documents and queries: NFKC with case folding, then
/// Traditional→Simplified Chinese.
///
/// ICU's `Traditional-Simplified` transform runs at ~10 MB/s, so it is never run over
/// documents. Instead, on first use, every BMP code point that starts a normalization chunk
/// of its own is folded once through ICU (both steps, in two batched calls) into a table; text
/// is then folded a code point at a time by lookup. Code points that combine with their
/// neighbours (combining marks, jamo) and those outside the BMP take ICU's path for their
/// chunk only. ICU's transform also has context rules (`著作` stays, `显著`→`显着`), so a run
/// of ideographs that contains a character the transform would change is re-folded as a whole
/// through ICU; in simplified text such runs are rare. `FoldingTests` proves the result equals
/// ICU's whole-text transform.
///
/// The fold is lossy (ICU maps some simplified characters too: `显著`→`显着`), which is fine
/// because it is applied identically on both sides and users only ever see original text.
public final class Folder: Sendable {
    public static let shared = Folder()

    /// Per BMP code point: a scalar value (< 0x110000), `Self.viaICU`, or
    /// `Self.expansionBase + i` for a multi-scalar (or empty) result in `expansions[i]`.
    private let table: [UInt32]
    private let expansions: [[Unicode.Scalar]]
    private let traditional: Mutex<Transliterator?>
    /// BMP code points that the transform changes when alone: a run of ideographs holding
    /// one goes through ICU as a whole, because context may keep it unchanged.
    private let contextual: [Bool]

    static let viaICU: UInt32 = 0xFFFF_FFFF
    static let expansionBase: UInt32 = 0x20_0000

    private init() {
        let transliterator = Transliterator(id: "Traditional-Simplified")
        var table = [UInt32](repeating: Self.viaICU, count: 0x1_0000)
        var expansions: [[Unicode.Scalar]] = []

        // Code points whose chunk is themselves alone can be folded in isolation.
        var standalone: [Unicode.Scalar] = []
        for value in UInt32(0)..<0x1_0000 {
            guard let scalar = Unicode.Scalar(value), value != 0x0A,
                  hj_nfkc_casefold_boundary_before(value) != 0 else { continue }
            standalone.append(scalar)
        }
        // Fold them all in one call per step, one code point per line.
        var joined = String.UnicodeScalarView()
        for scalar in standalone { joined.append(scalar); joined.append("\n") }
        let nfkc = ICU.nfkcCasefold(String(joined))
        let simplified = transliterator?.transform(nfkc) ?? nfkc
        var results = simplified.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        if results.last?.isEmpty == true { results.removeLast() }
        var contextual = [Bool](repeating: false, count: 0x1_0000)
        if results.count == standalone.count {
            let nfkcResults = nfkc.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
            for (index, (scalar, result)) in zip(standalone, results).enumerated() where index < nfkcResults.count {
                contextual[Int(scalar.value)] = !nfkcResults[index].elementsEqual(result)
            }
            for (scalar, result) in zip(standalone, results) {
                if result.count == 1 {
                    table[Int(scalar.value)] = result.first!.value
                } else {
                    table[Int(scalar.value)] = Self.expansionBase + UInt32(expansions.count)
                    expansions.append(Array(result))
                }
            }
        }
        // A count mismatch (a fold that produced or ate a newline) leaves every entry on
        // ICU's path: slower, never wrong.
        table[0x0A] = 0x0A
        self.table = table
        self.expansions = expansions
        self.traditional = Mutex(transliterator)
        self.contextual = contextual
    }

    /// Folds `text`. With `offsets`, also returns for every byte of the folded UTF-8 the
    /// offset of the original byte it came from, plus one final entry for the end.
    public func fold(_ text: String, offsets: Bool = false) -> (text: String, origins: [Int32]) {
        var text = text
        return text.withUTF8 { fold(utf8: $0, offsets: offsets) }
    }

    private func fold(utf8 input: UnsafeBufferPointer<UInt8>, offsets: Bool) -> (text: String, origins: [Int32]) {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var origins: [Int32] = []
        if offsets { origins.reserveCapacity(input.count + 1) }

        @inline(__always) func emit(_ scalar: Unicode.Scalar, from origin: Int) {
            let before = output.count
            UTF8.encode(scalar) { output.append($0) }
            if offsets { for _ in before..<output.count { origins.append(Int32(origin)) } }
        }
        func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: input[range]), as: UTF8.self) }

        // Scalars ICU must fold together (combining sequences, beyond the BMP): byte range.
        var chunk: Range<Int>?
        func flushChunk() {
            guard let range = chunk else { return }
            chunk = nil
            for scalar in foldViaICU(text(range)).unicodeScalars { emit(scalar, from: range.lowerBound) }
        }
        // The last scalar folded by table, so a combining mark after it can reclaim it.
        var previous: (start: Int, outputStart: Int)?
        // The current run of ideographs folded by table, and whether ICU must redo it.
        var run: (start: Int, outputStart: Int, contextual: Bool)?
        func finishRun(at end: Int) {
            guard let current = run else { return }
            run = nil
            guard current.contextual else { return }
            previous = nil
            output.removeSubrange(current.outputStart...)
            if offsets { origins.removeSubrange(current.outputStart...) }
            let original = text(current.start..<end)
            let refolded = foldViaICU(original).unicodeScalars
            // Keep per-character origins when the run kept its length (the usual case).
            let sameLength = refolded.count == original.unicodeScalars.count
            var origin = current.start
            var consumed = original.unicodeScalars.makeIterator()
            for scalar in refolded {
                emit(scalar, from: sameLength ? origin : current.start)
                if sameLength, let next = consumed.next() { origin += UTF8.width(next) }
            }
        }

        var offset = 0
        while offset < input.count {
            let lead = input[offset]
            // ASCII: lowercase letters, everything else as is.
            if lead < 0x80 {
                if run != nil { finishRun(at: offset) }
                if chunk != nil { flushChunk() }
                previous = (offset, output.count)
                output.append(lead &- 0x41 < 26 ? lead | 0x20 : lead)
                if offsets { origins.append(Int32(offset)) }
                offset += 1
                continue
            }
            let width = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            var value = UInt32(lead & (width == 2 ? 0x1F : width == 3 ? 0x0F : 0x07))
            for k in 1..<width { value = value << 6 | UInt32(input[offset + k] & 0x3F) }
            let scalar = Unicode.Scalar(value)!
            let entry = value < 0x1_0000 ? table[Int(value)] : Self.viaICU
            if entry != Self.viaICU && ScalarClass.isIdeograph(scalar) {
                if chunk != nil { flushChunk() }
                if run == nil { run = (offset, output.count, false) }
                if contextual[Int(value)] { run!.contextual = true }
            } else if run != nil {
                finishRun(at: offset)
            }
            if entry == Self.viaICU {
                if hj_nfkc_casefold_boundary_before(value) != 0 {
                    flushChunk()
                    chunk = offset..<(offset + width)
                } else if let current = chunk {
                    chunk = current.lowerBound..<(offset + width)
                } else if let last = previous {
                    // It combines with the scalar before, which the table already folded alone.
                    output.removeSubrange(last.outputStart...)
                    if offsets { origins.removeSubrange(last.outputStart...) }
                    chunk = last.start..<(offset + width)
                } else {
                    chunk = offset..<(offset + width)
                }
                previous = nil
                offset += width
                continue
            }
            if chunk != nil { flushChunk() }
            previous = (offset, output.count)
            if entry < Self.expansionBase {
                emit(Unicode.Scalar(entry)!, from: offset)
            } else {
                for piece in expansions[Int(entry - Self.expansionBase)] { emit(piece, from: offset) }
            }
            offset += width
        }
        flushChunk()
        finishRun(at: input.count)
        if offsets { origins.append(Int32(input.count)) }
        return (String(decoding: output, as: UTF8.self), origins)
    }

    /// The reference fold: ICU's NFKC_Casefold then its Traditional-Simplified transform.
    public func foldViaICU(_ text: String) -> String {
        let nfkc = ICU.nfkcCasefold(text)
        return traditional.withLock { $0?.transform(nfkc) } ?? nfkc
    }
}
