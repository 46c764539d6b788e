import Dispatch
import HuojuIndex
import HuojuParser
import HuojuText
import HuojuZones
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Reads, parses, analyzes and inverts the files of a corpus into an index, on all cores.
///
/// Each worker takes a chunk of consecutive files and carries it from reading to a written
/// segment; segments are committed in chunk order, so doc ids and results do not depend on
/// how many threads ran or how they interleaved.
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
    public typealias Progress = @Sendable (Int, Int, Int) -> Void

    public let corpus: String
    public let index: String
    public var threads = 2
    /// Tags every article with its zones; the index keeps a copy of its gazetteer.
    public let recognizer: ZoneRecognizer

    public init(corpus: String, index: String, gazetteer: Gazetteer = .builtIn) {
        self.corpus = corpus
        self.index = index
        recognizer = ZoneRecognizer(gazetteer: gazetteer)
    }

    /// One file turned into analyzed documents, or the reason it was skipped.
    struct Prepared {
        var documents: [(IndexDocument, [Field: Analysis])] = []
        var bytes = 0
        var failure: String?
    }

    /// Target amount of text per segment: big enough for few segments, small enough that
    /// each worker's in-memory inversion stays bounded.
    public var segmentBytes = 24 << 20

    public func rebuild(progress: Progress? = nil) throws(IndexError) -> Summary {
        let started = DispatchTime.now().uptimeNanoseconds
        let listing = CorpusScanner.scan(corpus)
        let recognizer = self.recognizer, gazetteer = recognizer.gazetteer
        let writer = try IndexWriter(directory: index, corpus: corpus, gazetteer: (gazetteer.serialized, gazetteer.fingerprint))
        let chunks = Self.chunks(listing.files, targetBytes: segmentBytes, minimumCount: threads)

        // Each chunk of consecutive files becomes one segment, built by one worker from
        // reading to writing; results are committed in chunk order, so the index is the same
        // however the workers interleave.
        let results = Mutex([Result<ChunkResult, IndexError>?](repeating: nil, count: chunks.count))
        let next = Atomic<Int>(0)
        let progressState = Mutex((files: 0, bytes: 0))
        let fileCount = listing.files.count
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, chunks.count))) { _ in
            let analyzer = Analyzer()
            while true {
                let slot = next.add(1, ordering: .relaxed).oldValue
                guard slot < chunks.count else { return }
                let result = Result { () throws(IndexError) -> ChunkResult in
                    try Self.build(chunks[slot], slot: slot, writer: writer, analyzer: analyzer, recognizer: recognizer) { files, bytes in
                        let (done, total) = progressState.withLock { state in
                            state.files += files
                            state.bytes += bytes
                            return (state.files, state.bytes)
                        }
                        progress?(done, fileCount, total)
                    }
                }
                results.withLock { $0[slot] = result }
            }
        }
        var summary = Summary()
        summary.skipped = listing.skipped
        var segments: [SegmentInfo] = []
        for result in results.withLock({ $0 }) {
            guard let result else { continue }
            let chunk = try result.get()
            if let segment = chunk.segment { segments.append(segment) }
            summary.files += chunk.files
            summary.articles += chunk.articles
            summary.bytes += chunk.bytes
            summary.skipped += chunk.skipped
        }
        try writer.commit(segments)
        summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return summary
    }

    struct ChunkResult {
        var segment: SegmentInfo?
        var files = 0, articles = 0, bytes = 0
        var skipped: [(path: String, reason: String)] = []
    }

    /// Splits files (in order) into runs of about `targetBytes`, and into at least
    /// `minimumCount` runs when there are enough files, so every core gets work.
    static func chunks(_ files: [String], targetBytes: Int, minimumCount: Int) -> [[String]] {
        let sizes = files.map { path -> Int in
            var info = stat()
            return stat(path, &info) == 0 ? Int(info.st_size) : 0
        }
        let total = sizes.reduce(0, +)
        let target = max(1, min(targetBytes, total / max(1, minimumCount)))
        var chunks: [[String]] = [[]]
        var bytes = 0
        for (file, size) in zip(files, sizes) {
            if bytes >= target, !chunks[chunks.count - 1].isEmpty {
                chunks.append([])
                bytes = 0
            }
            chunks[chunks.count - 1].append(file)
            bytes += size
        }
        return chunks
    }

    static func build(_ files: [String], slot: Int, writer: IndexWriter, analyzer: Analyzer, recognizer: ZoneRecognizer,
                      progress: (Int, Int) -> Void) throws(IndexError) -> ChunkResult {
        let builder = SegmentBuilder()
        var result = ChunkResult()
        var pending = (files: 0, bytes: 0)
        for path in files {
            let prepared = prepareFile(path, analyzer: analyzer, recognizer: recognizer)
            if let failure = prepared.failure {
                result.skipped.append((path, failure))
            } else {
                result.files += 1
                result.bytes += prepared.bytes
                for (document, analyses) in prepared.documents {
                    builder.add(document, analyses: analyses)
                    result.articles += 1
                }
            }
            pending.files += 1
            pending.bytes += prepared.bytes
            if pending.files == 16 { progress(pending.files, pending.bytes); pending = (0, 0) }
        }
        if pending.files > 0 { progress(pending.files, pending.bytes) }
        if builder.docCount > 0 { result.segment = try writer.writeSegment(builder, slot: slot) }
        return result
    }

    static func prepareFile(_ path: String, analyzer: Analyzer, recognizer: ZoneRecognizer) -> Prepared {
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
                let document = IndexDocument(article: article, ordinal: ordinal, issue: parsed.issue, path: path, recognizer: recognizer)
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
