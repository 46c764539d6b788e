/// Walks one term's postings in a segment: documents in increasing order, their term
/// frequencies, and on demand their positions.
///
/// Invariant: `doc` is the current document, or `PostingsIterator.end` once exhausted. Blocks
/// are decoded whole (128 documents at a time); `advance(to:)` skips blocks by their last doc.
/// `block(containing:)` reads only skip entries (Lucene's "shallow advance"): it tells which
/// block could hold a document and the score bound of that block without decoding it.
public struct PostingsIterator {
    /// One block's skip entry: where it ends and where its impacts are.
    public struct Block: Sendable {
        public var lastDoc: UInt32
        var docOffset: Int
        var positionOffset: Int
        var impactStart: Int
        var impactCount: Int
    }

    public static let end = UInt32.max

    public let docFreq: Int
    public private(set) var doc: UInt32 = 0
    /// The current document's term frequency. Stored, not computed: a getter on a struct held
    /// by a class (as `TermDocs` holds this) copies the whole struct per call, arrays and all.
    public private(set) var termFrequency = 0

    private let postings: UnsafeRawBufferPointer
    private let positionsFile: UnsafeRawBufferPointer
    private let file: String
    private let docLimit: UInt32
    private var skips: [Block] = []
    /// Every block's impacts, flat: tf, length, tf, length, …
    private var impacts: [UInt32] = []
    private var block = -1
    /// The block `block(containing:)` last answered; only moves forward.
    private var shallowBlock = 0
    private var docs: [UInt32] = []
    private var freqs: [UInt32] = []
    private var index = 0
    // Positions cursor: the byte offset where the positions of docs[positionIndex] start.
    private var positionCursor = 0
    private var positionIndex = 0
    /// Where the positions of the document last read start.
    private var currentPositions = 0

    /// `docLimit` is the segment's document count: every document id must be below it.
    init(postings: UnsafeRawBufferPointer, positions: UnsafeRawBufferPointer, info: TermInfo, docLimit: UInt32, file: String) throws(IndexError) {
        self.postings = postings
        self.positionsFile = positions
        self.docFreq = info.docFreq
        self.docLimit = docLimit
        self.file = file
        guard info.docFreq <= Int(docLimit) else { throw .corrupt(file: file, "document frequency above the segment's document count") }
        var reader = ByteReader(postings, offset: Int(clamping: info.postingsOffset), file: file)
        let blockCount = try reader.readInt()
        guard blockCount == (info.docFreq + PostingsFormat.blockSize - 1) / PostingsFormat.blockSize else {
            throw .corrupt(file: file, "block count does not match the document frequency")
        }
        // A skip entry takes at least three bytes: a damaged count must not reserve gigabytes.
        guard blockCount <= (postings.count - reader.offset) / 3 else { throw .corrupt(file: file, "block count past the end of the file") }
        var entries: [Block] = []
        entries.reserveCapacity(blockCount)
        var lastDoc: UInt64 = 0
        // Offsets are sizes until the skip entries are read, then become absolute.
        for _ in 0..<blockCount {
            let delta = try reader.readVInt()
            guard delta < UInt64(docLimit) else { throw .corrupt(file: file, "document id out of range") }
            lastDoc += delta
            guard lastDoc < UInt64(docLimit) else { throw .corrupt(file: file, "document id out of range") }
            let docBytes = try reader.readInt(), positionBytes = try reader.readInt()
            let impactCount = try reader.readInt()
            guard (1...Impacts.maxCount).contains(impactCount) else { throw .corrupt(file: file, "bad impact count") }
            entries.append(Block(lastDoc: UInt32(lastDoc), docOffset: docBytes, positionOffset: positionBytes,
                                 impactStart: impacts.count / 2, impactCount: impactCount))
            for _ in 0..<impactCount {
                let tf = try reader.readInt(), length = try reader.readInt()
                guard tf > 0, tf < 1 << 24, length <= Int(UInt32.max) else { throw .corrupt(file: file, "bad impact") }
                impacts.append(UInt32(tf))
                impacts.append(UInt32(length))
            }
        }
        var docOffset = reader.offset
        var positionOffset = Int(clamping: info.positionsOffset)
        guard positionOffset <= positions.count else { throw .corrupt(file: file, "positions start past the end of the file") }
        for i in 0..<blockCount {
            let sizes = (entries[i].docOffset, entries[i].positionOffset)
            entries[i].docOffset = docOffset
            entries[i].positionOffset = positionOffset
            // Compared before adding: damaged sizes must not overflow.
            guard sizes.0 <= postings.count - docOffset, sizes.1 <= positions.count - positionOffset else {
                throw .corrupt(file: file, "postings run past the end of the file")
            }
            docOffset += sizes.0
            positionOffset += sizes.1
        }
        skips = entries
        if blockCount == 0 { doc = Self.end } else { try load(block: 0) }
    }

    @discardableResult
    public mutating func next() throws(IndexError) -> UInt32 {
        guard doc != Self.end else { return doc }
        index += 1
        if index < docs.count {
            doc = docs[index]
            termFrequency = Int(freqs[index])
        } else if block + 1 < skips.count {
            try load(block: block + 1)
        } else {
            doc = Self.end
        }
        return doc
    }

    /// Moves to the first document >= target.
    @discardableResult
    public mutating func advance(to target: UInt32) throws(IndexError) -> UInt32 {
        guard doc < target else { return doc }
        if skips[block].lastDoc < target {
            var next = block + 1
            while next < skips.count, skips[next].lastDoc < target { next += 1 }
            if next == skips.count { doc = Self.end; return doc }
            try load(block: next)
        }
        while doc < target { try next() }
        return doc
    }

    /// The positions of the current document, ascending.
    public mutating func positions() throws(IndexError) -> [UInt32] {
        var result: [UInt32] = []
        try positions(into: &result)
        return result
    }

    /// The positions of the current document, ascending, written over `buffer` (reused across
    /// documents so phrase matching allocates nothing per document).
    ///
    /// Runs for every candidate document of a phrase, so it decodes in place and leaves the
    /// cursor after the document: reading the next document's positions skips nothing, and
    /// reading the same document again starts over from `currentPositions`.
    public mutating func positions(into buffer: inout [UInt32]) throws(IndexError) {
        if positionIndex > index { (positionIndex, positionCursor) = (index, currentPositions) }
        // Step over the positions of the block's earlier documents: count vint ends (bytes
        // below 0x80) instead of decoding them.
        var skip = 0
        while positionIndex < index {
            skip += Int(freqs[positionIndex])
            positionIndex += 1
        }
        let bytes = positionsFile
        var cursor = positionCursor
        while skip > 0 {
            guard cursor < bytes.count else { throw .corrupt(file: file, "positions run past the end of the file") }
            if bytes[cursor] < 0x80 { skip -= 1 }
            cursor += 1
        }
        currentPositions = cursor
        let count = Int(freqs[index])
        buffer.removeAll(keepingCapacity: true)
        buffer.reserveCapacity(count)
        var position: UInt64 = 0
        for _ in 0..<count {
            var delta: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard cursor < bytes.count, shift < 64 else { throw .corrupt(file: file, "truncated or overlong position at byte \(cursor)") }
                let byte = bytes[cursor]
                cursor += 1
                delta |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { break }
                shift += 7
            }
            position += delta
            guard position < UInt64(UInt32.max) else { throw .corrupt(file: file, "position out of range") }
            buffer.append(UInt32(position))
        }
        positionCursor = cursor
        positionIndex = index + 1
    }

    /// The highest `score(tf, length)` over a block's impacts: a bound of `score` on all of
    /// the block's documents when `score` grows with tf and shrinks with length.
    public func maxImpact(_ block: Block, _ score: (Int, Int) -> Double) -> Double {
        var best = 0.0
        for i in 0..<block.impactCount {
            let at = 2 * (block.impactStart + i)
            best = max(best, score(Int(impacts[at]), Int(impacts[at + 1])))
        }
        return best
    }

    /// The block that holds `target` if the term has it (the first block whose last doc is at
    /// or after `target`), or nil past the last block. Reads skip entries only. Targets must
    /// not decrease between calls.
    public mutating func block(containing target: UInt32) -> Block? {
        while shallowBlock < skips.count, skips[shallowBlock].lastDoc < target { shallowBlock += 1 }
        return shallowBlock < skips.count ? skips[shallowBlock] : nil
    }

    private mutating func load(block newBlock: Int) throws(IndexError) {
        block = newBlock
        let count = newBlock == skips.count - 1 ? docFreq - newBlock * PostingsFormat.blockSize : PostingsFormat.blockSize
        var reader = ByteReader(postings, offset: skips[newBlock].docOffset, file: file)
        docs.removeAll(keepingCapacity: true)
        freqs.removeAll(keepingCapacity: true)
        var previous: UInt64 = newBlock == 0 ? 0 : UInt64(skips[newBlock - 1].lastDoc)
        for i in 0..<count {
            let delta = try reader.readVInt()
            let first = i == 0 && newBlock == 0
            // Ids strictly increase and stay inside the segment (field lengths are read by them).
            guard first || delta > 0, delta < UInt64(docLimit) else { throw .corrupt(file: file, "document ids out of order or out of range") }
            previous = first ? delta : previous + delta
            guard previous < UInt64(docLimit) else { throw .corrupt(file: file, "document id out of range") }
            docs.append(UInt32(previous))
        }
        for _ in 0..<count {
            let freq = try reader.readVInt()
            guard freq > 0, freq < 1 << 24 else { throw .corrupt(file: file, "bad term frequency") }
            freqs.append(UInt32(freq))
        }
        guard docs.last == skips[newBlock].lastDoc else { throw .corrupt(file: file, "block does not end at its skip entry") }
        index = 0
        doc = docs[0]
        termFrequency = Int(freqs[0])
        positionCursor = skips[newBlock].positionOffset
        positionIndex = 0
    }
}
