import Foundation
import HuojuTestSupport
import Testing
@testable import HuojuCorpus
@testable import HuojuIndex
@testable import HuojuQuery
import HuojuText

/// Opening an index checks sizes and footers only (docs/index-format.md, "Opening and
/// checking"), so a damaged byte inside a file is found when it is read: the full check names
/// the file, and searches over the damaged index answer with an error or with results, never
/// a crash or a hang.
@Suite struct DamagedIndexTests {
    static let queries = ["科研助理", "高新区 人才", "孵化器", "火炬", "2023年", "title:高新区", "众创空间 OR 孵化器", "高新区 -人才", "人"]

    @Test func aDamagedByteInAnyFileKindIsNamedByVerifyAndSearchesSurvive() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("huoju-damaged-\(UUID().uuidString.prefix(8))").path
        let index = root + "/index"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try SharedCorpus.files()  // fails loudly when the samples are missing
        let corpus = try #require(SharedCorpus.directory)
        _ = try CorpusIndexer.rebuild(corpus: corpus.path, index: index)
        var generator = SplitMix(seed: 2026)
        let files = try FileManager.default.contentsOfDirectory(atPath: index).filter { $0.hasPrefix("seg-") }.sorted()
        let kinds = Set(files.map { ($0 as NSString).pathExtension })
        #expect(kinds.isSuperset(of: ["tdi", "doc", "pos", "sto", "len", "zon"]), "\(kinds)")
        for name in files {
            let path = index + "/" + name
            let original = try Data(contentsOf: URL(fileURLWithPath: path))
            // The header, the middle, a random byte and the footer's checksum.
            let offsets = [0, original.count / 2, Int.random(in: 0..<original.count, using: &generator), original.count - 8]
            for offset in offsets {
                var damaged = original
                damaged[offset] ^= 0x5A
                try damaged.write(to: URL(fileURLWithPath: path))
                let context = "byte \(offset) of \(name) (seed 2026)"
                do {
                    try IndexSnapshot.open(directory: index, analyzer: Analyzer.version).verify()
                    Issue.record("\(context) went unnoticed by verify")
                } catch {
                    #expect(error.description.contains(name), "\(context): \(error)")
                }
                // Searching: an error or results, and the process lives on.
                if let snapshot = try? IndexSnapshot.open(directory: index, analyzer: Analyzer.version), let searcher = try? Searcher(snapshot: snapshot) {
                    for query in Self.queries {
                        _ = try? searcher.search(SearchRequest(query: query, limit: 10))
                    }
                }
            }
            try original.write(to: URL(fileURLWithPath: path))
        }
        try IndexSnapshot.open(directory: index, analyzer: Analyzer.version).verify()
    }
}
