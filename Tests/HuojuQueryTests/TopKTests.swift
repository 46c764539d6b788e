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
        var segments: [SegmentInfo] = []
        var builder = SegmentBuilder()
        for ordinal in 0..<3000 {
            let count = 1 + Int(random.next() % 6)
            let body = (0..<count).map { _ in paragraphs[Int(random.next() % UInt64(paragraphs.count))] }.joined(separator: "\n")
            let title = titles[Int(random.next() % UInt64(titles.count))]
            let document = IndexDocument(path: "/synthetic/\(ordinal / 10).txt", ordinal: ordinal % 10, title: title, body: body)
            builder.add(document, analyzer: analyzer)
            if builder.docCount == 700 {
                segments.append(try! writer.writeSegment(builder))
                builder = SegmentBuilder()
            }
        }
        segments.append(try! writer.writeSegment(builder))
        try! writer.commit(IndexWriter.Change(segments: segments))
        return (directory, try! Searcher(snapshot: try! IndexSnapshot.open(directory: directory, analyzer: Analyzer.version)), paragraphs)
    }()

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

    @Test func partialMatchesAreTheSameUnderTopK() throws {
        for query in ["瞪羚企业", "科研助理 火箭", "孵化器 量子计算", "人才 飞船"] {
            let exact = try Self.index.searcher.search(SearchRequest(query: query, limit: 20))
            let topK = try Self.index.searcher.search(SearchRequest(query: query, limit: 20, counting: .topK))
            #expect(topK.hits.map { "\($0.path)#\($0.ordinal)#\($0.partial)" } == exact.hits.map { "\($0.path)#\($0.ordinal)#\($0.partial)" }, "\(query)")
            #expect(topK.hits.map(\.score) == exact.hits.map(\.score))
        }
    }
}
