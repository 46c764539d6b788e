import Benchmark
import Foundation
import HuojuCorpus
import HuojuIndex
import HuojuQuery
import HuojuText

/// The index every benchmark reads: 4 MB of issues from `../shared/tools/gen_corpus.py` (its
/// default seed, so runs compare), indexed once per process (the benchmark tool runs each
/// benchmark in a process of its own). The real sample issues hold too few articles to fill a
/// postings block (128 documents); these 1,140 articles fill several per segment.
struct Fixture: Sendable {
    let snapshot: IndexSnapshot
    let searcher: Searcher
    /// `frequentGram` in each segment that has it, looked up once: the postings benchmarks time
    /// decoding, not the term dictionary.
    let frequentGramInfo: [(segment: SegmentReader, info: TermInfo)]

    static let megabytes = 4

    init() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("huoju-bench-\(UUID().uuidString)").path
        // The snapshot maps its files when it opens: the folder can go at once, so a run leaves
        // nothing behind in the temporary folder, however the measuring ends.
        defer { try? FileManager.default.removeItem(atPath: root) }
        let generator = Process()
        generator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        generator.arguments = ["python3", try Self.generator(), String(Self.megabytes), root + "/corpus"]
        try generator.run()
        generator.waitUntilExit()
        guard generator.terminationStatus == 0 else { throw FixtureError("gen_corpus.py exited with \(generator.terminationStatus)") }
        _ = try CorpusIndexer.rebuild(corpus: root + "/corpus", index: root + "/index")
        snapshot = try IndexSnapshot.open(directory: root + "/index", analyzer: Analyzer.version)
        searcher = try Searcher(snapshot: snapshot)
        frequentGramInfo = try snapshot.segments.compactMap { segment in
            try segment.termInfo(frequentGram).map { (segment, $0) }
        }
        guard !frequentGramInfo.isEmpty else { throw FixtureError("\(frequentGram) is in no segment") }
    }

    /// `$HUOJU_SHARED/tools/gen_corpus.py`, or `shared/tools/gen_corpus.py` beside an ancestor of
    /// this file (where `../shared` is, as for the tests).
    static func generator() throws -> String {
        if let shared = ProcessInfo.processInfo.environment["HUOJU_SHARED"] { return shared + "/tools/gen_corpus.py" }
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            let candidate = url.appendingPathComponent("shared/tools/gen_corpus.py").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            url.deleteLastPathComponent()
        }
        throw FixtureError("../shared/tools/gen_corpus.py not found (set HUOJU_SHARED to the shared folder)")
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Built on first use (a global is initialised lazily, once), in each benchmark's setup, so that
/// no measured iteration pays for it.
let fixture: Fixture = {
    do { return try Fixture() } catch { broken("benchmark fixture: \(error)") }
}()

/// Stops the benchmark process. An error thrown by a setup or a benchmark is printed, but the
/// benchmark tool (1.38.1) still exits 0; a crashed benchmark process makes it exit non-zero.
func broken(_ why: String) -> Never { fatalError(why) }

/// A body bigram most articles hold (about 1,070 of 1,140): several full blocks in each segment.
let frequentGram = TermKey(.body, .gram, "高新")
/// Documents per window, as exact counting reads them (`Window.exactSize` in HuojuQuery).
let windowSize = 2048

/// Walks `frequentGram` in every segment with `body` (given the segment's document count) and
/// sums what it returns, so that the compiler cannot drop the walk.
func walkPostings(_ body: (inout PostingsIterator, Int) throws -> UInt64) throws -> UInt64 {
    var sum: UInt64 = 0
    for (segment, info) in fixture.frequentGramInfo {
        var postings = try segment.postings(info)
        sum &+= try body(&postings, segment.docCount)
    }
    return sum
}

/// Stops rather than measuring a query that finds nothing, or fewer hits than asked for (after a
/// change to the analyzer or the generator, that would look like a speed-up).
func expectMatches(_ request: SearchRequest) {
    do {
        let result = try fixture.searcher.search(request)
        guard result.total > 0, result.hits.count == request.limit else {
            broken("\(request.query): \(result.total) matches, \(result.hits.count) hits in the fixture")
        }
    } catch {
        broken("\(request.query): \(error)")
    }
}

/// Registers a benchmark whose errors stop the process (see `broken`): an engine error here is a
/// regression, not a figure.
func measure(_ name: String, _ configuration: Benchmark.Configuration, _ body: @escaping (Benchmark) throws -> Void) {
    Benchmark(name, configuration: configuration) { benchmark in
        do { try body(benchmark) } catch { broken("\(name): \(error)") }
    }
}

let benchmarks: @Sendable () -> Void = {
    // scripts/microbench --short: a smoke run, each benchmark briefly.
    let short = ProcessInfo.processInfo.environment["HUOJU_MICROBENCH_SHORT"] != nil
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        warmupIterations: short ? 1 : 10,
        maxDuration: short ? .milliseconds(200) : .seconds(2),
        maxIterations: short ? 50 : 10_000
    )

    // Postings decode: a term's documents a decoded block at a time, three ways a query reads them.
    // A walk takes microseconds: nanoseconds show a change of a few percent.
    let decode = Benchmark.Configuration(timeUnits: .nanoseconds, setup: { _ = fixture })
    measure("Postings decode: collect windows (高新)", decode) { benchmark in
        var bits = [UInt64](repeating: 0, count: windowSize / 64)
        var frequencies = [UInt32](repeating: 0, count: windowSize)
        for _ in benchmark.scaledIterations {
            blackHole(try walkPostings { postings, docCount in
                var marked: UInt64 = 0
                for start in stride(from: 0, to: docCount, by: windowSize) {
                    let end = UInt32(min(start + windowSize, docCount))
                    bits.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
                    try bits.withUnsafeMutableBufferPointer { bits in
                        try frequencies.withUnsafeMutableBufferPointer { frequencies in
                            try postings.collect(from: UInt32(start), below: end, into: bits.baseAddress!, frequencies: frequencies.baseAddress)
                        }
                    }
                    for word in bits { marked &+= UInt64(word.nonzeroBitCount) }
                }
                return marked
            })
        }
    }
    measure("Postings decode: next() (高新)", decode) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try walkPostings { postings, _ in
                var sum: UInt64 = 0
                while postings.doc != PostingsIterator.end {
                    sum &+= UInt64(postings.doc) &+ UInt64(postings.termFrequency)
                    try postings.next()
                }
                return sum
            })
        }
    }
    // Targets 200 documents apart (blocks hold 128): each lands in a later block, read through
    // skip entries, and the blocks in between are never decoded.
    measure("Postings decode: advance(to:) every 200 docs (高新)", decode) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try walkPostings { postings, docCount in
                var sum: UInt64 = 0
                for target in stride(from: 0, to: docCount, by: 200) {
                    let doc = try postings.advance(to: UInt32(target))
                    if doc == PostingsIterator.end { break }
                    sum &+= UInt64(doc)
                }
                return sum
            })
        }
    }

    // Phrase confirmation: counting only (limit 0: no hits, no snippets). 科研 is one bigram;
    // 科研助理 is three whose candidates are confirmed on positions. The difference is the
    // phrase's cost.
    for (query, what) in [("科研", " (one bigram)"), ("科研助理", "")] {
        let request = SearchRequest(query: query, limit: 0)
        measure("Phrase: count \(query)\(what)", .init(setup: { expectMatches(request) })) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try fixture.searcher.search(request).total)
            }
        }
    }

    // Snippet building: the phrase's top 10, then all 10 as hits (each a stored document and its
    // snippet) or only the 10th. Both rank the same 10 matches: the difference, over 9, is the
    // cost of one hit (issue #13: ≤ 20 µs).
    for (limit, offset, name) in [(10, 0, "10 hits"), (1, 9, "1 hit (the 10th)")] {
        let request = SearchRequest(query: "科研助理", limit: limit, offset: offset)
        measure("Snippets: 科研助理, \(name)", .init(setup: { expectMatches(request) })) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try fixture.searcher.search(request).hits.count)
            }
        }
    }
}
