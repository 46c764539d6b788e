import Dispatch
import Foundation
import HuojuIndex
import HuojuParser
import HuojuText
import HuojuZones
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Brings an index up to date with a corpus folder: reads, parses, analyzes and inverts the
/// files that are new or changed, on all cores, and commits them with the deletes of changed
/// and removed files in one commit.
///
/// A file counts as unchanged when its size and mtime match the source table, or, failing
/// that, its content hash does; so copying an unchanged file over itself changes nothing.
/// Each worker takes a chunk of consecutive files and carries it from reading to written
/// segments (one, or more when its share of the buffer fills); segments are committed in chunk
/// order, so doc ids and results do not depend on how many threads ran or how they interleaved.
public struct CorpusIndexer {
    public enum Mode: String, Sendable {
        /// Only what changed since the last commit.
        case incremental
        /// Every file, into new segments that replace all others in one commit.
        case rebuild
    }

    public struct Summary: Sendable {
        public var mode: Mode
        /// Files read whose articles were indexed.
        public var files = 0
        public var added = 0
        public var changed = 0
        public var removed = 0
        public var articles = 0
        /// Articles of changed and removed files that were deleted.
        public var removedArticles = 0
        public var bytes = 0
        public var seconds = 0.0
        public var skipped: [(path: String, reason: String)] = []
        /// The generation committed; nil when nothing changed.
        public var generation: Int?

        public var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / 1_000_000 / seconds : 0 }
    }

    /// Called after each batch with (files done, files total, bytes done).
    public typealias Progress = @Sendable (Int, Int, Int) -> Void

    public let corpus: String
    public let writer: IndexWriter
    public var threads = 2
    /// The workers' priority; nil keeps the caller's (`huojud index`).
    public var priority: BackgroundPriority?
    /// Target amount of text per chunk of files a worker takes (one segment when it fits the buffer).
    public var segmentBytes = 24 << 20
    /// Memory for in-memory inversion, all workers together: a worker writes a segment whenever
    /// its builder holds its share, so memory is bounded by this, not by the corpus. A file
    /// cannot span segments: one larger than a worker's share allows is refused.
    public var bufferBytes = CorpusIndexer.defaultBufferMB << 20
    public static let defaultBufferMB = 512

    /// The largest file a worker's share of the buffer holds (raw bytes; see `SegmentBuilder.memory`).
    public var maximumFileBytes: Int { bufferBytes / max(1, threads) / SegmentBuilder.memoryPerTextByte }

    /// Tags every article with its zones (the writer commits a copy of the gazetteer).
    public let recognizer: ZoneRecognizer

    public init(corpus: String, writer: IndexWriter, gazetteer: Gazetteer = .builtIn) {
        self.corpus = corpus
        self.writer = writer
        recognizer = ZoneRecognizer(gazetteer: gazetteer)
    }

    /// Builds a fresh index of `corpus` in `index` (what the tests and a first start need).
    public static func rebuild(corpus: String, index: String, gazetteer: Gazetteer = .builtIn, threads: Int = 2) throws(IndexError) -> Summary {
        let writer = try IndexWriter(directory: index, corpus: corpus, analyzer: Analyzer.version, gazetteer: (gazetteer.serialized, gazetteer.fingerprint), replacing: true)
        var indexer = CorpusIndexer(corpus: corpus, writer: writer, gazetteer: gazetteer)
        indexer.threads = threads
        return try indexer.update(.rebuild)
    }

    /// A corpus file to read, with the size and mtime it had when the scan saw it (taken
    /// before reading, so a write during the read shows up as a change next time).
    struct Candidate {
        var path: String
        var size: Int
        var mtime: Int64
        var known: SourceFile?
    }

    /// `excluding` names files being written right now: the index keeps what it has of them.
    public func update(_ mode: Mode, excluding: Set<String> = [], progress: Progress? = nil) throws(IndexError) -> Summary {
        let started = DispatchTime.now().uptimeNanoseconds
        var summary = Summary(mode: mode)
        // A corpus folder that is not there (an unmounted drive, a typo) empties nothing.
        var root = stat()
        guard stat(corpus, &root) == 0, root.st_mode & S_IFMT == S_IFDIR else {
            throw .io("cannot read the corpus folder \(corpus): \(errno == 0 ? "not a folder" : String(cString: strerror(errno)))")
        }
        let listing = CorpusScanner.scan(corpus, skipping: [writer.directory])
        summary.skipped = listing.skipped
        let known = mode == .rebuild ? [:] : writer.sources
        var candidates: [Candidate] = []
        var present = Set<String>()
        for path in listing.files where !excluding.contains(path) {
            present.insert(path)
            var info = stat()
            guard stat(path, &info) == 0 else {
                summary.skipped.append((path, String(cString: strerror(errno))))
                continue
            }
            let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            let old = known[path]
            if let old, old.size == Int(info.st_size), old.mtime == mtime { continue }
            // Refused unread (the index keeps what it has of it), with the limit and how to raise it.
            if Int(info.st_size) > maximumFileBytes {
                summary.skipped.append((path, "\(Self.megabytes(Int(info.st_size))) MB, more than the \(Self.megabytes(maximumFileBytes)) MB "
                                        + "a file may have with a buffer of \(bufferBytes >> 20) MB on \(threads) thread\(threads == 1 ? "" : "s") (raise --buffer-mb)"))
                continue
            }
            candidates.append(Candidate(path: path, size: Int(info.st_size), mtime: mtime, known: old))
        }
        let removed = known.keys.filter { !present.contains($0) && !excluding.contains($0) }.sorted()

        let chunks = Self.chunks(candidates, targetBytes: segmentBytes, minimumCount: threads)
        let results = Mutex([Result<ChunkResult, IndexError>?](repeating: nil, count: chunks.count))
        let next = Atomic<Int>(0)
        let progressState = Mutex((files: 0, bytes: 0))
        let fileCount = candidates.count
        let writer = self.writer, recognizer = self.recognizer
        let workerBuffer = bufferBytes / max(1, threads)
        // Own threads rather than the shared pool's: a lowered priority ends with them.
        let workers = DispatchGroup()
        let priority = self.priority
        for _ in 0..<max(1, min(threads, chunks.count)) {
            workers.enter()
            let worker = Thread {
                defer { workers.leave() }
                priority?.applyToCurrentThread()
                let analyzer = Analyzer()
                while true {
                    let slot = next.add(1, ordering: .relaxed).oldValue
                    guard slot < chunks.count else { return }
                    let result = Result { () throws(IndexError) -> ChunkResult in
                        try Self.build(chunks[slot], writer: writer, analyzer: analyzer, recognizer: recognizer, bufferBytes: workerBuffer) { files, bytes in
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
            worker.stackSize = 8 << 20
            worker.start()
        }
        workers.wait()
        var change = IndexWriter.Change(removed: removed, replacesAll: mode == .rebuild)
        var refreshed: [SourceFile] = []
        var failure: IndexError?
        for result in results.withLock({ $0 }) {
            switch result {
            case .success(let chunk):
                change.segments += chunk.segments
                change.sources += chunk.sources
                refreshed += chunk.refreshed
                summary.files += chunk.files
                summary.articles += chunk.articles
                summary.bytes += chunk.bytes
                summary.skipped += chunk.skipped
            case .failure(let error): failure = failure ?? error
            case nil: break
            }
        }
        if let failure {
            writer.discard(change.segments)
            throw failure
        }
        for source in change.sources {
            if let old = known[source.path] {
                summary.changed += 1
                summary.removedArticles += old.docCount
            } else {
                summary.added += 1
            }
        }
        summary.removed = removed.count
        summary.removedArticles += removed.reduce(0) { $0 + (known[$1]?.docCount ?? 0) }
        writer.refresh(refreshed)
        do {
            summary.generation = try writer.commit(change)?.generation
        } catch {
            writer.discard(change.segments)
            throw error
        }
        summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return summary
    }

    struct ChunkResult {
        var segments: [SegmentInfo] = []
        /// Files read whose content is new to the index (their articles are in `segments`).
        var sources: [SourceFile] = []
        /// Files whose content is what the index already has.
        var refreshed: [SourceFile] = []
        var files = 0, articles = 0, bytes = 0
        var skipped: [(path: String, reason: String)] = []
    }

    /// Splits files (in order) into runs of about `targetBytes`, and into at least
    /// `minimumCount` runs when there are enough files, so every core gets work; a small
    /// batch (a new issue or two) stays one segment.
    static func chunks(_ files: [Candidate], targetBytes: Int, minimumCount: Int) -> [[Candidate]] {
        let total = files.reduce(0) { $0 + $1.size }
        let target = max(1 << 20, min(targetBytes, total / max(1, minimumCount)))
        var chunks: [[Candidate]] = [[]]
        var bytes = 0
        for file in files {
            if bytes >= target, !chunks[chunks.count - 1].isEmpty {
                chunks.append([])
                bytes = 0
            }
            chunks[chunks.count - 1].append(file)
            bytes += file.size
        }
        return chunks
    }

    /// Carries a chunk of files to segments: one, or more when the builder fills `bufferBytes`.
    static func build(_ files: [Candidate], writer: IndexWriter, analyzer: Analyzer, recognizer: ZoneRecognizer,
                      bufferBytes: Int, progress: (Int, Int) -> Void) throws(IndexError) -> ChunkResult {
        var builder = SegmentBuilder()
        var result = ChunkResult()
        var unwritten = 0  // the first source whose documents are in `builder`
        func flush() throws(IndexError) {
            guard builder.docCount > 0 else { return }
            let segment = try writer.writeSegment(builder)
            result.segments.append(segment)
            for i in unwritten..<result.sources.count where result.sources[i].docCount > 0 { result.sources[i].segment = segment.id }
            unwritten = result.sources.count
            builder = SegmentBuilder()
        }
        var pending = (files: 0, bytes: 0)
        do throws(IndexError) {
            for file in files {
                let prepared = prepareFile(file, recognizer: recognizer)
                switch prepared.outcome {
                case .unreadable(let reason):
                    // Keep what the index has of it: an unreadable file may be readable again.
                    result.skipped.append((file.path, reason))
                case .unchanged(let source):
                    result.refreshed.append(source)
                case .read(var source, let failure):
                    if let failure { result.skipped.append((file.path, failure)) }
                    if !prepared.documents.isEmpty {
                        source.firstDoc = Int(builder.docCount)
                        source.docCount = prepared.documents.count
                        result.files += 1
                        result.bytes += prepared.bytes
                        for document in prepared.documents { builder.add(document, analyzer: analyzer) }
                        result.articles += prepared.documents.count
                    }
                    result.sources.append(source)
                }
                pending.files += 1
                pending.bytes += prepared.bytes
                if pending.files == 16 { progress(pending.files, pending.bytes); pending = (0, 0) }
                if builder.memory >= bufferBytes { try flush() }
            }
            try flush()
        } catch {
            writer.discard(result.segments)
            throw error
        }
        if pending.files > 0 { progress(pending.files, pending.bytes) }
        return result
    }

    /// One file turned into documents with their fields folded, or why it holds none.
    struct Prepared {
        enum Outcome {
            case unreadable(String)
            /// Same content as the index has: only size and mtime are new.
            case unchanged(SourceFile)
            /// New content; `failure` says why it yields no article when it yields none.
            case read(SourceFile, failure: String?)
        }

        var outcome: Outcome
        var documents: [FoldedDocument] = []
        var bytes = 0
    }

    static func prepareFile(_ file: Candidate, recognizer: ZoneRecognizer) -> Prepared {
        let raw: [UInt8]
        switch CorpusFile.readBytes(file.path) {
        case .failure(let failure): return Prepared(outcome: .unreadable(failure.description))
        case .success(let bytes): raw = bytes
        }
        var source = SourceFile(path: file.path, hash: ContentHash.of(raw), size: file.size, mtime: file.mtime,
                                segment: nil, firstDoc: 0, docCount: 0)
        if let known = file.known, known.hash == source.hash {
            source.segment = known.segment
            source.firstDoc = known.firstDoc
            source.docCount = known.docCount
            return Prepared(outcome: .unchanged(source))
        }
        let decoded: InputDecoder.Decoded
        do { decoded = try InputDecoder.decode(raw) } catch {
            return Prepared(outcome: .read(source, failure: CorpusFile.Failure.decoding(error).description))
        }
        var prepared = Prepared(outcome: .read(source, failure: nil), bytes: decoded.text.utf8.count)
        let parsed = IssueParser.parse(decoded.text)
        if parsed.articles.isEmpty {
            prepared.outcome = .read(source, failure: decoded.text.allSatisfy(\.isWhitespace) ? "empty file" : "no article found")
        }
        for (ordinal, article) in parsed.articles.enumerated() {
            prepared.documents.append(FoldedDocument(article: article, ordinal: ordinal, issue: parsed.issue, path: file.path,
                                                     recognizer: recognizer))
        }
        return prepared
    }
}

extension CorpusIndexer {
    static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10)"
    }
}

/// FNV-1a (64 bit) of a file's bytes: tells a changed file from a merely touched one.
enum ContentHash {
    static func of(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        let digits = String(hash, radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - digits.count) + digits
    }
}
