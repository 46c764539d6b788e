import Foundation
import HuojuProtocol
import HuojuTestSupport
import Testing
import HuojuText
@testable import HuojuCorpus
@testable import HuojuIndex
@testable import HuojuQuery

/// BM25 statistics around deletes (docs/index-format.md, "Deletes"): deleted documents count
/// in N, avgdl and every df until a merge drops them; after a full merge the index scores
/// exactly as a fresh build of its live documents.
@Suite struct DeletesAndMergeTests {
    static let queries = ["科研助理", "高新区 人才", "孵化器", "火炬", "石嘴山", "光谷", "5G", "title:高新区", "众创空间 OR 孵化器",
                          "高新区 -人才", "瞪羚企业", "科技 创新 发展"]

    /// Every hit of every query (exact, then with partial matches), as `file#ordinal` → score
    /// and explain `docCount`, with the totals and facets.
    struct Answers: Equatable {
        var scores: [String: [String: Double]] = [:]
        var docCounts: Set<Int> = []
        var totals: [String: [Int]] = [:]
        var facets: [String: SearchFacets?] = [:]
    }

    /// `rename` maps a file name of this index to the name the comparison uses; a nil name
    /// leaves the article out (an article another index holds deleted).
    static func answers(_ index: String, rename: (String) -> String? = { $0 }) throws -> Answers {
        let searcher = try Searcher(snapshot: try IndexSnapshot.open(directory: index, analyzer: Analyzer.version))
        var answers = Answers()
        for query in queries {
            for exact in [true, false] {
                let result = try searcher.search(SearchRequest(query: query, limit: 1000, exact: exact, explain: true))
                #expect(result.hits.count == result.total + (exact ? 0 : result.partialTotal), "\(query): every match fits the page")
                var scores: [String: Double] = [:]
                for hit in result.hits {
                    guard let name = rename(URL(fileURLWithPath: hit.path).lastPathComponent) else { continue }
                    scores["\(name)#\(hit.ordinal)#\(hit.partial)"] = hit.score
                    answers.docCounts.formUnion(hit.explain?.map(\.docCount) ?? [])
                }
                answers.scores["\(query) exact:\(exact)"] = scores
                answers.totals["\(query) exact:\(exact)"] = [result.total, result.partialTotal]
                answers.facets["\(query) exact:\(exact)"] = result.facets
            }
        }
        return answers
    }

    static func expectSameScores(_ a: Answers, _ b: Answers, _ what: String) {
        #expect(a.scores.keys.sorted() == b.scores.keys.sorted())
        for (query, scores) in a.scores {
            let other = b.scores[query] ?? [:]
            #expect(scores.keys.sorted() == other.keys.sorted(), "\(what): \(query): hits differ")
            for (key, score) in scores where abs(score - (other[key] ?? .nan)) > 1e-12 * max(1, score) || other[key] == nil {
                Issue.record("\(what): \(query): \(key) scores \(score), expected \(String(describing: other[key]))")
            }
        }
        #expect(a.docCounts == b.docCounts, "\(what): N")
    }

    /// The first sample with its last paragraph dropped and its first doubled: other lengths,
    /// term frequencies and document frequencies.
    static func changed(_ text: String) -> String {
        var lines = text.components(separatedBy: "\n")
        let paragraphs = lines.indices.filter { lines[$0].count >= 40 }
        lines[paragraphs[0]] += "\n\n" + lines[paragraphs[0]]
        lines.remove(at: paragraphs.last!)
        return lines.joined(separator: "\n")
    }

    @Test func deletedDocumentsCountUntilAFullMergeThenScoresEqualAFreshBuild() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("huoju-deletes-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let corpus = root + "/corpus", union = root + "/union", index = root + "/index"
        for folder in [corpus, union] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let samples = try SharedCorpus.texts()
        try #require(samples.count >= 3)
        for (name, text) in samples {
            try text.write(toFile: corpus + "/" + name, atomically: true, encoding: .utf8)
            try text.write(toFile: union + "/" + name, atomically: true, encoding: .utf8)
        }
        // Merges only when started below: every segment may hold two, none may hold deletes.
        var policy = TieredMergePolicy(mergeFactor: 2)
        policy.segmentsPerTier = 1
        policy.deletesAllowed = 0
        let writer = try IndexWriter(directory: index, corpus: corpus, analyzer: Analyzer.version, policy: policy)
        var indexer = CorpusIndexer(corpus: corpus, writer: writer)
        indexer.threads = 2
        _ = try indexer.update(.incremental)

        // The first sample changes, the last is removed: their old articles are deleted.
        let (changedName, changedText) = samples[0], removedName = samples[samples.count - 1].name
        try Self.changed(changedText).write(toFile: corpus + "/" + changedName, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: corpus + "/" + removedName)
        let summary = try indexer.update(.incremental)
        #expect((summary.changed, summary.removed) == (1, 1))
        let deleted = try IndexSnapshot.open(directory: index, analyzer: Analyzer.version)
        #expect(deleted.manifest.deletedCount > 0, "the deletes are not merged away yet")

        // Until merged, the statistics are those of an index holding the old articles beside
        // the new: the union of both corpora, built fresh, with the old articles left out of the hits.
        try Self.changed(changedText).write(toFile: union + "/zz-new-" + changedName, atomically: true, encoding: .utf8)
        let unionIndex = root + "/union-index"
        _ = try CorpusIndexer.rebuild(corpus: union, index: unionIndex)
        let expected = try Self.answers(unionIndex) { name in
            name == changedName || name == removedName ? nil : name.hasPrefix("zz-new-") ? String(name.dropFirst(7)) : name
        }
        Self.expectSameScores(try Self.answers(index), expected, "after deletes")
        #expect(try Self.answers(index).docCounts == [deleted.manifest.docCount], "N counts the deleted documents")

        // A full merge drops the deleted documents: the answers are a fresh build's.
        writer.startMerges()
        writer.waitForMerges()
        let merged = try IndexSnapshot.open(directory: index, analyzer: Analyzer.version)
        try merged.verify()
        #expect(merged.manifest.segments.count == 1 && merged.manifest.deletedCount == 0, "\(merged.manifest.segments)")
        let fresh = root + "/fresh"
        _ = try CorpusIndexer.rebuild(corpus: corpus, index: fresh)
        let mergedAnswers = try Self.answers(index), freshAnswers = try Self.answers(fresh)
        Self.expectSameScores(mergedAnswers, freshAnswers, "after a full merge")
        #expect(mergedAnswers.totals == freshAnswers.totals)
        #expect(mergedAnswers.facets == freshAnswers.facets)
        #expect(mergedAnswers.docCounts == [merged.manifest.docCount] && merged.manifest.docCount < deleted.manifest.docCount)
    }
}
