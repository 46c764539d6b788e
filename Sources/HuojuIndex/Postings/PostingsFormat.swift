/// Layout of a term's postings (`.doc`) and positions (`.pos`); see docs/index-format.md.
///
/// `.doc`, at a term's postings offset:
///
///     vint blockCount
///     blockCount skip entries: vint lastDoc (delta from the previous block's lastDoc; absolute
///         for the first), vint docBytes, vint positionBytes, vint impactCount (1…4), then
///         impactCount pairs (vint tf, vint fieldLength): the block's score frontier
///         (see `Impacts`)
///     blockCount blocks of up to 128 documents: the doc ids as deltas (the first from the
///         previous block's lastDoc, or absolute), then each document's term frequency
///
/// `.pos`, at a term's positions offset: for every document in order, its positions as
/// deltas (the first absolute). Skip entries let an intersection jump over whole blocks
/// (documents and positions) without decoding them, and bound the BM25 score any document of
/// a block can reach (its impacts), so top-k search skips blocks that cannot compete.
enum PostingsFormat {
    static let blockSize = 128
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
        var frontier: [(tf: UInt32, length: UInt32)] = []
        for pair in pairs.sorted(by: { $0.tf != $1.tf ? $0.tf > $1.tf : $0.length < $1.length })
        where frontier.last.map({ pair.length < $0.length }) ?? true {
            frontier.append(pair)
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

/// Encodes one term's postings from its occurrences.
enum PostingsWriter {
    /// `docs` and `positions` are the term's occurrences: docs ascending, positions ascending
    /// within a doc. `lengths` are the field lengths of the term's field by doc (nil for keyword
    /// fields). Appends the postings and positions; returns where they start.
    static func write(docs: ArraySlice<UInt32>, positions: ArraySlice<UInt32>, lengths: [UInt32]?,
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
            let impacts = Impacts.frontier(range.map { (freqs[$0], lengths?[Int(uniqueDocs[$0])] ?? 0) })
            skips.writeVInt(impacts.count)
            for impact in impacts {
                skips.writeVInt(UInt64(impact.tf))
                skips.writeVInt(UInt64(impact.length))
            }
            blocks.append(contentsOf: blockData.bytes)
            previousLast = last
        }
        postings.writeVInt(blockCount)
        postings.writeBytes(skips.bytes)
        postings.writeBytes(blocks)
        return info
    }
}
