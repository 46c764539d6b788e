import Dispatch
import HuojuIndex
import HuojuParser
import HuojuText
import Synchronization

/// Reads, parses and analyzes the files of a corpus and writes them into an index.
///
/// Files are read, decoded, parsed and analyzed on all cores (ICU segmentation is the
/// bottleneck); documents are then added to the index writer in file order, so doc ids and
/// results are the same however many threads ran.
public struct CorpusIndexer {
    public struct Summary: Sendable {
        public var files = 0
        public var articles = 0
        public var bytes = 0
        public var seconds = 0.0
        public var skipped: [(path: String, reason: String)] = []

        public var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / 1_000_000 / seconds : 0 }
    }

    /// Called after each batch with (files done, files total, bytes done).
    public typealias Progress = (Int, Int, Int) -> Void

    public let corpus: String
    public let index: String
    public var batchSize = 64
    public var threads = 2

    public init(corpus: String, index: String) {
        self.corpus = corpus
        self.index = index
    }

    /// One file turned into analyzed documents, or the reason it was skipped.
    struct Prepared {
        var documents: [(IndexDocument, [Field: Analysis])] = []
        var bytes = 0
        var failure: String?
    }

    public func rebuild(progress: Progress? = nil) throws(IndexError) -> Summary {
        let started = DispatchTime.now().uptimeNanoseconds
        let listing = CorpusScanner.scan(corpus)
        var summary = Summary()
        summary.skipped = listing.skipped
        let writer = try IndexWriter(directory: index, corpus: corpus)
        let files = listing.files
        var start = 0
        while start < files.count {
            let batch = Array(files[start..<min(files.count, start + batchSize)])
            for (path, prepared) in zip(batch, Self.prepare(batch, threads: threads)) {
                if let failure = prepared.failure {
                    summary.skipped.append((path, failure))
                    continue
                }
                summary.files += 1
                summary.bytes += prepared.bytes
                for (document, analyses) in prepared.documents {
                    try writer.add(document, analyses: analyses)
                    summary.articles += 1
                }
            }
            start += batch.count
            progress?(start, files.count, summary.bytes)
        }
        try writer.commit()
        summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return summary
    }

    static func prepare(_ paths: [String], threads: Int) -> [Prepared] {
        let results = Mutex([Prepared](repeating: Prepared(), count: paths.count))
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, paths.count))) { _ in
            let analyzer = Analyzer()
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < paths.count else { return }
                let prepared = prepareFile(paths[index], analyzer: analyzer)
                results.withLock { $0[index] = prepared }
            }
        }
        return results.withLock { $0 }
    }

    static func prepareFile(_ path: String, analyzer: Analyzer) -> Prepared {
        var prepared = Prepared()
        switch CorpusFile.read(path) {
        case .failure(let failure):
            prepared.failure = failure.description
        case .success(let decoded):
            prepared.bytes = decoded.text.utf8.count
            let parsed = IssueParser.parse(decoded.text)
            if parsed.articles.isEmpty {
                prepared.failure = decoded.text.allSatisfy(\.isWhitespace) ? "empty file" : "no article found"
            }
            for (ordinal, article) in parsed.articles.enumerated() {
                let document = IndexDocument(article: article, ordinal: ordinal, issue: parsed.issue, path: path)
                var analyses: [Field: Analysis] = [:]
                for field in Field.text {
                    if let text = document.text(of: field), !text.isEmpty { analyses[field] = analyzer.analyze(text) }
                }
                prepared.documents.append((document, analyses))
            }
        }
        return prepared
    }
}
