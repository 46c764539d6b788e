import Foundation
import HuojuTestSupport
import Testing
@testable import HuojuCorpus
@testable import HuojuIndex
@testable import HuojuQuery
import HuojuText

/// An index kept up to date file by file answers like one built from scratch.
@Suite struct IncrementalIndexingTests {
    static let queries = ["科研助理", "高新区 人才", "孵化器", "火炬", "石嘴山", "光谷", "5G", "title:高新区", "众创空间 OR 孵化器", "高新区 -人才"]

    /// Each query's exact matches as sorted `path#ordinal`, with the total.
    static func answers(_ index: String) throws -> [String: [String]] {
        let searcher = try Searcher(snapshot: try IndexSnapshot.open(directory: index, analyzer: Analyzer.version))
        var answers: [String: [String]] = [:]
        for query in queries {
            let result = try searcher.search(SearchRequest(query: query, limit: 1000, exact: true))
            #expect(result.total == result.hits.count)
            answers[query] = result.hits.map { "\($0.path)#\($0.ordinal)" }.sorted()
        }
        return answers
    }

    @Test func incrementalUpdatesAnswerLikeAFreshBuild() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("huoju-incremental-\(UUID().uuidString.prefix(8))").path
        let corpus = root + "/corpus", index = root + "/index"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: corpus + "/2023", withIntermediateDirectories: true)
        let samples = try SharedCorpus.files()
        // Copies by content: the shared samples are read-only, and the test rewrites files.
        func copy(_ sample: URL, to path: String) throws { try Data(contentsOf: sample).write(to: URL(fileURLWithPath: path)) }
        for sample in samples.dropLast() { try copy(sample, to: corpus + "/" + sample.lastPathComponent) }
        let writer = try IndexWriter(directory: index, corpus: corpus, analyzer: Analyzer.version, policy: TieredMergePolicy(mergeFactor: 2))
        var indexer = CorpusIndexer(corpus: corpus, writer: writer)
        indexer.threads = 2
        var step = 0

        /// Changes the corpus, updates the index, and compares it with a fresh build.
        func check(_ what: String, added: Int = 0, changed: Int = 0, removed: Int = 0, _ change: () throws -> Void) throws {
            try change()
            let summary = try indexer.update(.incremental)
            #expect(summary.generation != nil, "\(what): nothing committed")
            #expect((summary.added, summary.changed, summary.removed) == (added, changed, removed), "\(what)")
            writer.startMerges()
            writer.waitForMerges()
            step += 1
            let fresh = root + "/fresh-\(step)"
            _ = try CorpusIndexer.rebuild(corpus: corpus, index: fresh)
            let snapshot = try IndexSnapshot.open(directory: index, analyzer: Analyzer.version)
            try snapshot.verify()
            #expect(snapshot.liveCount == (try IndexSnapshot.open(directory: fresh, analyzer: Analyzer.version).liveCount), "\(what)")
            #expect(try Self.answers(index) == (try Self.answers(fresh)), "\(what)")
        }

        try check("first build", added: samples.count - 1) {}
        let newIssue = corpus + "/2023/new.txt"
        try check("a new file in a subfolder", added: 1) { try copy(samples.last!, to: newIssue) }
        let first = corpus + "/" + samples[0].lastPathComponent
        try check("a changed file", changed: 1) {
            try copy(samples[1], to: first)
        }
        try check("a removed file", removed: 1) { try FileManager.default.removeItem(atPath: corpus + "/" + samples[1].lastPathComponent) }
        try check("a renamed file", added: 1, removed: 1) { try FileManager.default.moveItem(atPath: newIssue, toPath: corpus + "/moved.txt") }
        #expect(writer.mergeStats.completed > 0, "merge factor 2 merges along the way")

        // Touching a file or copying the same bytes over it changes nothing.
        let generation = writer.manifest.generation
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: first)
        let touched = try indexer.update(.incremental)
        #expect(touched.generation == nil && writer.manifest.generation == generation)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: first))
        try bytes.write(to: URL(fileURLWithPath: first))
        #expect(try indexer.update(.incremental).generation == nil)
        #expect(try Manifest.read(directory: index).generation == generation)
    }

    @Test func aRebuildReplacesEverythingInOneCommit() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("huoju-rebuild-\(UUID().uuidString.prefix(8))").path
        let corpus = SharedCorpus.directory!.path, index = root + "/index"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let built = try CorpusIndexer.rebuild(corpus: corpus, index: index)
        let before = try IndexSnapshot.open(directory: index, analyzer: Analyzer.version)
        let answers = try Self.answers(index)
        let again = try CorpusIndexer.rebuild(corpus: corpus, index: index)
        #expect(again.generation == built.generation.map { $0 + 1 })
        let after = try IndexSnapshot.open(directory: index, analyzer: Analyzer.version)
        #expect(Set(after.manifest.segments.map(\.id)).isDisjoint(with: before.manifest.segments.map(\.id)), "new files")
        #expect(try Self.answers(index) == answers)
        #expect(try before.segments[0].document(0).path == (try after.segments[0].document(0).path), "the old snapshot still reads")
    }
}
