import Foundation
import HuojuTestSupport
import Testing
@testable import HuojuCorpus
@testable import HuojuIndex
@testable import HuojuParser
@testable import HuojuProtocol
@testable import HuojuQuery
@testable import HuojuText

/// One index of the real sample corpus, built once for the suite.
final class SampleIndex: @unchecked Sendable {
    static let shared = SampleIndex()

    let directory: String
    let searcher: Searcher
    /// (path, ordinal) → folded title and body, for the substring oracle.
    let articles: [(path: String, ordinal: Int, title: String, body: String)]

    private init() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("huoju-sample-\(UUID().uuidString)").path
        let corpus = SharedCorpus.directory!.path
        _ = try! CorpusIndexer.rebuild(corpus: corpus, index: directory)
        searcher = try! Searcher(snapshot: try! IndexSnapshot.open(directory: directory, analyzer: Analyzer.version))
        var articles: [(String, Int, String, String)] = []
        for path in CorpusScanner.scan(corpus).files {
            let text = try! CorpusFile.read(path).get().text
            for (ordinal, article) in IssueParser.parse(text).articles.enumerated() {
                articles.append((path, ordinal, Folder.shared.fold(article.title).text, Folder.shared.fold(article.body).text))
            }
        }
        self.articles = articles
    }

    /// The substring oracle: articles whose folded title or body contains every part. A Latin
    /// word or number must stand whole (not inside a longer word or number: `202` is not in
    /// `2022`, `3` is not in `3.2`).
    func oracle(_ parts: [String]) -> Set<String> {
        let folded = parts.map { Folder.shared.fold($0).text }
        return Set(articles.filter { article in
            folded.allSatisfy { Self.containsWhole(article.title, $0) || Self.containsWhole(article.body, $0) }
        }.map { "\($0.path)#\($0.ordinal)" })
    }

    static func containsWhole(_ text: String, _ part: String) -> Bool {
        let needle = Array(part.unicodeScalars)
        // Only a Latin end of the part must not continue into a longer word.
        let latinStart = needle.first.map { !Analyzer.isCJK($0) } ?? false, latinEnd = needle.last.map { !Analyzer.isCJK($0) } ?? false
        guard latinStart || latinEnd else { return text.contains(part) }
        let scalars = Array(text.unicodeScalars)
        func wordy(_ i: Int) -> Bool { i >= 0 && i < scalars.count && !Analyzer.isCJK(scalars[i]) && (scalars[i].properties.isAlphabetic || scalars[i].properties.numericType != nil) }
        func joins(_ i: Int, towards step: Int) -> Bool {
            // A letter or digit, or "." / "," between digits (3.2, 1,280), continues the word.
            if wordy(i) { return true }
            return i >= 0 && i < scalars.count && (scalars[i] == "." || scalars[i] == ",") && wordy(i + step) && wordy(i - step)
        }
        guard needle.count <= scalars.count else { return false }
        for start in 0...(scalars.count - needle.count) where scalars[start..<(start + needle.count)].elementsEqual(needle) {
            if !(latinStart && joins(start - 1, towards: -1)) && !(latinEnd && joins(start + needle.count, towards: 1)) { return true }
        }
        return false
    }

    func exactHits(_ query: String) throws -> Set<String> {
        let result = try searcher.search(SearchRequest(query: query, limit: 1000, exact: true))
        #expect(result.total == result.hits.count)
        return Set(result.hits.map { "\($0.path)#\($0.ordinal)" })
    }
}

@Suite(.serialized) struct SearchTests {
    let index = SampleIndex.shared

    /// Recall equals a plain scan of the folded article text, for hundreds of queries.
    @Test func recallEqualsTheSubstringOracle() throws {
        let seed = TestSeed.value(default: 74)
        var generator = SplitMix(seed: seed)
        let toTraditional = Transliterator(id: "Simplified-Traditional")!
        var queries: [(query: String, parts: [String])] = [
            ("石嘴山", ["石嘴山"]), ("山高", ["山高"]), ("新区", ["新区"]), ("高新区", ["高新区"]), ("科研助理", ["科研助理"]),
            ("国家战略需求", ["国家战略需求"]), ("颠覆性", ["颠覆性"]),
        ]
        func randomSubstring(_ text: String) -> String? {
            let scalars = Array(text.unicodeScalars)
            let starts = scalars.indices.filter { Analyzer.isCJK(scalars[$0]) }
            guard let start = starts.randomElement(using: &generator) else { return nil }
            var end = start
            let length = Int.random(in: 1...8, using: &generator)
            while end < scalars.count, end - start < length, Analyzer.isCJK(scalars[end]) { end += 1 }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[start..<end])
            return String(view)
        }
        for _ in 0..<260 {
            let article = index.articles.randomElement(using: &generator)!
            guard let part = randomSubstring(Int.random(in: 0..<4, using: &generator) == 0 ? article.title : article.body) else { continue }
            queries.append((part, [part]))
        }
        for _ in 0..<40 {
            let article = index.articles.randomElement(using: &generator)!
            if let a = randomSubstring(article.body), let b = randomSubstring(index.articles.randomElement(using: &generator)!.body) {
                queries.append(("\(a) \(b)", [a, b]))
            }
        }
        // Traditional spellings fold onto the simplified text.
        for _ in 0..<30 {
            if let part = randomSubstring(index.articles.randomElement(using: &generator)!.body) {
                queries.append((toTraditional.transform(part)!, [part]))
            }
        }
        // Latin words and numbers, also typed full-width.
        let analyzer = Analyzer()
        let latin = Set(index.articles.flatMap { analyzer.analyze($0.body).units.compactMap { $0 }.filter { !$0.isCJK }.map { String($0.text) } })
        for word in latin.shuffled(using: &generator).prefix(40) {
            queries.append(("\"\(word)\"", [word]))
            let fullWidth = String(String.UnicodeScalarView(word.unicodeScalars.map { (0x21...0x7E).contains($0.value) ? Unicode.Scalar($0.value + 0xFEE0)! : $0 }))
            queries.append(("\"\(fullWidth)\"", [word]))
        }
        #expect(queries.count >= 300)
        for (query, parts) in queries {
            let expected = index.oracle(parts)
            #expect(!expected.isEmpty || parts.count > 1, "oracle found nothing for \(query) (HUOJU_TEST_SEED=\(seed))")
            #expect(try index.exactHits(query) == expected, "query \(query) (HUOJU_TEST_SEED=\(seed))")
        }
    }

    /// Phrases that mix a Latin word or number with CJK characters (`2023年`, `5g网络`, `第3`):
    /// a lone character beside the Latin unit is read from the run-edge layer, a run of two or
    /// more from bigrams; recall must still equal the oracle, including near misses (the same
    /// characters with the Latin unit changed).
    @Test func mixedLatinAndCJKPhrasesEqualTheOracle() throws {
        var generator = SplitMix(seed: 31)
        let analyzer = Analyzer()
        var queries = Set<String>()
        for article in index.articles {
            let units = analyzer.analyze(article.body).units
            for i in units.indices {
                guard let unit = units[i], !unit.isCJK else { continue }
                // A Latin unit with one or two CJK characters after it, or one before it.
                if i + 1 < units.count, let next = units[i + 1], next.isCJK {
                    queries.insert(String(unit.text) + String(next.text))
                    if i + 2 < units.count, let third = units[i + 2], third.isCJK { queries.insert(String(unit.text) + String(next.text) + String(third.text)) }
                }
                if i > 0, let previous = units[i - 1], previous.isCJK { queries.insert(String(previous.text) + String(unit.text)) }
            }
        }
        var sample = Array(queries).sorted().shuffled(using: &generator).prefix(150)
        // Near misses: another number beside the same character.
        sample += sample.prefix(30).compactMap { query in
            guard let digit = query.unicodeScalars.first(where: { ("0"..."9").contains($0) }) else { return nil }
            return query.replacingOccurrences(of: String(digit), with: digit == "9" ? "8" : "9")
        }
        #expect(sample.count >= 100, "only \(sample.count) mixed phrases in the samples")
        for query in sample {
            #expect(try index.exactHits("\"\(query)\"") == index.oracle([query]), "query \(query) (seed 31)")
        }
    }

    @Test func titleAndPhraseMatchesRankFirst() throws {
        let result = try index.searcher.search(SearchRequest(query: "科研助理", limit: 5))
        #expect(result.hits.count == 5)
        // Articles about research assistants (their titles say so) outrank passing mentions.
        #expect(result.hits.prefix(3).allSatisfy { $0.title.contains("科研助理") })
        #expect(result.hits.allSatisfy { !$0.partial })
    }

    @Test func partialMatchesFollowExactOnesAndCanBeExcluded() throws {
        // "瞪羚企业" stands in one article; "瞪羚计划" only shares the ICU word 瞪羚.
        let exactOnly = try index.searcher.search(SearchRequest(query: "瞪羚企业", limit: 10, exact: true))
        let withPartial = try index.searcher.search(SearchRequest(query: "瞪羚企业", limit: 10))
        #expect(exactOnly.total >= 1)
        #expect(withPartial.total == exactOnly.total)
        #expect(withPartial.hits.prefix(exactOnly.hits.count).allSatisfy { !$0.partial })
        let partial = withPartial.hits.filter(\.partial)
        #expect(!partial.isEmpty)
        #expect(partial.contains { $0.snippet.contains("瞪羚") })
    }

    @Test func filtersAndExclusions() throws {
        let all = try index.searcher.search(SearchRequest(query: "高新区", limit: 1000, exact: true))
        let issue542 = try index.searcher.search(SearchRequest(query: "高新区 issue:542", limit: 1000, exact: true))
        #expect(issue542.total > 0 && issue542.total < all.total)
        // `issue:542` is the issue number or the cumulative number 542: every such article, no other.
        let of542 = all.hits.filter { $0.issueNumber == 542 || $0.cumulative == 542 }
        #expect(Set(issue542.hits.map { "\($0.path)#\($0.ordinal)" }) == Set(of542.map { "\($0.path)#\($0.ordinal)" }))
        let july = try index.searcher.search(SearchRequest(query: "高新区 date:2022-07-01..2022-07-31", limit: 1000, exact: true))
        #expect(july.hits.allSatisfy { $0.date?.hasPrefix("2022-07") == true })
        #expect(july.total > 0)
        let excluded = try index.searcher.search(SearchRequest(query: "高新区 -科研助理", limit: 1000, exact: true))
        #expect(excluded.total == all.total - (try index.exactHits("高新区 科研助理")).count)
        let titled = try index.searcher.search(SearchRequest(query: "title:科研助理", limit: 1000, exact: true))
        #expect(titled.hits.allSatisfy { $0.title.contains("科研助理") } && titled.total >= 2)
    }

    @Test func explainSumsToTheScore() throws {
        let result = try index.searcher.search(SearchRequest(query: "高新区 人才", limit: 10, explain: true))
        for hit in result.hits {
            let sum = hit.explain!.reduce(0) { $0 + $1.score }
            #expect(abs(sum - hit.score) <= 1e-9 * max(1, abs(hit.score)))
            for entry in hit.explain! {
                // A phrase's idf is the sum of its terms' idfs (Lucene's PhraseQuery).
                let docFreqs = entry.kind == .phrase ? entry.terms!.map(\.docFreq) : [entry.docFreq]
                let idf = docFreqs.reduce(0) { $0 + log(1 + (Double(entry.docCount) - Double($1) + 0.5) / (Double($1) + 0.5)) }
                #expect(abs(idf - entry.idf) <= 1e-12 * idf)
                let norm = Double(entry.tf) / (Double(entry.tf) + 1.2 * (1 - 0.75 + 0.75 * Double(entry.length) / entry.averageLength))
                #expect(abs(entry.boost * idf * norm - entry.score) <= 1e-9 * max(1, entry.score))
            }
        }
    }

    @Test func snippetsMarkWholeMatches() throws {
        let result = try index.searcher.search(SearchRequest(query: "科研助理", limit: 3))
        for hit in result.hits {
            let scalars = Array(hit.snippet.unicodeScalars)
            #expect(!hit.highlights.isEmpty)
            #expect(hit.snippet.unicodeScalars.count <= 120)
            for span in hit.highlights {
                let marked = String(String.UnicodeScalarView(scalars[span[0]..<span[1]]))
                // The whole phrase or one of its words, even at the passage's edges: a snippet
                // never cuts a match (the third hit's passage used to end in a lone 科).
                #expect(["科研助理", "科研", "助理"].contains(marked), "marked \(marked.debugDescription) at \(span) of \(scalars.count)")
            }
        }
    }

    /// Over every article of the samples: each highlight of a snippet is a whole span of the
    /// highlights of the full text, at the place the passage was cut from.
    @Test func snippetHighlightsAreWholeSpansOfTheText() throws {
        let analyzer = Analyzer()
        var checked = 0
        for query in ["科研助理", "高新区 人才", "新材料", "国家高新区", "技术 企业", "\"5G\""] {
            let compiled = CompiledQuery(try QueryParser.parse(query), analyzer: analyzer)
            let highlighter = Highlighter(analyzer: analyzer, plans: compiled.positivePlans)
            for (_, text) in try SharedCorpus.texts() {
                for article in IssueParser.parse(text).articles {
                    let passage = highlighter.snippet(article.body)
                    guard !passage.highlights.isEmpty else { continue }
                    let body = Array(article.body.unicodeScalars.map { $0 == "\n" ? " " : $0 })
                    let cut = Array(passage.text.unicodeScalars)
                    let start = (0...(body.count - cut.count)).first { Array(body[$0..<($0 + cut.count)]) == cut }!
                    let spans = Set(highlighter.spans(in: article.body).map { [$0[0] - start, $0[1] - start] })
                    for highlight in passage.highlights {
                        #expect(spans.contains(highlight), "\(query): \(highlight) of \(passage.text.debugDescription) is not a whole span")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked > 50)
    }

    @Test func reopeningGivesTheSameResults() throws {
        let reopened = try Searcher(snapshot: try IndexSnapshot.open(directory: index.directory, analyzer: Analyzer.version))
        for query in ["科研助理", "高新区 人才", "石嘴山", "5G", "孵化器 OR 众创空间"] {
            let before = try index.searcher.search(SearchRequest(query: query, limit: 20))
            let after = try reopened.search(SearchRequest(query: query, limit: 20))
            #expect(before.total == after.total)
            #expect(before.hits.map(\.path) == after.hits.map(\.path))
            #expect(before.hits.map(\.score) == after.hits.map(\.score))
        }
    }
}

@Suite struct CorpusIndexingTests {
    /// A folder with a binary file, an unreadable one, an empty one, a GB18030 and a UTF-16
    /// copy of a real issue, and a symbolic link loop: the bad ones are reported by path with a
    /// reason, everything else is indexed, and the encoded copies give the same articles.
    @Test func badFilesAreReportedAndSkippedWhileTheRestIsIndexed() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("huoju-mixed-\(UUID().uuidString.prefix(8))").path
        let corpus = root + "/corpus", index = root + "/index"
        try FileManager.default.createDirectory(atPath: corpus + "/sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sample = try SharedCorpus.files().first!
        let text = try String(contentsOf: sample, encoding: .utf8)
        try text.write(toFile: corpus + "/a_utf8.txt", atomically: true, encoding: .utf8)
        try Data(iconvEncode(text, to: "GB18030")).write(to: URL(fileURLWithPath: corpus + "/b_gb18030.txt"))
        try Data([0xFF, 0xFE] + iconvEncode(text, to: "UTF-16LE")).write(to: URL(fileURLWithPath: corpus + "/sub/c_utf16.txt"))
        var binary: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 0, 0, 0, 1]
        for i in 0..<4096 { binary.append(UInt8(truncatingIfNeeded: i &* 131 &+ 7)) }
        try Data(binary).write(to: URL(fileURLWithPath: corpus + "/d_binary.txt"))
        try Data().write(to: URL(fileURLWithPath: corpus + "/e_empty.txt"))
        try FileManager.default.createSymbolicLink(atPath: corpus + "/sub/loop", withDestinationPath: corpus)

        let summary = try CorpusIndexer.rebuild(corpus: corpus, index: index)
        #expect(summary.files == 3)
        let reasons = Dictionary(summary.skipped.map { ($0.path, $0.reason) }, uniquingKeysWith: { (a: String, _: String) in a })
        #expect(reasons[corpus + "/d_binary.txt"]?.contains("binary") == true, "\(reasons)")
        #expect(reasons[corpus + "/e_empty.txt"] == "empty file")
        #expect(reasons.keys.contains { $0.hasSuffix("/sub/loop") }, "\(reasons)")

        let searcher = try Searcher(snapshot: try IndexSnapshot.open(directory: index, analyzer: Analyzer.version))
        let perFile = Int(summary.articles / 3)
        #expect(summary.articles == 3 * perFile)
        let all = try searcher.search(SearchRequest(query: "高新区", limit: 1000, exact: true))
        let byPath = Dictionary(grouping: all.hits, by: { URL(fileURLWithPath: $0.path).lastPathComponent })
        #expect(Set(byPath.keys) == ["a_utf8.txt", "b_gb18030.txt", "c_utf16.txt"])
        let titles = byPath.mapValues { $0.sorted { $0.ordinal < $1.ordinal }.map(\.title) }
        #expect(titles["a_utf8.txt"] == titles["b_gb18030.txt"])
        #expect(titles["a_utf8.txt"] == titles["c_utf16.txt"])
    }

    /// Files that disappear or are emptied while a build runs (deleted after the scan listed
    /// them, before a worker reads them) are reported with their reason; the build goes on.
    /// The progress callback, called after every 16 files on the worker, is the fault hook.
    @Test func filesVanishingDuringTheBuildAreReportedAndTheRestIsIndexed() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("huoju-vanish-\(UUID().uuidString.prefix(8))").path
        let corpus = root + "/corpus", index = root + "/index"
        try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let text = try String(contentsOf: try SharedCorpus.files().first!, encoding: .utf8)
        for i in 0..<24 { try text.write(toFile: corpus + String(format: "/%02d.txt", i), atomically: true, encoding: .utf8) }
        let vanished = corpus + "/20.txt", emptied = corpus + "/21.txt"
        var indexer = CorpusIndexer(corpus: corpus, writer: try IndexWriter(directory: index, corpus: corpus, analyzer: Analyzer.version))
        indexer.threads = 1
        let summary = try indexer.update(.rebuild) { done, _, _ in
            if done == 16 {
                unlink(vanished)
                truncate(emptied, 0)
            }
        }
        let reasons = Dictionary(summary.skipped.map { ($0.path, $0.reason) }, uniquingKeysWith: { (a: String, _: String) in a })
        #expect(reasons == [vanished: "No such file or directory", emptied: "empty file"], "\(reasons)")
        #expect(summary.files == 22)
        let snapshot = try IndexSnapshot.open(directory: index, analyzer: Analyzer.version)
        #expect(Set((0..<snapshot.docCount).map { try! snapshot.document(global: $0).path }).count == 22)
    }
}
