/// Layout of a term's postings (`.doc`) and positions (`.pos`), format 3; see
/// docs/index-format.md.
///
/// A term held by one document keeps nothing in `.doc`: its document and frequency are
/// inlined in the term dictionary. Otherwise, at the term's postings offset:
///
///     when the term has full blocks (docFreq >= 128):
///         vint skipBytes, then per full block a skip entry: vint lastDoc (delta from the
///         previous block's lastDoc; absolute for the first), vint docBytes, vint
///         positionBytes, vint impactCount (1…4), impactCount × (vint tf, vint fieldLength);
///         then, when there is a tail, vint the tail's lastDoc delta
///     full blocks of 128 documents: packed doc deltas (the first from the previous block's
///         lastDoc, absolute in block 0), packed (term frequency − 1)
///     the tail (docFreq % 128 documents): from 8 documents on, packed doc deltas and packed
///         (tf − 1) like a full block; below that, per document vint (delta << 1 | tf == 1),
///         then vint tf when it is not 1
///
/// Positions, kept only for the terms a phrase reads (`TermKey.keepsPositions`), follow the
/// same blocks in `.pos`: a block's positions are each document's position deltas (the first
/// absolute) in document order, as packed runs of 128 values, then the remainder packed (from
/// 8 values on) or as vints. Skip
/// entries give a block's byte sizes, so an intersection jumps over whole blocks (documents
/// and positions) reading skip entries only, and each entry's impacts bound the BM25 score of
/// its documents for top-k search. The tail has no impacts: its bound is the term's weight.
enum PostingsFormat {
    static let blockSize = 128
    /// Runs shorter than a full block (a tail, the last positions of a block) are packed too
    /// from this many values on, and written as vints below it, where the width byte would cost
    /// more than packing saves.
    static let packedMinimum = 8
}

/// A block's "impacts", after Lucene: (tf, field length) pairs such that every document of the
/// block has a tf no higher and a length no shorter than one of them. BM25's tfNorm grows with
/// tf and shrinks with length, so for any average length the best pair bounds the block's
/// scores. The exact frontier (pairs no other pair beats on both) is kept when it has at most
/// `maxCount` pairs; a longer one is cut into runs, each replaced by its highest tf and
/// shortest length, which still covers it.
enum Impacts {
    static let maxCount = 4

    /// `pairs` are (tf, length) of the block's documents.
    static func frontier(_ pairs: [(tf: UInt32, length: UInt32)]) -> [(tf: UInt32, length: UInt32)] {
        // From the highest tf down, each pair is the highest tf (shortest length among its
        // ties) of the pairs shorter than the one before: a pass over the block per pair of
        // the (short) frontier, where sorting the block cost more than the rest of its encoding.
        var frontier: [(tf: UInt32, length: UInt32)] = []
        var bound = UInt64(UInt32.max) + 1  // lengths below this are still candidates
        while true {
            var best: (tf: UInt32, length: UInt32)?
            for pair in pairs where UInt64(pair.length) < bound {
                if let known = best, pair.tf < known.tf || (pair.tf == known.tf && pair.length >= known.length) { continue }
                best = pair
            }
            guard let best else { break }
            frontier.append(best)
            bound = UInt64(best.length)
        }
        guard frontier.count > maxCount else { return frontier }
        // Tf and length both decrease along the frontier: a run's first tf and last length.
        let run = (frontier.count + maxCount - 1) / maxCount
        return stride(from: 0, to: frontier.count, by: run).map { start in
            (frontier[start].tf, frontier[min(frontier.count, start + run) - 1].length)
        }
    }
}

extension TermKey {
    /// The index of the term's field in `Field.text` (where field lengths are kept), nil for
    /// keyword fields: which lengths the term's impacts are computed from.
    var textFieldSlot: Int? { bytes.first.flatMap { Field(rawValue: $0) }.flatMap { Field.text.firstIndex(of: $0) } }
}

/// One term's postings in memory: ascending documents, their frequencies, and (for a term that
/// keeps positions) each document's positions, ascending, documents in order.
struct TermPostings {
    var docs: [UInt32] = []
    var freqs: [UInt32] = []
    var positions: [UInt32] = []

    mutating func removeAll() {
        docs.removeAll(keepingCapacity: true)
        freqs.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
    }
}

/// Encodes one term's postings.
enum PostingsWriter {
    /// Appends `term`'s postings and, when `keepsPositions`, its positions; returns where they
    /// start (or the inlined document of a term held by one). `lengths` are the field lengths of
    /// the term's field by doc (nil for keyword fields), for the impacts.
    static func write(_ term: TermPostings, keepsPositions: Bool, lengths: [UInt32]?,
                      postings: inout ByteWriter, positionsOut: inout ByteWriter) -> TermInfo {
        let docFreq = term.docs.count
        var info = TermInfo(docFreq: docFreq, postingsOffset: UInt64(postings.count),
                            positionsOffset: UInt64(positionsOut.count), keepsPositions: keepsPositions)
        if docFreq == 1 {
            info.single = TermInfo.Single(doc: term.docs[0], frequency: term.freqs[0])
            if keepsPositions { _ = writePositions(term, docs: 0..<1, from: 0, into: &positionsOut) }
            return info
        }
        let fullBlocks = docFreq / PostingsFormat.blockSize
        var skips = ByteWriter(capacity: fullBlocks * 8)
        var blocks = ByteWriter(capacity: docFreq * 2)
        var scratch = [UInt32](repeating: 0, count: PostingsFormat.blockSize)
        var previousLast: UInt32 = 0
        var positionIndex = 0
        for block in 0..<fullBlocks {
            let range = (block * PostingsFormat.blockSize)..<((block + 1) * PostingsFormat.blockSize)
            let docStart = blocks.count, positionStart = positionsOut.count
            for i in range { scratch[i - range.lowerBound] = term.docs[i] - (i == 0 ? 0 : term.docs[i - 1]) }
            scratch.withUnsafeBufferPointer { BitPacking.pack($0, into: &blocks) }
            for i in range { scratch[i - range.lowerBound] = term.freqs[i] - 1 }
            scratch.withUnsafeBufferPointer { BitPacking.pack($0, into: &blocks) }
            if keepsPositions { positionIndex = writePositions(term, docs: range, from: positionIndex, into: &positionsOut) }
            let last = term.docs[range.upperBound - 1]
            skips.writeVInt(UInt64(last - previousLast))
            skips.writeVInt(blocks.count - docStart)
            skips.writeVInt(positionsOut.count - positionStart)
            let impacts = Impacts.frontier(range.map { (term.freqs[$0], lengths?[Int(term.docs[$0])] ?? 0) })
            skips.writeVInt(impacts.count)
            for impact in impacts {
                skips.writeVInt(UInt64(impact.tf))
                skips.writeVInt(UInt64(impact.length))
            }
            previousLast = last
        }
        let tail = (fullBlocks * PostingsFormat.blockSize)..<docFreq
        if tail.count >= PostingsFormat.packedMinimum {
            for i in tail { scratch[i - tail.lowerBound] = term.docs[i] - (i == 0 ? 0 : term.docs[i - 1]) }
            scratch.withUnsafeBufferPointer { BitPacking.pack(UnsafeBufferPointer(rebasing: $0[0..<tail.count]), into: &blocks) }
            for i in tail { scratch[i - tail.lowerBound] = term.freqs[i] - 1 }
            scratch.withUnsafeBufferPointer { BitPacking.pack(UnsafeBufferPointer(rebasing: $0[0..<tail.count]), into: &blocks) }
        } else {
            for i in tail {
                let delta = UInt64(term.docs[i] - (i == 0 ? 0 : term.docs[i - 1]))
                let frequency = term.freqs[i]
                blocks.writeVInt(delta << 1 | (frequency == 1 ? 1 : 0))
                if frequency != 1 { blocks.writeVInt(UInt64(frequency)) }
            }
        }
        if !tail.isEmpty {
            if keepsPositions { positionIndex = writePositions(term, docs: tail, from: positionIndex, into: &positionsOut) }
            if fullBlocks > 0 { skips.writeVInt(UInt64(term.docs[docFreq - 1] - previousLast)) }
        }
        if fullBlocks > 0 {
            postings.writeVInt(skips.count)
            postings.writeBytes(skips.bytes)
        }
        postings.writeBytes(blocks.bytes)
        return info
    }

    /// Writes the positions of `docs` (indexes into `term.docs`), which start at
    /// `term.positions[from]`: per-document deltas as packed runs of 128, then the remainder
    /// packed or as vints. Returns the index after them.
    private static func writePositions(_ term: TermPostings, docs: Range<Int>, from start: Int, into out: inout ByteWriter) -> Int {
        var deltas: [UInt32] = []
        var index = start
        for doc in docs {
            var previous: UInt32 = 0
            for _ in 0..<term.freqs[doc] {
                let position = term.positions[index]
                deltas.append(position - previous)
                previous = position
                index += 1
            }
        }
        let packed = deltas.count / PostingsFormat.blockSize * PostingsFormat.blockSize
        deltas.withUnsafeBufferPointer { all in
            for run in stride(from: 0, to: packed, by: PostingsFormat.blockSize) {
                BitPacking.pack(UnsafeBufferPointer(rebasing: all[run..<(run + PostingsFormat.blockSize)]), into: &out)
            }
        }
        if deltas.count - packed >= PostingsFormat.packedMinimum {
            deltas.withUnsafeBufferPointer { BitPacking.pack(UnsafeBufferPointer(rebasing: $0[packed...]), into: &out) }
        } else {
            for delta in deltas[packed...] { out.writeVInt(UInt64(delta)) }
        }
        return index
    }
}
