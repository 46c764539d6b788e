import Foundation
import HuojuCorpus
import Testing
@testable import HuojuIndex
@testable import HuojuText
import HuojuTestSupport

/// Writes a small index in a fresh temporary folder.
func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("huoju-test-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite struct IndexFormatTests {
    @Test func variableByteIntegersRoundTrip() throws {
        var writer = ByteWriter()
        let values: [UInt64] = [0, 1, 127, 128, 300, 16_383, 16_384, 1 << 31, UInt64.max]
        for value in values { writer.writeVInt(value) }
        try writer.bytes.withUnsafeBytes { bytes throws in
            var reader = ByteReader(bytes, file: "test")
            for value in values { #expect(try reader.readVInt() == value) }
            #expect(reader.isAtEnd)
            #expect(throws: IndexError.self) { try reader.readVInt() }
        }
    }

    @Test func postingsAcrossManyBlocksAdvanceAndKeepPositions() throws {
        // 1,000 documents: every third holds the term, at positions derived from the doc id.
        var docs: [UInt32] = [], positionList: [UInt32] = []
        var expected: [UInt32: [UInt32]] = [:]
        for doc in stride(from: UInt32(0), to: 3000, by: 3) {
            let positions = (0..<(doc % 5 + 1)).map { $0 * 7 + doc % 11 }
            for position in positions { docs.append(doc); positionList.append(position) }
            expected[doc] = positions
        }
        var term = TermPostings()
        for (doc, position) in zip(docs, positionList) {
            if term.docs.last == doc { term.freqs[term.freqs.count - 1] += 1 } else { term.docs.append(doc); term.freqs.append(1) }
            term.positions.append(position)
        }
        var postings = ByteWriter(), positions = ByteWriter()
        postings.writeUInt32(0); positions.writeUInt32(0)  // headers, as in a segment
        let info = PostingsWriter.write(term, keepsPositions: true, lengths: nil, postings: &postings, positionsOut: &positions)
        #expect(info.docFreq == 1000)
        try postings.bytes.withUnsafeBytes { p throws in
            try positions.bytes.withUnsafeBytes { q throws in
                var iterator = try PostingsIterator(postings: p, positions: q, info: info, docLimit: .max, file: "t")
                var seen = 0
                while iterator.doc != PostingsIterator.end {
                    // Positions read for every other document, some twice: documents skipped
                    // or read again must not shift the positions of later ones.
                    if iterator.doc % 2 == 0 {
                        #expect(try iterator.positions() == expected[iterator.doc])
                        if iterator.doc % 4 == 0 { #expect(try iterator.positions() == expected[iterator.doc]) }
                    }
                    #expect(iterator.termFrequency == expected[iterator.doc]!.count)
                    seen += 1
                    try iterator.next()
                }
                #expect(seen == 1000)
                // Skipping lands on the next document holding the term, positions intact.
                var skipping = try PostingsIterator(postings: p, positions: q, info: info, docLimit: .max, file: "t")
                for target: UInt32 in [1, 2, 385, 386, 1500, 2997] {
                    let doc = try skipping.advance(to: target)
                    #expect(doc == (target + 2) / 3 * 3)
                    #expect(try skipping.positions() == expected[doc])
                }
                #expect(try skipping.advance(to: 2998) == PostingsIterator.end)
            }
        }
    }

    @Test func bitPackedBlocksRoundTripAtEveryWidth() throws {
        var generator = SplitMix(seed: 11)
        for width in 0...32 {
            for count in [1, 7, 128] {
                let values = (0..<count).map { _ in width == 0 ? 0 : UInt32(truncatingIfNeeded: generator.next() >> UInt64(64 - width)) }
                var writer = ByteWriter()
                values.withUnsafeBufferPointer { BitPacking.pack($0, into: &writer) }
                // Exactly at the end of the buffer (the careful path) and with room after it (the fast path).
                for padding in [0, 16] {
                    let bytes = writer.bytes + [UInt8](repeating: 0xFF, count: padding)
                    var decoded = [UInt32](repeating: 0, count: count)
                    let end = try bytes.withUnsafeBytes { raw throws in
                        try decoded.withUnsafeMutableBufferPointer { out throws in
                            try BitPacking.unpack(raw, at: 0, end: raw.count, count: count, into: out.baseAddress!, file: "t")
                        }
                    }
                    #expect(decoded == values, "width \(width), count \(count)")
                    #expect(end == writer.count)
                }
            }
        }
    }

    @Test func shortAndSingleDocumentPostingsKeepFrequenciesWithOrWithoutPositions() throws {
        for docFreq in [1, 2, 127, 128, 129, 300] {
            for keepsPositions in [true, false] {
                var term = TermPostings()
                for i in 0..<docFreq {
                    term.docs.append(UInt32(i * 5 + 3))
                    term.freqs.append(UInt32(i % 4 + 1))
                    for p in 0..<(i % 4 + 1) where keepsPositions { term.positions.append(UInt32(p * 3 + i)) }
                }
                var postings = ByteWriter(), positions = ByteWriter()
                postings.writeUInt32(0); positions.writeUInt32(0)
                let info = PostingsWriter.write(term, keepsPositions: keepsPositions, lengths: nil, postings: &postings, positionsOut: &positions)
                #expect((info.single != nil) == (docFreq == 1))
                try postings.bytes.withUnsafeBytes { p throws in
                    try positions.bytes.withUnsafeBytes { q throws in
                        var iterator = try PostingsIterator(postings: p, positions: q, info: info, docLimit: 10_000, file: "t")
                        var index = 0, positionIndex = 0
                        while iterator.doc != PostingsIterator.end {
                            #expect(iterator.doc == term.docs[index])
                            #expect(iterator.termFrequency == Int(term.freqs[index]))
                            let count = Int(term.freqs[index])
                            if keepsPositions {
                                #expect(try iterator.positions() == Array(term.positions[positionIndex..<(positionIndex + count)]))
                            } else {
                                #expect(throws: IndexError.self) { try iterator.positions() }
                            }
                            positionIndex += count
                            index += 1
                            try iterator.next()
                        }
                        #expect(index == docFreq)
                        var skipping = try PostingsIterator(postings: p, positions: q, info: info, docLimit: 10_000, file: "t")
                        let last = term.docs[docFreq - 1]
                        #expect(skipping.block(containing: last)?.lastDoc == last)
                        #expect(try skipping.advance(to: last) == last)
                        #expect(try skipping.advance(to: last + 1) == PostingsIterator.end)
                    }
                }
            }
        }
    }

    @Test func termDictionaryFindsEveryTermAndNothingElse() throws {
        var writer = TermDictionaryWriter()
        let terms = (0..<1000).map { TermKey(.body, .gram, "词\($0 * 3)") }.sorted()
        // Every shape of entry: inlined single documents, terms with and without positions.
        func info(_ i: Int) -> TermInfo {
            TermInfo(docFreq: i + 1, postingsOffset: i == 0 ? 0 : UInt64(i * 10), positionsOffset: i % 3 == 0 ? 0 : UInt64(i * 20),
                     keepsPositions: i % 3 != 0, single: i == 0 ? TermInfo.Single(doc: 77, frequency: 5) : nil)
        }
        for (i, term) in terms.enumerated() { writer.add(term, info(i)) }
        let bytes = writer.finish()
        try bytes.withUnsafeBytes { raw throws in
            let payload = try Footer.verify(raw, file: "t.tdi")
            let dictionary = try TermDictionary(payload, file: "t.tdi")
            #expect(dictionary.termCount == 1000)
            for (i, term) in terms.enumerated() {
                #expect(try dictionary.lookup(term) == info(i))
            }
            #expect(try dictionary.lookup(TermKey(.body, .gram, "词1")) == nil)
            #expect(try dictionary.lookup(TermKey(.title, .gram, "词0")) == nil)
            #expect(try dictionary.lookup(TermKey(.zone, .gram, "zzz")) == nil)
            var walked: [TermKey] = []
            try dictionary.forEach { term, _ in walked.append(term) }
            #expect(walked == terms)
        }
    }

    @Test func segmentRoundTripsDocumentsAndStatistics() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let corpus = TestCorpus()
        let writer = try IndexWriter(directory: directory, corpus: nil, analyzer: Analyzer.version)
        var documents: [IndexDocument] = []
        for i in 0..<40 {
            documents.append(IndexDocument(path: "/a/\(i).txt", ordinal: i % 3, title: "苏州高新区第\(i)篇", section: i % 2 == 0 ? "创业孵化" : nil,
                                           source: "科技部火炬中心", body: "科研助理岗位开发。" + String(repeating: "人才", count: i),
                                           issueYear: 2022, issueNumber: i, issueCumulative: 500 + i, date: "2022-08-\(10 + i % 20)",
                                           zones: i % 4 == 0 ? [] : [ZoneCount(zone: "苏州高新区", mentions: i), ZoneCount(zone: "光谷 Zone", mentions: 1)],
                                           primaryZone: i % 4 == 1 ? "苏州高新区" : nil))
        }
        // Four segments of ten one-article files each, in one commit.
        var change = IndexWriter.Change()
        for part in 0..<4 {
            let files = documents[(part * 10)..<(part * 10 + 10)].map { ($0.path, [$0]) }
            let added = try corpus.change(files, writer: writer)
            change.segments += added.segments
            change.sources += added.sources
        }
        let manifest = try #require(try writer.commit(change))
        #expect(manifest.segments.count == 4)
        let snapshot = try IndexSnapshot.open(directory: directory, analyzer: Analyzer.version)
        #expect(snapshot.docCount == 40)
        for (i, document) in documents.enumerated() { #expect(try snapshot.document(global: i) == document) }
        #expect(try snapshot.docFreq(TermKey(.body, .gram, "人才")) == 39)
        #expect(try snapshot.docFreq(TermKey(.title, .gram, "苏州")) == 40)
        let expectedAverage = Double(documents.map { corpus.analyzer.analyze($0.body).length }.reduce(0, +)) / 40
        #expect(abs(snapshot.averageLength(.body) - expectedAverage) < 1e-9)
        // Field values survive.
        let (segment, local) = snapshot.locate(7)
        #expect(snapshot.segments[segment].issueNumber(local) == 7)
        #expect(snapshot.segments[segment].date(local) == 20220817)
        try snapshot.verify()
        // Zones are keyword terms (folded) with term frequency = mentions; the primary zone has its own field.
        var mentions: [Int: Int] = [:], primaries: [Int] = [], terms: Set<String> = []
        for (s, segment) in snapshot.segments.enumerated() {
            for (zone, info) in try segment.keywordTerms(.zone) {
                terms.insert(zone)
                guard zone == "苏州高新区" else { continue }
                var postings = try segment.postings(info)
                while postings.doc != PostingsIterator.end {
                    mentions[snapshot.bases[s] + Int(postings.doc)] = postings.termFrequency
                    try postings.next()
                }
            }
            for (zone, info) in try segment.keywordTerms(.primaryZone) where zone == "苏州高新区" {
                var postings = try segment.postings(info)
                while postings.doc != PostingsIterator.end { primaries.append(snapshot.bases[s] + Int(postings.doc)); try postings.next() }
            }
        }
        #expect(terms == ["苏州高新区", "光谷 zone"])
        #expect(mentions == Dictionary(uniqueKeysWithValues: (0..<40).filter { $0 % 4 != 0 }.map { ($0, max(1, $0)) }))
        #expect(primaries == (0..<40).filter { $0 % 4 == 1 })
    }

    @Test func theGazetteerIsCommittedWithTheIndexAndOldCopiesGo() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try #require(try IndexWriter(directory: directory, corpus: nil, analyzer: Analyzer.version, gazetteer: ("canonical\tkind\tprovince\tcity\n", "one"))
            .commit(IndexWriter.Change(replacesAll: true)))
        #expect(first.zones == GazetteerInfo(file: "zones-00000001.tsv", fingerprint: "one"))
        #expect(try IndexSnapshot.open(directory: directory, analyzer: Analyzer.version).gazetteerText() == "canonical\tkind\tprovince\tcity\n")
        let second = try #require(try IndexWriter(directory: directory, corpus: nil, analyzer: Analyzer.version, gazetteer: ("other\n", "two"))
            .commit(IndexWriter.Change(replacesAll: true)))
        #expect(second.zones?.fingerprint == "two")
        #expect(try IndexSnapshot.open(directory: directory, analyzer: Analyzer.version).gazetteerText() == "other\n")
        #expect(!FileManager.default.fileExists(atPath: directory + "/zones-00000001.tsv"))
        #expect(FileManager.default.fileExists(atPath: directory + "/zones-00000002.tsv"))
    }

    @Test func everyFlippedByteIsCaughtAndNamed() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let corpus = TestCorpus()
        let writer = try IndexWriter(directory: directory, corpus: nil, analyzer: Analyzer.version)
        let kept = IndexDocument(path: "/x.txt", ordinal: 0, title: "石嘴山高新区", body: "新材料产业高地")
        let gone = IndexDocument(path: "/y.txt", ordinal: 0, title: "光谷", body: "光电子信息")
        try writer.commit(try corpus.change([(kept.path, [kept]), (gone.path, [gone])], writer: writer))
        try writer.commit(IndexWriter.Change(removed: [gone.path]))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("seg-") }
        #expect(files.count == SegmentFiles.Kind.allCases.count + 1, "every segment file kind and one deletion file: \(files)")
        for name in files {
            let path = directory + "/" + name
            let original = try Data(contentsOf: URL(fileURLWithPath: path))
            for offset in [0, original.count / 2, original.count - 1] {
                var damaged = original
                damaged[offset] ^= 0x40
                try damaged.write(to: URL(fileURLWithPath: path))
                // Opening checks sizes, headers and footers only, so it may not notice; the
                // full check (`huojud verify`) always does, and names the file.
                do {
                    try IndexSnapshot.open(directory: directory, analyzer: Analyzer.version).verify()
                    Issue.record("flipping byte \(offset) of \(name) went unnoticed")
                } catch {
                    #expect(error.description.contains(name), "error does not name \(name): \(error)")
                    #expect(error.needsRebuild, "\(error)")
                }
            }
            try original.write(to: URL(fileURLWithPath: path))
        }
        #expect(try IndexSnapshot.open(directory: directory, analyzer: Analyzer.version).liveCount == 1)
    }

    @Test func refusesAnotherAnalyzerVersion() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try IndexWriter(directory: directory, corpus: nil, analyzer: Analyzer.version).commit(IndexWriter.Change(replacesAll: true))
        let path = directory + "/manifest.json"
        // Written (and sealed) by another analyzer.
        var manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        manifest.analyzer = "huoju-analyzer-0"
        manifest.checksum = manifest.contentChecksum
        try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: path))
        #expect {
            try IndexSnapshot.open(directory: directory, analyzer: Analyzer.version)
        } throws: { error in
            "\(error)".contains("analyzer") && (error as? IndexError)?.needsRebuild == true
        }
    }

    @Test func manifestChecksumCatchesEditsAndOldFormatsAreIncompatible() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let analyzer = Analyzer()
        let writer = try IndexWriter(directory: directory, corpus: "/archive", analyzer: Analyzer.version)
        let document = IndexDocument(path: "/x.txt", ordinal: 0, title: "石嘴山高新区", body: "新材料产业高地")
        let builder = SegmentBuilder()
        builder.add(document, analyzer: analyzer)
        try writer.commit(IndexWriter.Change(segments: [try writer.writeSegment(builder)]))
        let path = directory + "/manifest.json"
        let original = try String(contentsOfFile: path, encoding: .utf8)
        // A changed statistic that still parses: only the checksum can tell.
        let sums = try #require(original.range(of: #""fieldLengthSums" : \[\s*6"#, options: .regularExpression))
        try original.replacingCharacters(in: sums, with: original[sums].dropLast() + "7").write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try IndexSnapshot.open(directory: directory, analyzer: Analyzer.version)
        } throws: { error in
            guard let error = error as? IndexError, case .corrupt(let file, let why) = error else { return false }
            return file == "manifest.json" && why.contains("checksum") && error.needsRebuild
        }
        // A manifest of the format before is from an older huojud: rebuild, not damage.
        let current = "\"formatVersion\" : \(Manifest.formatVersion)", older = "\"formatVersion\" : \(Manifest.formatVersion - 1)"
        #expect(original.contains(current))
        try original.replacingOccurrences(of: current, with: older).write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try IndexSnapshot.open(directory: directory, analyzer: Analyzer.version)
        } throws: { error in
            guard let error = error as? IndexError, case .incompatible = error else { return false }
            return true
        }
        try original.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try IndexSnapshot.open(directory: directory, analyzer: Analyzer.version).docCount == 1)
    }
}
