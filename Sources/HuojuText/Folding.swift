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
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        var origins: [Int32] = []
        if offsets { origins.reserveCapacity(text.utf8.count + 1) }

        var chunk = String.UnicodeScalarView()
        var chunkStart = 0
        var byteOffset = 0

        func emit(_ scalar: Unicode.Scalar, from origin: Int) {
            let before = output.count
            UTF8.encode(scalar) { output.append($0) }
            if offsets { for _ in before..<output.count { origins.append(Int32(origin)) } }
        }
        func flushChunk() {
            guard !chunk.isEmpty else { return }
            for scalar in foldViaICU(String(chunk)).unicodeScalars { emit(scalar, from: chunkStart) }
            chunk.removeAll()
        }

        // The last scalar folded by table, so a combining mark after it can reclaim it.
        var previous: (scalar: Unicode.Scalar, outputStart: Int, origin: Int)?
        // The current run of ideographs folded by table, and whether it must be redone by ICU.
        var run: (inputStart: String.UnicodeScalarView.Index, outputStart: Int, origin: Int, contextual: Bool)?
        let scalars = text.unicodeScalars

        func finishRun(at end: String.UnicodeScalarView.Index) {
            guard let current = run else { return }
            run = nil
            guard current.contextual else { return }
            previous = nil
            output.removeSubrange(current.outputStart...)
            if offsets { origins.removeSubrange(current.outputStart...) }
            let input = scalars[current.inputStart..<end]
            let refolded = foldViaICU(String(input)).unicodeScalars
            // Keep per-character origins when the run kept its length (the usual case).
            var origin = current.origin
            var inputIterator = input.makeIterator()
            let sameLength = refolded.count == input.count
            for scalar in refolded {
                emit(scalar, from: origin)
                if sameLength, let consumed = inputIterator.next() { origin += UTF8.width(consumed) }
                else if !sameLength { origin = current.origin }
            }
        }

        var index = scalars.startIndex
        while index != scalars.endIndex {
            let scalar = scalars[index]
            let width = UTF8.width(scalar)
            defer { byteOffset += width; index = scalars.index(after: index) }
            let value = scalar.value
            let entry = value < 0x1_0000 ? table[Int(value)] : Self.viaICU
            if value < 0x1_0000 && entry != Self.viaICU && ScalarClass.isIdeograph(scalar) {
                flushChunk()
                if run == nil { run = (index, output.count, byteOffset, false) }
                if contextual[Int(value)] { run!.contextual = true }
            } else {
                finishRun(at: index)
            }
            if entry == Self.viaICU {
                if hj_nfkc_casefold_boundary_before(value) != 0 {
                    flushChunk()
                    chunkStart = byteOffset
                } else if chunk.isEmpty, let last = previous {
                    // It combines with the scalar before, which the table already folded alone.
                    output.removeSubrange(last.outputStart...)
                    if offsets { origins.removeSubrange(last.outputStart...) }
                    chunk.append(last.scalar)
                    chunkStart = last.origin
                } else if chunk.isEmpty {
                    chunkStart = byteOffset
                }
                previous = nil
                chunk.append(scalar)
                continue
            }
            flushChunk()
            previous = (scalar, output.count, byteOffset)
            if entry < Self.expansionBase {
                emit(Unicode.Scalar(entry)!, from: byteOffset)
            } else {
                for piece in expansions[Int(entry - Self.expansionBase)] { emit(piece, from: byteOffset) }
            }
        }
        flushChunk()
        finishRun(at: scalars.endIndex)
        if offsets { origins.append(Int32(byteOffset)) }
        return (String(decoding: output, as: UTF8.self), origins)
    }

    /// The reference fold: ICU's NFKC_Casefold then its Traditional-Simplified transform.
    public func foldViaICU(_ text: String) -> String {
        let nfkc = ICU.nfkcCasefold(text)
        return traditional.withLock { $0?.transform(nfkc) } ?? nfkc
    }
}
