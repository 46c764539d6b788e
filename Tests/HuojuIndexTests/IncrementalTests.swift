import Foundation
import HuojuCorpus
import Testing
@testable import HuojuIndex
@testable import HuojuText

/// Deletes, the source table, merges, snapshot pinning and crash leftovers.
@Suite struct IncrementalTests {
    /// The files commits name: segment and deletion files and source tables.
    private func segmentFiles(_ directory: String) -> Set<String> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix("seg-") || $0.hasPrefix("sources-") })
    }

    /// What a snapshot holds of a commit: all of it but the source table, which readers do not load.
    private func readerView(_ manifest: Manifest) -> Manifest {
        var view = manifest
        view.sources = []
        return view
    }

    private func paths(_ snapshot: IndexSnapshot) throws -> [String] {
        var result: [String] = []
        for segment in snapshot.segments {
            for doc in 0..<UInt32(segment.docCount) where !segment.isDeleted(doc) { result.append(try segment.document(doc).path) }
        }
        return result.sorted()
    }

    @Test func aChangedFileReplacesItsArticlesInOneCommit() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let corpus = TestCorpus()
        let writer = try IndexWriter(directory: directory, corpus: nil, analyzer: Analyzer.version)
        let files = TestCorpus.files("a", count: 5)
        let first = try #require(try writer.commit(try corpus.change(files, writer: writer)))
        let changedPath = files[2].path
        let replacement = [IndexDocument(path: changedPath, ordinal: 0, title: "新标题", body: "石嘴山"),
                           IndexDocument(path: changedPath, ordinal: 1, title: "第二篇", body: "光谷")]
        let second = try #require(try writer.commit(try corpus.change([(changedPath, replacement)], writer: writer)))
        #expect(second.generation == first.generation + 1)
        #expect(second.segments.count == 2)
        let deletes = try #require(second.segments[0].deletes)
        #expect(deletes.count == 1 && deletes.file == "\(second.segments[0].id).g\(String(format: "%06d", second.generation)).del")
        #expect(second.sources.first { $0.path == changedPath } == SourceFile(
            path: changedPath, hash: second.sources.first { $0.path == changedPath }!.hash, size: 1, mtime: 1,
            segment: second.segments[1].id, firstDoc: 0, docCount: 2))

        let snapshot = try IndexSnapshot.open(directory: directory, analyzer: Analyzer.version)
        try snapshot.verify()
        #expect(snapshot.liveCount == 6 && snapshot.docCount == 7)
        #expect(snapshot.segments[0].isDeleted(2) && !snapshot.segments[0].isDeleted(1))
        #expect(try paths(snapshot) == (files.map(\.path) + [changedPath]).sorted())
        // Statistics count the deleted article until a merge drops it (Lucene-style).
        #expect(try snapshot.docFreq(TermKey(.title, .gram, "第")) == 6)
    }

    @Test func removedFilesDisappearAndAnEmptiedSegmentIsDropped() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let corpus = TestCorpus()
        let writer = try IndexWriter(directory: directory, corpus: nil, analyzer: Analyzer.version)
        let a = TestCorpus.files("a", count: 3), b = TestCorpus.files("b", count: 3)
        try writer.commit(try corpus.change(a, writer: writer))
        let second = try #require(try writer.commit(try corpus.change(b, writer: writer)))
        let bFiles = Set(second.segments[1].files.keys)
        #expect(bFiles.isSubset(of: segmentFiles(directory)))
        let third = try #require(try writer.commit(IndexWriter.Change(removed: b.map(\.path) + [a[0].path, "/not/indexed.txt"])))
        #expect(third.segments.map(\.id) == [second.segments[0].id])
        #expect(third.sources.map(\.path) == [a[1].path, a[2].path])
        #expect(segmentFiles(directory).isDisjoint(with: bFiles), "the emptied segment's files are deleted")
        let snapshot = try IndexSnapshot.open(directory: directory, analyzer: Analyzer.version)
        try snapshot.verify()
        #expect(try paths(snapshot) == [a[1].path, a[2].path])
    }

    @Test func metadataOnlyChangesCommitNothingUntilTheNextRealChange() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let corpus = TestCorpus()
        let writer = try IndexWriter(directory: directory, corpus: nil, analyzer: Analyzer.version)
        let files = TestCorpus.files("a", count: 2)
        let first = try #require(try writer.commit(try corpus.change(files, writer: writer)))
        var touched = first.sources[0]
        touched.mtime = 99
        writer.refresh([touched])
        #expect(try writer.commit(IndexWriter.Change()) == nil)
        #expect(try Manifest.read(directory: directory) == first, "nothing written")
        #expect(writer.sources[touched.path]?.mtime == 99, "the writer knows, so the file is not hashed again")
        let second = try #require(try writer.commit(IndexWriter.Change(removed: [files[1].path])))
        #expect(second.sources == [touched])
    }

    @Test func mergedSegmentIsByteForByteAFreshBuildOfTheLiveDocuments() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let corpus = TestCorpus()
        let writer = try IndexWriter(directory: directory, corpus: nil, analyzer: Analyzer.version)
        let groups = [TestCorpus.files("a", count: 30), TestCorpus.files("b", count: 20, body: "孵化器与众创空间"),
                      TestCorpus.files("c", count: 25, body: "Huoju 5G 光谷")]
        for group in groups { try writer.commit(try corpus.change(group, writer: writer)) }
        try writer.commit(IndexWriter.Change(removed: [groups[0][3].path, groups[1][0].path, groups[1][19].path, groups[2][7].path]))
        let snapshot = try IndexSnapshot.open(directory: directory, analyzer: Analyzer.version)
        let merged = try SegmentMerger.merge(snapshot.segments, directory: directory, id: "seg-merged")
        let segment = try #require(merged.segment)

        let builder = SegmentBuilder()
        for reader in snapshot.segments {
            for doc in 0..<UInt32(reader.docCount) where !reader.isDeleted(doc) {
                let document = try reader.document(doc)
                builder.add(document, analyzer: corpus.analyzer)
            }
        }
        let fresh = try builder.write(directory: directory, id: "seg-fresh")
        #expect(segment.docCount == 71 && fresh.docCount == 71)
        #expect(segment.fieldLengthSums == fresh.fieldLengthSums)
        for kind in SegmentFiles.Kind.allCases {
            let a = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + SegmentFiles.name("seg-merged", kind)))
            let b = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + SegmentFiles.name("seg-fresh", kind)))
            #expect(a == b, "\(kind) differs")
        }
        #expect(merged.docMaps[0][3] == -1 && merged.docMaps[0][4] == 3 && merged.docMaps[1][0] == -1 && merged.docMaps[1][1] == 29)
    }

    @Test func mergesRunInTheBackgroundAndBoundTheSegmentCount() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let corpus = TestCorpus()
        let writer = try IndexWriter(directory: directory, corpus: nil, analyzer: Analyzer.version, policy: TieredMergePolicy(mergeFactor: 3))
        var expected: [String] = []
        for round in 0..<12 {
            let files = TestCorpus.files("r\(round)-", count: 4)
            expected += files.map(\.path)
            try writer.commit(try corpus.change(files, writer: writer))
            writer.startMerges()
        }
        writer.waitForMerges()
        let manifest = writer.manifest
        #expect(writer.mergeStats.completed > 0 && writer.mergeStats.lastError == nil)
        #expect(manifest.segments.count <= TieredMergePolicy(mergeFactor: 3).allowedSegmentCount(manifest.segments))
        #expect(segmentFiles(directory) == manifest.files, "merged-away segments are deleted")
        let snapshot = try IndexSnapshot.open(directory: directory, analyzer: Analyzer.version)
        try snapshot.verify()
        #expect(try paths(snapshot) == expected.sorted())
    }

    @Test func aMergeCarriesOverDeletesCommittedWhileItRan() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let corpus = TestCorpus()
        let writer = try IndexWriter(directory: directory, corpus: nil, analyzer: Analyzer.version)
        let a = TestCorpus.files("a", count: 4), b = TestCorpus.files("b", count: 4), c = TestCorpus.files("c", count: 2)
        try writer.commit(try corpus.change(a, writer: writer))
        try writer.commit(try corpus.change(b, writer: writer))
        try writer.commit(try corpus.change(c, writer: writer))
        try writer.commit(IndexWriter.Change(removed: [a[0].path]))
        // The merge starts from this snapshot of the first two segments…
        var before: IndexSnapshot? = try IndexSnapshot.open(directory: directory, analyzer: Analyzer.version)
        let third = before!.segments[2].info.id
        var inputs = Array(before!.segments.prefix(2))
        let output = try SegmentMerger.merge(inputs, directory: directory, id: "seg-90000000")
        // …while a commit deletes one file from each input and changes another.
        let changed = [IndexDocument(path: b[2].path, ordinal: 0, title: "改", body: "新内容")]
        var change = try corpus.change([(b[2].path, changed)], writer: writer)
        change.removed = [a[3].path, b[0].path]
        try writer.commit(change)
        let generation = try #require(try writer.commitMerge(inputs, output))
        let manifest = writer.manifest
        #expect(manifest.generation == generation)
        #expect(manifest.segments.map(\.id) == ["seg-90000000", third, change.segments[0].id])
        #expect(manifest.segments[0].deletedCount == 3, "a3, b0 and the old b2, deleted during the merge")
        let snapshot = try IndexSnapshot.open(directory: directory, analyzer: Analyzer.version)
        try snapshot.verify()
        #expect(try paths(snapshot) == [a[1].path, a[2].path, b[1].path, b[2].path, b[3].path, c[0].path, c[1].path].sorted())
        (before, inputs) = (nil, [])
        #expect(segmentFiles(directory) == manifest.files, "the merged-away inputs go with their last reader")
    }

    @Test func aMergeWhoseInputsWereReplacedIsAbandoned() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let corpus = TestCorpus()
        let writer = try IndexWriter(directory: directory, corpus: nil, analyzer: Analyzer.version)
        try writer.commit(try corpus.change(TestCorpus.files("a", count: 3), writer: writer))
        let before = try IndexSnapshot.open(directory: directory, analyzer: Analyzer.version)
        let output = try SegmentMerger.merge(before.segments, directory: directory, id: "seg-90000000")
        var rebuild = try corpus.change(TestCorpus.files("b", count: 2), writer: writer)
        rebuild.replacesAll = true
        let rebuilt = try #require(try writer.commit(rebuild))
        #expect(try writer.commitMerge(before.segments, output) == nil)
        #expect(writer.manifest == rebuilt)
    }

    @Test func anOldSnapshotKeepsItsFilesUntilItsLastReaderIsDone() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let corpus = TestCorpus()
        let writer = try IndexWriter(directory: directory, corpus: nil, analyzer: Analyzer.version)
        let a = TestCorpus.files("a", count: 3)
        try writer.commit(try corpus.change(a, writer: writer))
        var old: IndexSnapshot? = try IndexSnapshot.open(directory: directory, analyzer: Analyzer.version)
        let oldFiles = old!.manifest.files
        var rebuild = try corpus.change(TestCorpus.files("b", count: 2), writer: writer)
        rebuild.replacesAll = true
        let rebuilt = try #require(try writer.commit(rebuild))
        #expect(oldFiles.isSubset(of: segmentFiles(directory)), "still held by a reader")
        #expect(try old!.segments[0].document(1).path == a[1].path)
        #expect(try IndexSnapshot.open(directory: directory, analyzer: Analyzer.version).manifest == readerView(rebuilt))
        old = nil
        #expect(segmentFiles(directory) == rebuilt.files, "gone with the last reader")
    }

    @Test func aReaderThatLosesARaceWithACommitRetriesFromTheNewManifest() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let corpus = TestCorpus()
        let writer = try IndexWriter(directory: directory, corpus: nil, analyzer: Analyzer.version)
        try writer.commit(try corpus.change(TestCorpus.files("a", count: 3), writer: writer))
        let stale = try Manifest.read(directory: directory)  // read, then the writer commits:
        var rebuild = try corpus.change(TestCorpus.files("b", count: 2), writer: writer)
        rebuild.replacesAll = true
        let rebuilt = try #require(try writer.commit(rebuild))
        #expect(segmentFiles(directory).isDisjoint(with: stale.files))
        let snapshot = try IndexSnapshot.open(directory: directory, startingFrom: stale, analyzer: Analyzer.version)
        #expect(snapshot.manifest == readerView(rebuilt))
    }

    @Test func leftoversOfACrashedRunAreRemovedWhenTheNextWriterOpens() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let corpus = TestCorpus()
        let writer = try IndexWriter(directory: directory, corpus: nil, analyzer: Analyzer.version)
        try writer.commit(try corpus.change(TestCorpus.files("a", count: 3), writer: writer))
        let committed = segmentFiles(directory)
        for name in ["seg-00000007.doc", "seg-00000007.tdi", "seg-00000000.g000009.del", "manifest.json.tmp"] {
            _ = FileManager.default.createFile(atPath: directory + "/" + name, contents: Data([1, 2, 3]))
        }
        _ = FileManager.default.createFile(atPath: directory + "/notes.txt", contents: Data())
        let reopened = try IndexWriter(directory: directory, corpus: nil, analyzer: Analyzer.version)
        #expect(segmentFiles(directory) == committed)
        #expect(!FileManager.default.fileExists(atPath: directory + "/manifest.json.tmp"))
        #expect(FileManager.default.fileExists(atPath: directory + "/notes.txt"), "only index files are touched")
        // Segment numbers continue past every name on disk, so no file is ever written twice.
        let next = try reopened.writeSegment(SegmentBuilder())
        #expect(next.id == "seg-00000008")
    }

    @Test func manifestRoundTripsTheSourceTable() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var manifest = Manifest.empty(analyzer: Analyzer.version, generation: 3, nextSegment: 12, corpus: "/c")
        manifest.sources = [SourceFile(path: "/c/火炬 2023.txt", hash: "fnv1a64:00ff00ff00ff00ff", size: 12345,
                                       mtime: 1_763_721_234_123_456_789, segment: "seg-00000011", firstDoc: 7, docCount: 3)]
        try manifest.write(directory: directory)
        #expect(try Manifest.read(directory: directory) == manifest)
    }
}

@Suite struct MergePolicyTests {
    private func segment(_ id: String, bytes: Int, docs: Int = 100, deleted: Int = 0) -> SegmentInfo {
        SegmentInfo(id: id, docCount: docs, fieldLengthSums: [0, 0, 0, 0, 0], files: ["\(id).doc": bytes],
                    deletes: deleted > 0 ? DeletesInfo(file: "\(id).del", count: deleted, bytes: 1) : nil)
    }

    @Test func anIndexWithinItsBudgetIsLeftAlone() {
        let policy = TieredMergePolicy(mergeFactor: 10)
        let segments = (0..<5).map { segment("s\($0)", bytes: 50 << 20) } + (0..<8).map { segment("t\($0)", bytes: 100 << 10) }
        #expect(policy.findMerge(segments) == nil)
    }

    @Test func smallSegmentsOfSimilarSizeAreMergedNotTheBigOnes() throws {
        let policy = TieredMergePolicy(mergeFactor: 10)
        let big = (0..<5).map { segment("big\($0)", bytes: 50 << 20) }
        let small = (0..<25).map { segment("small\($0)", bytes: (100 + $0) << 10) }
        let merge = try #require(policy.findMerge(big + small))
        #expect(merge.count == 10)
        #expect(merge.allSatisfy { $0.hasPrefix("small") })
    }

    @Test func aSegmentWithManyDeletesIsRewritten() {
        let policy = TieredMergePolicy(mergeFactor: 10)
        let segments = [segment("a", bytes: 50 << 20), segment("b", bytes: 50 << 20, deleted: 40), segment("c", bytes: 50 << 20, deleted: 10)]
        #expect(policy.findMerge(segments) == ["b"])
    }

    /// Feeds `count` new 40 KB segments of 10 documents one by one, merging as the policy says.
    private func stream(_ policy: TieredMergePolicy, count: Int) -> (maxSegments: Int, written: Int, maxRewrites: Int, documents: Int) {
        var segments: [SegmentInfo] = []
        var rewrites: [String: Int] = [:]  // segment → times its documents were written
        var next = 0, maxSegments = 0, written = 0
        for _ in 0..<count {
            let id = "s\(next)"; next += 1
            segments.append(segment(id, bytes: 40 << 10, docs: 10))
            rewrites[id] = 1
            written += 10
            while let merge = policy.findMerge(segments) {
                let inputs = segments.filter { merge.contains($0.id) }
                let merged = segment("s\(next)", bytes: inputs.reduce(0) { $0 + $1.byteSize }, docs: inputs.reduce(0) { $0 + $1.docCount })
                next += 1
                rewrites[merged.id] = inputs.map { rewrites[$0.id]! }.max()! + 1
                written += merged.docCount
                segments = segments.filter { !merge.contains($0.id) } + [merged]
            }
            maxSegments = max(maxSegments, segments.count)
        }
        return (maxSegments, written, rewrites.values.max()!, segments.reduce(0) { $0 + $1.docCount })
    }

    @Test func aStreamOfSmallSegmentsStaysBoundedAndEachDocumentIsRewrittenLogarithmicallyOften() {
        var policy = TieredMergePolicy(mergeFactor: 4)
        policy.floorBytes = 40 << 10
        let tiered = stream(policy, count: 2000)
        #expect(tiered.documents == 20_000)
        #expect(tiered.maxSegments <= 30, "segment count reached \(tiered.maxSegments)")
        // 2,000 segments: about log4(2000) ≈ 5.5 rewrites per document, not hundreds.
        #expect(tiered.maxRewrites <= 8, "a document was written \(tiered.maxRewrites) times")
        #expect(tiered.written < 20_000 * 8, "documents written \(tiered.written) times in all")

        // With the default floor, segments below 2 MB merge eagerly: few segments, a bounded
        // number of extra rewrites of small documents.
        let floored = stream(TieredMergePolicy(mergeFactor: 10), count: 2000)
        #expect(floored.documents == 20_000)
        #expect(floored.maxSegments <= 25, "segment count reached \(floored.maxSegments)")
        #expect(floored.written < 20_000 * 12, "documents written \(floored.written) times in all")
    }
}
