import Foundation
import HuojuCorpus
import HuojuTestSupport
import Testing
@testable import HuojuIndex
@testable import HuojuParser
@testable import HuojuQuery
@testable import HuojuText

/// Top-k search with block-max pruning must return exactly what exhaustive search returns.
///
/// The sample corpus is too small for pruning to skip anything (every posting list is one
/// block), so this suite builds a larger index of articles recombined from the samples'
/// paragraphs (seeded, so failures reproduce): thousands of documents over several segments,
/// with term frequencies and lengths that vary from block to block.
@Suite struct TopKTests {
    static let index: (directory: String, searcher: Searcher, paragraphs: [String]) = {
        let built = build()
        return (built.directory, try! Searcher(snapshot: try! IndexSnapshot.open(directory: built.directory, analyzer: Analyzer.version)), built.paragraphs)
    }()

    /// Writes the index: 3,000 articles, ten per synthetic file (each file a source, so it can
    /// be deleted), 700 per segment.
    static func build() -> (directory: String, writer: IndexWriter, paragraphs: [String], files: [String]) {
        var paragraphs: [String] = [], titles: [String] = []
        for (_, text) in try! SharedCorpus.texts() {
            for article in IssueParser.parse(text).articles {
                titles.append(article.title)
                paragraphs += article.body.split(separator: "\n").map(String.init).filter { $0.count > 10 }
            }
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("huoju-topk-\(UUID().uuidString)").path
        let writer = try! IndexWriter(directory: directory, corpus: nil, analyzer: Analyzer.version)
        let analyzer = Analyzer()
        var random = SplitMix(seed: 20221)
        var segments: [SegmentInfo] = [], sources: [SourceFile] = []
        var builder = SegmentBuilder()
        func flush() {
            let segment = try! writer.writeSegment(builder)
            for first in stride(from: 0, to: Int(builder.docCount), by: 10) {
                let path = "/synthetic/\((segments.reduce(0) { $0 + $1.docCount } + first) / 10).txt"
                sources.append(SourceFile(path: path, hash: path, size: 0, mtime: 0, segment: segment.id, firstDoc: first, docCount: 10))
            }
            segments.append(segment)
            builder = SegmentBuilder()
        }
        for ordinal in 0..<3000 {
            let count = 1 + Int(random.next() % 6)
            let body = (0..<count).map { _ in paragraphs[Int(random.next() % UInt64(paragraphs.count))] }.joined(separator: "\n")
            let title = titles[Int(random.next() % UInt64(titles.count))]
            let document = IndexDocument(path: "/synthetic/\(ordinal / 10).txt", ordinal: ordinal % 10, title: title, body: body)
            builder.add(document, analyzer: analyzer)
            if builder.docCount == 700 { flush() }
        }
        flush()
        try! writer.commit(IndexWriter.Change(segments: segments, sources: sources))
        return (directory, writer, paragraphs, sources.map(\.path))
    }

    static let queries: [String] = {
        var queries = ["高新区", "科研", "科研助理", "高新区 人才", "企业 创新", "人才 -科研", "孵化器 OR 科研", "title:人才 企业",
                       "高新区 (人才 | 企业)", "发展", "国家高新区", "\"5G\"", "技术 -企业", "的"]
        // Random substrings of the text: common and rare, crossing word boundaries.
        var random = SplitMix(seed: 7)
        let paragraphs = index.paragraphs
        while queries.count < 60 {
            let scalars = Array(paragraphs[Int(random.next() % UInt64(paragraphs.count))].unicodeScalars)
            let length = 1 + Int(random.next() % 4)
            guard scalars.count > length else { continue }
            let start = Int(random.next() % UInt64(scalars.count - length))
            let text = String(String.UnicodeScalarView(scalars[start..<(start + length)]))
            if text.unicodeScalars.allSatisfy(Analyzer.isCJK) { queries.append(text) }
        }
        return queries
    }()

    @Test func topKEqualsExhaustiveSearch() throws {
        var pruned = 0
        for query in Self.queries {
            for (limit, offset) in [(10, 0), (3, 0), (10, 20)] {
                let exact = try Self.index.searcher.search(SearchRequest(query: query, limit: limit, offset: offset, exact: true))
                let topK = try Self.index.searcher.search(SearchRequest(query: query, limit: limit, offset: offset, exact: true, counting: .topK))
                #expect(topK.hits.map { "\($0.path)#\($0.ordinal)" } == exact.hits.map { "\($0.path)#\($0.ordinal)" }, "\(query) limit \(limit) offset \(offset)")
                #expect(topK.hits.map(\.score) == exact.hits.map(\.score), "\(query)")
                #expect(exact.totalIsExact)
                if topK.totalIsExact {
                    #expect(topK.total == exact.total, "\(query)")
                } else {
                    // Skipped blocks may or may not have held matches.
                    #expect(topK.total <= exact.total && topK.total >= limit + offset, "\(query)")
                    if topK.total < exact.total { pruned += 1 }
                }
            }
        }
        // The comparison above means something only if pruning actually skipped documents.
        #expect(pruned > Self.queries.count / 2)
    }

    /// A third of the files deleted, not merged: both countings return the live documents of
    /// the ranking before the deletes, with the same scores (deleted documents still count in
    /// the statistics), and pruning still skips.
    @Test func topKWithDeletesReturnsTheLiveDocumentsOfTheRankingBefore() throws {
        let built = Self.build()
        defer { try? FileManager.default.removeItem(atPath: built.directory) }
        let before = try Searcher(snapshot: try IndexSnapshot.open(directory: built.directory, analyzer: Analyzer.version))
        let removed = Set(built.files.enumerated().filter { $0.offset % 3 == 1 }.map(\.element))
        try built.writer.commit(IndexWriter.Change(removed: Array(removed)))
        let after = try Searcher(snapshot: try IndexSnapshot.open(directory: built.directory, analyzer: Analyzer.version))
        #expect(after.snapshot.manifest.deletedCount == removed.count * 10)
        var pruned = 0, compared = 0
        for query in Self.queries {
            let all = try before.search(SearchRequest(query: query, limit: 1000, exact: true))
            let live = all.hits.filter { !removed.contains($0.path) }
            for (limit, offset) in [(10, 0), (3, 0), (10, 20)] {
                // The live ranking is known up to the before-ranking's last hit.
                guard live.count >= limit + offset || all.total <= all.hits.count else { continue }
                let want = live.dropFirst(offset).prefix(limit)
                for counting in [Counting.exact, .topK] {
                    let got = try after.search(SearchRequest(query: query, limit: limit, offset: offset, exact: true, counting: counting))
                    #expect(got.hits.map { "\($0.path)#\($0.ordinal)" } == want.map { "\($0.path)#\($0.ordinal)" }, "\(query) \(counting) limit \(limit) offset \(offset)")
                    #expect(got.hits.map(\.score) == want.map(\.score), "\(query) \(counting)")
                    if counting == .topK, !got.totalIsExact { pruned += 1 }
                    if counting == .exact, all.total <= all.hits.count { #expect(got.total == live.count, "\(query)") }
                }
                compared += 1
            }
        }
        #expect(compared > Self.queries.count)
        #expect(pruned > 0, "pruning skipped nothing: the comparison would not test it")
    }

    @Test func partialMatchesAreTheSameUnderTopK() throws {
        for query in ["瞪羚企业", "科研助理 火箭", "孵化器 量子计算", "人才 飞船"] {
            let exact = try Self.index.searcher.search(SearchRequest(query: query, limit: 20))
            let topK = try Self.index.searcher.search(SearchRequest(query: query, limit: 20, counting: .topK))
            #expect(topK.hits.map { "\($0.path)#\($0.ordinal)#\($0.partial)" } == exact.hits.map { "\($0.path)#\($0.ordinal)#\($0.partial)" }, "\(query)")
            #expect(topK.hits.map(\.score) == exact.hits.map(\.score))
        }
    }
}
