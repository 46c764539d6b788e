/// Walks one term's postings in a segment: documents in increasing order, their term
/// frequencies, and on demand their positions.
///
/// Invariant: `doc` is the current document, or `PostingsIterator.end` once exhausted. Blocks
/// are decoded whole (128 documents at a time, the tail at once). Skip entries are read
/// lazily, one at a time as the iterator (or `block(containing:)`, Lucene's "shallow
/// advance") moves past them: opening a term costs the same for ten documents or a million.
/// A block's positions are decoded only when a document of it is asked for its positions.
public struct PostingsIterator {
    /// A block as its skip entry describes it: where it ends and where its impacts are.
    public struct Block: Sendable {
        public var lastDoc: UInt32
        /// Byte offset of the impact pairs in `.doc`; `impactCount` 0 for the tail, which has
        /// none (its bound is the term's weight).
        var impactOffset: Int
        var impactCount: Int
    }

    /// Reads skip entries in order. `index` is the block the cursor stands on (`-1` before the
    /// first); its documents start at `docOffset` and its positions at `positionOffset`.
    private struct SkipCursor {
        var offset: Int
        var index = -1
        var block = Block(lastDoc: 0, impactOffset: 0, impactCount: 0)
        var docOffset: Int
        var positionOffset: Int
        var docBytes = 0
        var positionBytes = 0
        /// The last document of the block before: what this block's first doc delta starts from.
        var previousLastDoc: UInt32 = 0
    }

    public static let end = UInt32.max

    public let docFreq: Int
    public private(set) var doc: UInt32 = 0
    /// The current document's term frequency. Stored, not computed: a getter on a struct held
    /// by a class copies the whole struct per call, arrays and all.
    public private(set) var termFrequency = 0

    private let postings: UnsafeRawBufferPointer
    private let positionsFile: UnsafeRawBufferPointer
    private let file: String
    private let docLimit: UInt32
    private let keepsPositions: Bool
    private let fullBlocks: Int
    /// Blocks in all: the full ones and the tail.
    private let blockCount: Int
    private let skipEnd: Int
    /// The skip cursor of the decoded block, and the one `block(containing:)` moves.
    private var deep: SkipCursor
    private var shallow: SkipCursor
    /// The decoded block: documents and frequencies; `index` is the current one.
    private var docs: [UInt32] = []
    private var freqs: [UInt32] = []
    private var index = 0
    private var count = 0
    /// The decoded block's positions (when asked for), and where each document's start.
    private var blockPositions: [UInt32] = []
    private var positionStarts: [Int] = []
    private var positionsDecoded = false

    /// `docLimit` is the segment's document count: every document id must be below it.
    init(postings: UnsafeRawBufferPointer, positions: UnsafeRawBufferPointer, info: TermInfo, docLimit: UInt32, file: String) throws(IndexError) {
        self.postings = postings
        self.positionsFile = positions
        self.docFreq = info.docFreq
        self.docLimit = docLimit
        self.file = file
        keepsPositions = info.keepsPositions
        guard info.docFreq > 0, info.docFreq <= Int(docLimit) else { throw .corrupt(file: file, "document frequency above the segment's document count") }
        guard !info.keepsPositions || info.positionsOffset <= UInt64(positions.count) else {
            throw .corrupt(file: file, "positions start past the end of the file")
        }
        fullBlocks = info.docFreq / PostingsFormat.blockSize
        blockCount = fullBlocks + (info.docFreq % PostingsFormat.blockSize == 0 ? 0 : 1)
        docs = [UInt32](repeating: 0, count: PostingsFormat.blockSize)
        freqs = [UInt32](repeating: 0, count: PostingsFormat.blockSize)
        let positionsOffset = Int(clamping: info.positionsOffset)
        if let single = info.single {
            guard info.docFreq == 1, single.doc < docLimit else { throw .corrupt(file: file, "inlined document out of range") }
            skipEnd = 0
            deep = SkipCursor(offset: 0, docOffset: 0, positionOffset: positionsOffset)
            shallow = deep
            docs[0] = single.doc
            freqs[0] = single.frequency
            deep.index = 0
            deep.block.lastDoc = single.doc
            count = 1
            doc = single.doc
            termFrequency = Int(single.frequency)
            return
        }
        guard info.docFreq > 1, info.postingsOffset < UInt64(postings.count) else { throw .corrupt(file: file, "postings start past the end of the file") }
        var reader = ByteReader(postings, offset: Int(info.postingsOffset), file: file)
        if fullBlocks > 0 {
            let skipBytes = try reader.readInt()
            guard skipBytes <= postings.count - reader.offset else { throw .corrupt(file: file, "skip data past the end of the file") }
            skipEnd = reader.offset + skipBytes
        } else {
            skipEnd = reader.offset
        }
        deep = SkipCursor(offset: reader.offset, docOffset: skipEnd, positionOffset: positionsOffset)
        shallow = deep
        try load(block: 0)
    }

    @discardableResult
    public mutating func next() throws(IndexError) -> UInt32 {
        guard doc != Self.end else { return doc }
        index += 1
        if index < count {
            doc = docs[index]
            termFrequency = Int(freqs[index])
        } else if deep.index + 1 < blockCount {
            try load(block: deep.index + 1)
        } else {
            doc = Self.end
        }
        return doc
    }

    /// Moves to the first document >= target.
    @discardableResult
    public mutating func advance(to target: UInt32) throws(IndexError) -> UInt32 {
        guard doc < target else { return doc }
        if deep.block.lastDoc < target {
            // Read skip entries (never blocks) until one ends at or after the target.
            var cursor = deep
            repeat {
                guard cursor.index + 1 < blockCount else { doc = Self.end; return doc }
                try step(&cursor)
            } while cursor.block.lastDoc < target
            try load(cursor)
        }
        while doc < target { try next() }
        return doc
    }

    /// Marks the documents in `start..<end`, from the current one on, in `bits` (bit d − start)
    /// and, when asked, writes their frequencies to `frequencies[d − start]`; stops on the first
    /// document at or past `end`. How a query reads a window of documents: a decoded block at a
    /// time, with no call per document.
    public mutating func collect(from start: UInt32, below end: UInt32, into bits: UnsafeMutablePointer<UInt64>,
                                 frequencies: UnsafeMutablePointer<UInt32>?) throws(IndexError) {
        try advance(to: start)
        while doc < end {
            var i = index
            let count = self.count
            docs.withUnsafeBufferPointer { docs in
                freqs.withUnsafeBufferPointer { freqs in
                    while i < count, docs[i] < end {
                        let offset = Int(docs[i] &- start)
                        bits[offset >> 6] |= 1 << UInt64(offset & 63)
                        frequencies?[offset] = freqs[i]
                        i += 1
                    }
                }
            }
            if i < count {
                index = i
                doc = docs[i]
                termFrequency = Int(freqs[i])
            } else if deep.index + 1 < blockCount {
                try load(block: deep.index + 1)
            } else {
                index = count
                doc = Self.end
            }
        }
    }

    /// The positions of the current document, ascending.
    public mutating func positions() throws(IndexError) -> [UInt32] {
        var result: [UInt32] = []
        _ = try withPositions { positions in
            result.append(contentsOf: positions)
            return 0
        }
        return result
    }

    /// Calls `body` with the positions of the current document, ascending, in place, and
    /// returns what it returns: what phrase matching reads, with no copy. The first call in a
    /// block decodes the positions of the whole block. Not generic, so that callers in other
    /// modules run it without generic dispatch.
    public mutating func withPositions(_ body: (UnsafeBufferPointer<UInt32>) throws(IndexError) -> Int) throws(IndexError) -> Int {
        guard keepsPositions else { throw .corrupt(file: file, "positions asked of a term that keeps none") }
        if !positionsDecoded { try decodePositions() }
        let range = positionStarts[index]..<positionStarts[index + 1]
        return try blockPositions.withUnsafeBufferPointer { all throws(IndexError) in try body(UnsafeBufferPointer(rebasing: all[range])) }
    }

    /// Appends the positions of the decoded block's document `i` to `out`.
    private func appendPositions(of i: Int, to out: inout [UInt32]) {
        out.append(contentsOf: blockPositions[positionStarts[i]..<positionStarts[i + 1]])
    }

    /// Appends the documents from the current one to the end, renumbered by `map` (old doc
    /// → new doc, or -1 to leave it out), with their frequencies and positions, to `out`: what
    /// a merge copies, a block at a time.
    mutating func drain(renumbering map: [Int32], into out: inout TermPostings) throws(IndexError) {
        while doc != Self.end {
            if keepsPositions, !positionsDecoded { try decodePositions() }
            for i in index..<count {
                guard Int(docs[i]) < map.count else { throw .corrupt(file: file, "document id beyond the segment") }
                let target = map[Int(docs[i])]
                guard target >= 0 else { continue }
                out.docs.append(UInt32(target))
                out.freqs.append(freqs[i])
                if keepsPositions { appendPositions(of: i, to: &out.positions) }
            }
            if deep.index + 1 < blockCount { try load(block: deep.index + 1) } else { doc = Self.end }
        }
    }

    /// The highest `score(tf, length)` over a block's impacts: a bound of `score` on all of
    /// the block's documents when `score` grows with tf and shrinks with length. The tail has
    /// no impacts: any tf at the shortest length bounds it.
    public func maxImpact(_ block: Block, _ score: (Int, Int) -> Double) -> Double {
        guard block.impactCount > 0 else { return score(1 << 24, 0) }
        var reader = ByteReader(postings, offset: block.impactOffset, end: skipEnd, file: file)
        var best = 0.0
        for _ in 0..<block.impactCount {
            // Checked when the entry was read; a failure here cannot happen.
            guard let tf = try? reader.readInt(), let length = try? reader.readInt() else { return score(1 << 24, 0) }
            best = max(best, score(tf, length))
        }
        return best
    }

    /// The block that holds `target` if the term has it (the first block whose last doc is at
    /// or after `target`), or nil past the last block. Reads skip entries only. Targets must
    /// not decrease between calls.
    public mutating func block(containing target: UInt32) -> Block? {
        if shallow.index < deep.index { shallow = deep }
        while shallow.index < 0 || shallow.block.lastDoc < target {
            guard shallow.index + 1 < blockCount else { return nil }
            // Damage found here must not skip documents: bound nothing, and let the
            // iterator itself report it when it gets there.
            guard (try? step(&shallow)) != nil else { return Block(lastDoc: Self.end - 1, impactOffset: 0, impactCount: 0) }
        }
        return shallow.block
    }

    /// Moves `cursor` to the next block, reading its skip entry.
    private func step(_ cursor: inout SkipCursor) throws(IndexError) {
        if cursor.index >= 0 {
            cursor.docOffset += cursor.docBytes
            cursor.positionOffset += cursor.positionBytes
            cursor.previousLastDoc = cursor.block.lastDoc
        }
        cursor.index += 1
        // Only a tail: no skip data; its last document is known once it is decoded.
        guard fullBlocks > 0 else { return }
        var reader = ByteReader(postings, offset: cursor.offset, end: skipEnd, file: file)
        let delta = try reader.readVInt()
        let last = UInt64(cursor.index == 0 ? 0 : cursor.block.lastDoc) + delta
        guard cursor.index == 0 || delta > 0, last < UInt64(docLimit) else { throw .corrupt(file: file, "document id out of range") }
        cursor.block.lastDoc = UInt32(last)
        if cursor.index < fullBlocks {
            cursor.docBytes = try reader.readInt()
            cursor.positionBytes = try reader.readInt()
            guard cursor.docBytes <= postings.count - cursor.docOffset,
                  !keepsPositions || cursor.positionBytes <= positionsFile.count - cursor.positionOffset else {
                throw .corrupt(file: file, "postings run past the end of the file")
            }
            let impactCount = try reader.readInt()
            guard (1...Impacts.maxCount).contains(impactCount) else { throw .corrupt(file: file, "bad impact count") }
            cursor.block.impactOffset = reader.offset
            cursor.block.impactCount = impactCount
            for _ in 0..<impactCount {
                let tf = try reader.readInt(), length = try reader.readInt()
                guard tf > 0, tf < 1 << 24, length <= Int(UInt32.max) else { throw .corrupt(file: file, "bad impact") }
            }
        } else {
            cursor.block.impactCount = 0
        }
        cursor.offset = reader.offset
    }

    private mutating func load(block target: Int) throws(IndexError) {
        var cursor = deep
        while cursor.index < target { try step(&cursor) }
        try load(cursor)
    }

    /// Decodes the block `cursor` stands on and makes its first document current.
    private mutating func load(_ cursor: SkipCursor) throws(IndexError) {
        let isTail = cursor.index == fullBlocks
        count = isTail ? docFreq - fullBlocks * PostingsFormat.blockSize : PostingsFormat.blockSize
        let previous = cursor.previousLastDoc
        var offset = cursor.docOffset
        let limit = docLimit
        if isTail && count < PostingsFormat.packedMinimum {
            var reader = ByteReader(postings, offset: offset, file: file)
            var last = UInt64(previous)
            for i in 0..<count {
                let code = try reader.readVInt()
                let delta = code >> 1
                let first = i == 0 && cursor.index == 0
                guard first || delta > 0 else { throw .corrupt(file: file, "document ids out of order") }
                last += delta
                guard last < UInt64(limit) else { throw .corrupt(file: file, "document id out of range") }
                docs[i] = UInt32(last)
                let frequency = code & 1 == 1 ? 1 : try reader.readVInt()
                guard frequency > 0, frequency < 1 << 24 else { throw .corrupt(file: file, "bad term frequency") }
                freqs[i] = UInt32(frequency)
            }
        } else {
            let end = postings.count
            try docs.withUnsafeMutableBufferPointer { out throws(IndexError) in
                offset = try BitPacking.unpack(postings, at: offset, end: end, count: count, into: out.baseAddress!, file: file)
            }
            try freqs.withUnsafeMutableBufferPointer { out throws(IndexError) in
                offset = try BitPacking.unpack(postings, at: offset, end: end, count: count, into: out.baseAddress!, file: file)
            }
            guard isTail || offset - cursor.docOffset == cursor.docBytes else { throw .corrupt(file: file, "block size does not match its skip entry") }
            // Deltas to documents and (tf − 1) to tf through buffer pointers: element writes to
            // the arrays would check their uniqueness one by one.
            let first = cursor.index == 0, n = count
            let valid = docs.withUnsafeMutableBufferPointer { docs in
                freqs.withUnsafeMutableBufferPointer { freqs in
                    var last = UInt64(previous), zeroDeltas = 0, badFrequencies = 0
                    for i in 0..<n {
                        let delta = docs[i]
                        zeroDeltas += delta == 0 ? 1 : 0
                        last += UInt64(delta)
                        docs[i] = UInt32(truncatingIfNeeded: last)
                        badFrequencies += freqs[i] >= (1 << 24) - 1 ? 1 : 0
                        freqs[i] &+= 1
                    }
                    // Only the very first document of the term may have a zero delta.
                    let ordered = zeroDeltas == 0 || (zeroDeltas == 1 && first && docs[0] == previous)
                    return (ordered, badFrequencies == 0, last < UInt64(limit))
                }
            }
            guard valid.0 else { throw .corrupt(file: file, "document ids out of order") }
            guard valid.1 else { throw .corrupt(file: file, "bad term frequency") }
            guard valid.2 else { throw .corrupt(file: file, "document id out of range") }
        }
        if fullBlocks > 0, docs[count - 1] != cursor.block.lastDoc { throw .corrupt(file: file, "block does not end at its skip entry") }
        deep = cursor
        if fullBlocks == 0 { deep.block.lastDoc = docs[count - 1] }
        index = 0
        doc = docs[0]
        termFrequency = Int(freqs[0])
        positionsDecoded = false
    }

    private mutating func decodePositions() throws(IndexError) {
        positionStarts.removeAll(keepingCapacity: true)
        var total = 0
        positionStarts.append(0)
        for i in 0..<count {
            total += Int(freqs[i])
            positionStarts.append(total)
        }
        if blockPositions.count < total { blockPositions = [UInt32](repeating: 0, count: total) }
        let packed = total / PostingsFormat.blockSize * PostingsFormat.blockSize
        var offset = deep.positionOffset
        let bytes = positionsFile, end = positionsFile.count, name = file
        try blockPositions.withUnsafeMutableBufferPointer { out throws(IndexError) in
            for run in stride(from: 0, to: packed, by: PostingsFormat.blockSize) {
                offset = try BitPacking.unpack(bytes, at: offset, end: end, count: PostingsFormat.blockSize, into: out.baseAddress! + run, file: name)
            }
            if total - packed >= PostingsFormat.packedMinimum {
                offset = try BitPacking.unpack(bytes, at: offset, end: end, count: total - packed, into: out.baseAddress! + packed, file: name)
                return
            }
            var reader = ByteReader(bytes, offset: offset, file: name)
            for i in packed..<total {
                let value = try reader.readVInt()
                guard value < UInt64(UInt32.max) else { throw .corrupt(file: name, "position out of range") }
                out[i] = UInt32(value)
            }
        }
        // Each document's deltas to positions, once per block: readers then get slices.
        let starts = positionStarts, n = count
        let inRange = blockPositions.withUnsafeMutableBufferPointer { positions in
            var inRange = true
            for d in 0..<n {
                var position: UInt64 = 0
                for p in starts[d]..<starts[d + 1] {
                    position &+= UInt64(positions[p])
                    positions[p] = UInt32(truncatingIfNeeded: position)
                }
                inRange = inRange && position <= UInt64(UInt32.max)
            }
            return inRange
        }
        guard inRange else { throw .corrupt(file: file, "position out of range") }
        positionsDecoded = true
    }
}
