/// Merges segments into one by copying what they hold, without analysing text again: the
/// term dictionaries are walked side by side in term order, each term's postings and
/// positions are decoded a block at a time and written again with doc ids renumbered, and stored documents, field lengths and
/// values are copied as they are, and the zone columns are built again from the merged zone
/// postings. Deleted documents are left out.
///
/// The result is byte for byte the segment `SegmentBuilder` would write for the live
/// documents in the same order (the tests check this), because both write each term's
/// documents ascending with positions ascending, and terms in byte order.
enum SegmentMerger {
    struct Output {
        /// Nil when no input has a live document left.
        var segment: SegmentInfo?
        /// Per input, old doc id → new doc id, or -1 for a document left out.
        var docMaps: [[Int32]]
    }

    static func merge(_ inputs: [SegmentReader], directory: String, id: String) throws(IndexError) -> Output {
        // Opening checks only sizes and footers: a merge reads every byte, so it checks them
        // all first and never copies damage into a new segment.
        for input in inputs { try input.core.verifyChecksums() }
        var docMaps: [[Int32]] = []
        var next: Int32 = 0
        for input in inputs {
            var map = [Int32](repeating: -1, count: input.docCount)
            for doc in 0..<input.docCount where !input.isDeleted(UInt32(doc)) {
                map[doc] = next
                next += 1
            }
            docMaps.append(map)
        }
        let docCount = Int(next)
        guard docCount > 0 else { return Output(segment: nil, docMaps: docMaps) }

        var lengths = [[UInt32]](repeating: [], count: Field.text.count)
        var values = [[Int32]](repeating: [], count: FieldValues.Column.allCases.count)
        var stored = StoredFieldsWriter()
        for (input, map) in zip(inputs, docMaps) {
            for doc in 0..<UInt32(input.docCount) where map[Int(doc)] >= 0 {
                for (slot, field) in Field.text.enumerated() { lengths[slot].append(UInt32(input.fieldLength(field, doc))) }
                for column in FieldValues.Column.allCases { values[column.rawValue].append(input.core.values.value(column, doc)) }
            }
            try input.core.stored.forEachEncoded { doc, bytes throws(IndexError) in
                guard Int(doc) < map.count else { throw .corrupt(file: SegmentFiles.name(input.info.id, .stored), "more stored documents than the segment holds") }
                if map[Int(doc)] >= 0 { stored.add(encoded: bytes) }
            }
        }

        var dictionary = TermDictionaryWriter()
        var postings = ByteWriter(capacity: 1 << 20)
        var positions = ByteWriter(capacity: 1 << 20)
        postings.writeUInt32(SegmentFiles.postingsMagic)
        positions.writeUInt32(SegmentFiles.positionsMagic)
        var cursors = inputs.map { TermDictionary.Cursor($0.core.terms) }
        var heads: [(TermKey, TermInfo)?] = []
        for i in cursors.indices { heads.append(try cursors[i].next()) }
        var collapsed = TermPostings()
        var zones = ZoneColumnsWriter()
        while let term = heads.compactMap({ $0?.0 }).min() {
            collapsed.removeAll()
            var keepsPositions = false
            for i in inputs.indices {
                guard let (headTerm, info) = heads[i], headTerm == term else { continue }
                keepsPositions = info.keepsPositions
                var iterator = try inputs[i].postings(info)
                try iterator.drain(renumbering: docMaps[i], into: &collapsed)
                heads[i] = try cursors[i].next()
            }
            // A term only deleted documents held is gone.
            guard !collapsed.docs.isEmpty else { continue }
            dictionary.add(term, PostingsWriter.write(collapsed, keepsPositions: keepsPositions,
                                                      lengths: term.textFieldSlot.map { lengths[$0] },
                                                      postings: &postings, positionsOut: &positions))
            zones.add(term, collapsed)
        }
        Footer.append(to: &postings)
        Footer.append(to: &positions)
        let segment = try SegmentFiles.write(directory: directory, id: id, docCount: docCount, terms: dictionary.finish(),
                                             postings: postings.bytes, positions: positions.bytes, stored: stored.finish(),
                                             lengths: lengths, values: values, zones: zones.finish(docCount: docCount))
        return Output(segment: segment, docMaps: docMaps)
    }
}
