/// Walks one term's postings in a segment: documents in increasing order, their term
/// frequencies, and on demand their positions.
///
/// Invariant: `doc` is the current document, or `PostingsIterator.end` once exhausted. Blocks
/// are decoded whole (128 documents at a time); `advance(to:)` skips blocks by their last doc.
public struct PostingsIterator {
    public static let end = UInt32.max

    public let docFreq: Int
    public private(set) var doc: UInt32 = 0

    private let postings: UnsafeRawBufferPointer
    private let positionsFile: UnsafeRawBufferPointer
    private let file: String
    private let docLimit: UInt32
    private var skips: [(lastDoc: UInt32, docOffset: Int, positionOffset: Int)] = []
    private var block = -1
    private var docs: [UInt32] = []
    private var freqs: [UInt32] = []
    private var index = 0
    // Positions cursor: the byte offset where the positions of docs[positionIndex] start.
    private var positionCursor = 0
    private var positionIndex = 0

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
        var entries: [(UInt32, Int, Int)] = []
        entries.reserveCapacity(blockCount)
        var lastDoc: UInt64 = 0
        var docBytes: [Int] = [], positionBytes: [Int] = []
        for _ in 0..<blockCount {
            let delta = try reader.readVInt()
            guard delta < UInt64(docLimit) else { throw .corrupt(file: file, "document id out of range") }
            lastDoc += delta
            guard lastDoc < UInt64(docLimit) else { throw .corrupt(file: file, "document id out of range") }
            docBytes.append(try reader.readInt())
            positionBytes.append(try reader.readInt())
            entries.append((UInt32(lastDoc), 0, 0))
        }
        var docOffset = reader.offset
        var positionOffset = Int(clamping: info.positionsOffset)
        guard positionOffset <= positions.count else { throw .corrupt(file: file, "positions start past the end of the file") }
        for i in 0..<blockCount {
            entries[i].1 = docOffset
            entries[i].2 = positionOffset
            // Compared before adding: damaged sizes must not overflow.
            guard docBytes[i] <= postings.count - docOffset, positionBytes[i] <= positions.count - positionOffset else {
                throw .corrupt(file: file, "postings run past the end of the file")
            }
            docOffset += docBytes[i]
            positionOffset += positionBytes[i]
        }
        skips = entries
        if blockCount == 0 { doc = Self.end } else { try load(block: 0) }
    }

    public var termFrequency: Int { Int(freqs[index]) }

    @discardableResult
    public mutating func next() throws(IndexError) -> UInt32 {
        guard doc != Self.end else { return doc }
        index += 1
        if index < docs.count {
            doc = docs[index]
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
        var reader = ByteReader(positionsFile, offset: positionCursor, file: file)
        while positionIndex < index {
            for _ in 0..<freqs[positionIndex] { _ = try reader.readVInt() }
            positionIndex += 1
        }
        positionCursor = reader.offset
        var result: [UInt32] = []
        result.reserveCapacity(Int(freqs[index]))
        var position: UInt64 = 0
        for _ in 0..<freqs[index] {
            position += try reader.readVInt()
            guard position < UInt64(UInt32.max) else { throw .corrupt(file: file, "position out of range") }
            result.append(UInt32(position))
        }
        return result
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
        positionCursor = skips[newBlock].positionOffset
        positionIndex = 0
    }
}
