/// Layout of a term's postings (`.doc`) and positions (`.pos`); see docs/index-format.md.
///
/// `.doc`, at a term's postings offset:
///
///     vint blockCount
///     blockCount skip entries: vint lastDoc (delta from the previous block's lastDoc; absolute
///         for the first), vint docBytes, vint positionBytes
///     blockCount blocks of up to 128 documents: the doc ids as deltas (the first from the
///         previous block's lastDoc, or absolute), then each document's term frequency
///
/// `.pos`, at a term's positions offset: for every document in order, its positions as
/// deltas (the first absolute). Skip entries let an intersection jump over whole blocks
/// (documents and positions) without decoding them.
enum PostingsFormat {
    static let blockSize = 128
}

/// Postings of one term collected in memory while a segment is built.
final class PostingsBuilder {
    var docs: [UInt32] = []
    var freqs: [UInt32] = []
    var positions: [UInt32] = []

    @inline(__always)
    func add(doc: UInt32, position: UInt32) {
        if docs.last == doc {
            freqs[freqs.count - 1] += 1
        } else {
            docs.append(doc)
            freqs.append(1)
        }
        positions.append(position)
    }

    /// Appends this term's postings and positions; returns their offsets.
    func write(postings: inout ByteWriter, positionsOut: inout ByteWriter) -> TermInfo {
        let info = TermInfo(docFreq: docs.count, postingsOffset: UInt64(postings.count), positionsOffset: UInt64(positionsOut.count))
        let blockCount = (docs.count + PostingsFormat.blockSize - 1) / PostingsFormat.blockSize
        var blocks: [(lastDoc: UInt32, docBytes: [UInt8], positionBytes: Int)] = []
        blocks.reserveCapacity(blockCount)
        var previousDoc: UInt32 = 0
        var positionIndex = 0
        for block in 0..<blockCount {
            let range = (block * PostingsFormat.blockSize)..<min(docs.count, (block + 1) * PostingsFormat.blockSize)
            var data = ByteWriter(capacity: range.count * 3)
            var last = previousDoc
            for (i, doc) in zip(range, docs[range]) {
                data.writeVInt(UInt64(doc - (i == 0 ? 0 : last)))
                last = doc
            }
            for freq in freqs[range] { data.writeVInt(UInt64(freq)) }
            let positionsStart = positionsOut.count
            for freq in freqs[range] {
                var previous: UInt32 = 0
                for k in 0..<Int(freq) {
                    let position = positions[positionIndex + k]
                    positionsOut.writeVInt(UInt64(position - previous))
                    previous = position
                }
                positionIndex += Int(freq)
            }
            blocks.append((last, data.bytes, positionsOut.count - positionsStart))
            previousDoc = last
        }
        postings.writeVInt(blockCount)
        var previousLast: UInt32 = 0
        for (index, block) in blocks.enumerated() {
            postings.writeVInt(UInt64(block.lastDoc - (index == 0 ? 0 : previousLast)))
            postings.writeVInt(block.docBytes.count)
            postings.writeVInt(block.positionBytes)
            previousLast = block.lastDoc
        }
        for block in blocks { postings.writeBytes(block.docBytes) }
        return info
    }
}
