/// Where a term's postings are and how many documents hold it.
public struct TermInfo: Sendable, Equatable {
    /// The document and frequency of a term held by one document, inlined in the dictionary.
    public struct Single: Sendable, Equatable {
        public var doc: UInt32
        public var frequency: UInt32
    }

    public var docFreq: Int
    /// Offset of the term's postings in the segment's `.doc` file (unused when `single`).
    public var postingsOffset: UInt64
    /// Offset of the term's positions in the segment's `.pos` file (unused without positions).
    public var positionsOffset: UInt64
    /// Whether the term's positions are stored (`TermKey.keepsPositions`).
    public var keepsPositions: Bool
    public var single: Single?

    public init(docFreq: Int, postingsOffset: UInt64, positionsOffset: UInt64, keepsPositions: Bool, single: Single? = nil) {
        self.docFreq = docFreq
        self.postingsOffset = postingsOffset
        self.positionsOffset = positionsOffset
        self.keepsPositions = keepsPositions
        self.single = single
    }
}

/// Layout of a `.tdi` file (see docs/index-format.md):
///
///     header   u32 magic "HJTD", u32 version
///     blocks   each: vint n, then n entries of
///              vint shared-prefix, vint suffix-length, suffix,
///              vint (docFreq << 1 | keepsPositions),
///              docFreq 1: vint doc, vint frequency (inlined; nothing in `.doc`)
///              else:      vint postings offset
///              keepsPositions: vint positions offset
///              (each offset as a delta from the block's previous one, so the first is
///              absolute; the first entry of a block shares nothing, so its term can be read
///              without decoding the block before it)
///     index    u32 offset of each block, u32 block count, u32 term count
///     footer
enum TermDictionaryFormat {
    static let magic: UInt32 = 0x4454_4A48  // "HJTD"
    static let version: UInt32 = 2
    static let blockSize = 32
}

/// Writes terms given in ascending order.
struct TermDictionaryWriter {
    private var writer = ByteWriter(capacity: 1 << 16)
    private var blockOffsets: [UInt32] = []
    private var block: [(TermKey, TermInfo)] = []
    private var termCount = 0
    private var lastTerm: TermKey?

    init() {
        writer.writeUInt32(TermDictionaryFormat.magic)
        writer.writeUInt32(TermDictionaryFormat.version)
    }

    mutating func add(_ term: TermKey, _ info: TermInfo) {
        precondition(lastTerm.map { $0 < term } ?? true, "terms must be added in ascending order")
        lastTerm = term
        block.append((term, info))
        termCount += 1
        if block.count == TermDictionaryFormat.blockSize { flushBlock() }
    }

    private mutating func flushBlock() {
        guard !block.isEmpty else { return }
        blockOffsets.append(UInt32(writer.count))
        writer.writeVInt(block.count)
        var previous: TermKey?
        var postingsOffset: UInt64 = 0, positionsOffset: UInt64 = 0
        for (term, info) in block {
            let shared = previous.map { sharedPrefix($0.bytes, term.bytes) } ?? 0
            writer.writeVInt(shared)
            writer.writeVInt(term.bytes.count - shared)
            writer.writeBytes(term.bytes[shared...])
            writer.writeVInt(UInt64(info.docFreq) << 1 | (info.keepsPositions ? 1 : 0))
            if let single = info.single {
                writer.writeVInt(UInt64(single.doc))
                writer.writeVInt(UInt64(single.frequency))
            } else {
                writer.writeVInt(info.postingsOffset - postingsOffset)
                postingsOffset = info.postingsOffset
            }
            if info.keepsPositions {
                writer.writeVInt(info.positionsOffset - positionsOffset)
                positionsOffset = info.positionsOffset
            }
            previous = term
        }
        block.removeAll(keepingCapacity: true)
    }

    consuming func finish() -> [UInt8] {
        flushBlock()
        precondition(writer.count < Int(UInt32.max), "term dictionary over 4 GiB")
        for offset in blockOffsets { writer.writeUInt32(offset) }
        writer.writeUInt32(UInt32(blockOffsets.count))
        writer.writeUInt32(UInt32(termCount))
        Footer.append(to: &writer)
        return writer.bytes
    }

    private func sharedPrefix(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var count = 0
        while count < a.count, count < b.count, a[count] == b[count] { count += 1 }
        return count
    }
}

/// A read-only view of a `.tdi` file: binary search over block heads, then a scan of one
/// block. Nothing is loaded at open beyond the footer check.
struct TermDictionary {
    private let payload: UnsafeRawBufferPointer
    private let file: String
    let blockCount: Int
    private let indexStart: Int
    let termCount: Int

    init(_ payload: UnsafeRawBufferPointer, file: String) throws(IndexError) {
        self.payload = payload
        self.file = file
        var header = ByteReader(payload, file: file)
        guard try header.readUInt32() == TermDictionaryFormat.magic else { throw .corrupt(file: file, "not a term dictionary") }
        guard try header.readUInt32() == TermDictionaryFormat.version else { throw .incompatible("term dictionary \(file) has another format version") }
        var tail = ByteReader(payload, offset: payload.count - 8, file: file)
        blockCount = Int(try tail.readUInt32())
        termCount = Int(try tail.readUInt32())
        indexStart = payload.count - 8 - blockCount * 4
        guard indexStart >= 8 else { throw .corrupt(file: file, "block index out of range") }
    }

    private func blockOffset(_ index: Int) throws(IndexError) -> Int {
        var reader = ByteReader(payload, offset: indexStart + index * 4, file: file)
        let offset = Int(try reader.readUInt32())
        guard offset >= 8, offset < indexStart else { throw .corrupt(file: file, "block offset out of range") }
        return offset
    }

    /// The first term of a block, read in place.
    private func firstTerm(ofBlock index: Int) throws(IndexError) -> UnsafeRawBufferPointer {
        var reader = ByteReader(payload, offset: try blockOffset(index), end: indexStart, file: file)
        _ = try reader.readVInt()  // entry count
        _ = try reader.readVInt()  // shared prefix, always 0
        let length = try reader.readInt()
        return try reader.readBytes(length)
    }

    func lookup(_ term: TermKey) throws(IndexError) -> TermInfo? {
        guard blockCount > 0 else { return nil }
        let low = try BlockSearch.last(count: blockCount) { block throws(IndexError) in compare(try firstTerm(ofBlock: block), term.bytes) <= 0 }
        var found: TermInfo?
        try scanBlock(low) { bytes, info in
            let order = compare(bytes, term.bytes)
            if order == 0 { found = info }
            return order < 0
        }
        return found
    }

    /// Every term that starts with `prefix`, in order: the few blocks that hold them are
    /// scanned, nothing else.
    func terms(withPrefix prefix: [UInt8]) throws(IndexError) -> [(TermKey, TermInfo)] {
        guard blockCount > 0 else { return [] }
        // The last block whose first term sorts before the prefix: the first match is in it or after.
        let low = try BlockSearch.last(count: blockCount) { block throws(IndexError) in compare(try firstTerm(ofBlock: block), prefix) < 0 }
        var result: [(TermKey, TermInfo)] = []
        var pastPrefix = false
        for block in low..<blockCount where !pastPrefix {
            try scanBlock(block) { bytes, info in
                if bytes.count >= prefix.count, bytes.prefix(prefix.count).elementsEqual(prefix) {
                    result.append((TermKey(bytes: Array(bytes)), info))
                    return true
                }
                pastPrefix = compare(bytes, prefix) > 0
                return !pastPrefix
            }
        }
        return result
    }

    /// Every term in order (for merging and verification).
    func forEach(_ body: (TermKey, TermInfo) throws(IndexError) -> Void) throws(IndexError) {
        var cursor = Cursor(self)
        while let (term, info) = try cursor.next() { try body(term, info) }
    }

    /// Walks the terms in order one block at a time (a merge walks several side by side).
    struct Cursor {
        private let dictionary: TermDictionary
        private var block = 0
        private var pending: [(TermKey, TermInfo)] = []
        private var index = 0

        init(_ dictionary: TermDictionary) { self.dictionary = dictionary }

        mutating func next() throws(IndexError) -> (TermKey, TermInfo)? {
            while index == pending.count {
                guard block < dictionary.blockCount else { return nil }
                pending.removeAll(keepingCapacity: true)
                try dictionary.scanBlock(block) { bytes, info in pending.append((TermKey(bytes: Array(bytes)), info)); return true }
                block += 1
                index = 0
            }
            index += 1
            return pending[index - 1]
        }
    }

    /// Decodes the entries of one block in order while `visit` returns true.
    fileprivate func scanBlock(_ index: Int, _ visit: (UnsafeRawBufferPointer, TermInfo) -> Bool) throws(IndexError) {
        var reader = ByteReader(payload, offset: try blockOffset(index), end: indexStart, file: file)
        let count = try reader.readInt()
        guard count <= TermDictionaryFormat.blockSize else { throw .corrupt(file: file, "block of \(count) terms") }
        var term = [UInt8]()
        var postingsOffset: UInt64 = 0, positionsOffset: UInt64 = 0
        for _ in 0..<count {
            let shared = try reader.readInt()
            let suffixLength = try reader.readInt()
            guard shared <= term.count else { throw .corrupt(file: file, "bad shared prefix") }
            term.removeSubrange(shared...)
            term.append(contentsOf: try reader.readBytes(suffixLength))
            let flagged = try reader.readInt()
            var info = TermInfo(docFreq: flagged >> 1, postingsOffset: 0, positionsOffset: 0, keepsPositions: flagged & 1 == 1)
            guard info.docFreq > 0 else { throw .corrupt(file: file, "a term held by no document") }
            if info.docFreq == 1 {
                let doc = try reader.readVInt(), frequency = try reader.readVInt()
                guard doc < UInt64(UInt32.max), frequency > 0, frequency < 1 << 24 else { throw .corrupt(file: file, "bad inlined posting") }
                info.single = TermInfo.Single(doc: UInt32(doc), frequency: UInt32(frequency))
            } else {
                postingsOffset = postingsOffset &+ (try reader.readVInt())
                info.postingsOffset = postingsOffset
            }
            if info.keepsPositions {
                positionsOffset = positionsOffset &+ (try reader.readVInt())
                info.positionsOffset = positionsOffset
            }
            let keepGoing = term.withUnsafeBytes { visit($0, info) }
            if !keepGoing { return }
        }
    }

    private func compare(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Int {
        let n = min(a.count, b.count)
        for i in 0..<n where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}
