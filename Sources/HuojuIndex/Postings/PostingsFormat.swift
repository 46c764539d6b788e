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

/// Encodes one term's postings from its occurrences.
enum PostingsWriter {
    /// `docs` and `positions` are the term's occurrences: docs ascending, positions ascending
    /// within a doc. Appends the postings and positions; returns where they start.
    static func write(docs: ArraySlice<UInt32>, positions: ArraySlice<UInt32>,
                      postings: inout ByteWriter, positionsOut: inout ByteWriter) -> TermInfo {
        // Collapse occurrences into (doc, frequency).
        var uniqueDocs: [UInt32] = []
        var freqs: [UInt32] = []
        for doc in docs {
            if uniqueDocs.last == doc { freqs[freqs.count - 1] += 1 } else { uniqueDocs.append(doc); freqs.append(1) }
        }
        let info = TermInfo(docFreq: uniqueDocs.count, postingsOffset: UInt64(postings.count), positionsOffset: UInt64(positionsOut.count))
        let blockCount = (uniqueDocs.count + PostingsFormat.blockSize - 1) / PostingsFormat.blockSize
        var blockData = ByteWriter(capacity: 512)
        var skips = ByteWriter(capacity: blockCount * 6)
        var blocks: [UInt8] = []
        var previousLast: UInt32 = 0
        var positionIndex = positions.startIndex
        for block in 0..<blockCount {
            let range = (block * PostingsFormat.blockSize)..<min(uniqueDocs.count, (block + 1) * PostingsFormat.blockSize)
            blockData.removeAll()
            var last = previousLast
            for i in range {
                blockData.writeVInt(UInt64(uniqueDocs[i] - (i == 0 ? 0 : last)))
                last = uniqueDocs[i]
            }
            for i in range { blockData.writeVInt(UInt64(freqs[i])) }
            let positionsStart = positionsOut.count
            for i in range {
                var previous: UInt32 = 0
                for _ in 0..<freqs[i] {
                    let position = positions[positionIndex]
                    positionsOut.writeVInt(UInt64(position - previous))
                    previous = position
                    positionIndex += 1
                }
            }
            skips.writeVInt(UInt64(last - (block == 0 ? 0 : previousLast)))
            skips.writeVInt(blockData.count)
            skips.writeVInt(positionsOut.count - positionsStart)
            blocks.append(contentsOf: blockData.bytes)
            previousLast = last
        }
        postings.writeVInt(blockCount)
        postings.writeBytes(skips.bytes)
        postings.writeBytes(blocks)
        return info
    }
}
