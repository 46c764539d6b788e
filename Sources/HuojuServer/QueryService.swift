import Foundation
import HuojuCorpus
import HuojuIndex
import HuojuProtocol
import HuojuQuery
import Logging
import Synchronization

/// Who is on the other end of a connection (from SO_PEERCRED).
public struct Peer: Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }
}

/// Everything the daemon does for one request line, independent of sockets: decoding,
/// validation, dispatch, encoding. `respond(to:from:)` never throws and never crashes on bad
/// input; every failure becomes an error reply.
public final class QueryService: Sendable {
    public enum Effect: Sendable { case none, shutdown }

    public let indexDirectory: String
    public let corpus: String?
    /// The uid that owns the daemon: only it may `shutdown` or `reindex`.
    public let ownerUID: UInt32
    private let logger: Logger
    private let searcher: Mutex<Searcher?>
    private let started = Date()
    private let stats = Mutex(LatencyStats())
    private let reindexState = Mutex<ReindexReport?>(nil)

    public init(indexDirectory: String, corpus: String?, ownerUID: UInt32, logger: Logger) {
        self.indexDirectory = indexDirectory
        self.corpus = corpus
        self.ownerUID = ownerUID
        self.logger = logger
        searcher = Mutex(nil)
    }

    /// Opens the index, building it from the corpus first when it is missing or was written
    /// by another version. When the corpus changed after the index was committed, the old
    /// index is served while a rebuild runs in the background. A damaged index (a checksum
    /// mismatch, a missing or unreadable file) is never served: it is an error, unless
    /// `repair` asks to rebuild it from the corpus.
    public func open(repair: Bool = false) throws {
        do {
            let snapshot = try IndexSnapshot.open(directory: indexDirectory)
            searcher.withLock { $0 = Searcher(snapshot: snapshot) }
            logger.info("opened index", metadata: ["index": "\(indexDirectory)", "documents": "\(snapshot.docCount)"])
            if let corpus, Self.isStale(index: indexDirectory, corpus: corpus) {
                logger.notice("the corpus changed after the index was built; reindexing in the background")
                _ = startReindex()
            }
        } catch {
            switch error {
            case .missing, .incompatible:
                guard let corpus else { throw error }
                logger.notice("building the index first", metadata: ["reason": "\(error)", "corpus": "\(corpus)"])
                try runReindex(corpus: corpus)
            case .corrupt, .io:
                guard repair, let corpus else { throw error }
                logger.warning("the index is damaged; rebuilding it from the corpus (--repair)", metadata: ["reason": "\(error)", "corpus": "\(corpus)"])
                try runReindex(corpus: corpus)
            }
        }
    }

    public func respond(to line: some Collection<UInt8>, from peer: Peer) -> (reply: [UInt8], effect: Effect) {
        let started = DispatchTime.now().uptimeNanoseconds
        let data = Data(line)
        let request: Request
        do {
            request = try JSONDecoder().decode(Request.self, from: data)
        } catch {
            let id = (try? JSONDecoder().decode(IDOnly.self, from: data))?.id
            return (encode(Reply<Empty>(id: id, error: ReplyError(.badRequest, "malformed request: \(Self.describe(error))"))), .none)
        }
        if let version = request.v, version != ProtocolVersion.current {
            return (encode(Reply<Empty>(id: request.id, error: ReplyError(.unsupportedVersion, "protocol version \(version) is not supported; this daemon speaks \(ProtocolVersion.current)"))), .none)
        }
        guard let operation = RequestOp(rawValue: request.op) else {
            let known = RequestOp.allCases.map(\.rawValue).joined(separator: ", ")
            return (encode(Reply<Empty>(id: request.id, error: ReplyError(.unknownOperation, "unknown op '\(request.op)' (ops: \(known))"))), .none)
        }
        let (reply, effect) = dispatch(operation, request, peer)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
        if operation == .search { stats.withLock { $0.record(elapsed) } }
        logger.debug("request", metadata: ["op": "\(operation.rawValue)", "id": "\(request.id?.description ?? "-")",
                                            "peer": "\(peer.uid)/\(peer.pid)", "ms": "\(String(format: "%.3f", elapsed))"])
        return (reply, effect)
    }

    private func dispatch(_ operation: RequestOp, _ request: Request, _ peer: Peer) -> ([UInt8], Effect) {
        let id = request.id
        switch operation {
        case .ping:
            return (encode(Reply(id: id, result: PingResult())), .none)
        case .search:
            guard let query = request.query else {
                return (encode(Reply<Empty>(id: id, error: ReplyError(.badRequest, "search needs a \"query\""))), .none)
            }
            guard let searcher = searcher.withLock({ $0 }) else {
                return (encode(Reply<Empty>(id: id, error: ReplyError(.notAvailable, "the index is not open yet"))), .none)
            }
            let search = SearchRequest(query: query, limit: request.limit ?? 10, offset: request.offset ?? 0,
                                       exact: request.exact ?? false, explain: request.explain ?? false, zone: request.zone)
            do {
                return (encode(Reply(id: id, result: try searcher.search(search))), .none)
            } catch {
                let code: ErrorCode
                switch error {
                case .syntax: code = .invalidQuery
                case .invalid: code = .badRequest
                case .index: code = .indexError
                }
                if code == .indexError { logger.warning("search failed", metadata: ["error": "\(error)"]) }
                return (encode(Reply<Empty>(id: id, error: ReplyError(code, error.description))), .none)
            }
        case .zones:
            return (encode(Reply<Empty>(id: id, error: ReplyError(.notAvailable, "zone ranking is not available in this version of huojud"))), .none)
        case .status:
            return (encode(Reply(id: id, result: status())), .none)
        case .reindex:
            guard peer.uid == ownerUID else {
                return (encode(Reply<Empty>(id: id, error: ReplyError(.forbidden, "only the daemon's owner (uid \(ownerUID)) may reindex"))), .none)
            }
            switch startReindex() {
            case .success(let report): return (encode(Reply(id: id, result: report)), .none)
            case .failure(let error): return (encode(Reply<Empty>(id: id, error: error)), .none)
            }
        case .shutdown:
            guard peer.uid == ownerUID else {
                return (encode(Reply<Empty>(id: id, error: ReplyError(.forbidden, "only the daemon's owner (uid \(ownerUID)) may shut it down"))), .none)
            }
            logger.notice("shutdown requested", metadata: ["peer": "\(peer.uid)/\(peer.pid)"])
            return (encode(Reply(id: id, result: ShutdownResult())), .shutdown)
        }
    }

    public func status() -> StatusResult {
        let snapshot = searcher.withLock { $0?.snapshot }
        let (queries, p50, p99) = stats.withLock { ($0.count, $0.percentile(0.5), $0.percentile(0.99)) }
        let bytes = snapshot?.manifest.segments.reduce(0) { $0 + $1.files.values.reduce(0, +) } ?? 0
        return StatusResult(documents: snapshot?.docCount ?? 0, segments: snapshot?.segments.count ?? 0, indexBytes: bytes,
                            index: indexDirectory, corpus: corpus ?? snapshot?.manifest.corpus,
                            generation: snapshot?.manifest.generation ?? 0, lastReindex: reindexState.withLock { $0 },
                            uptimeSeconds: Date().timeIntervalSince(started), queries: queries, latencyP50Ms: p50, latencyP99Ms: p99)
    }

    /// Starts a rebuild in the background; searches keep using the current snapshot until
    /// the new one is committed, then switch to it.
    public func startReindex() -> Result<ReindexReport, ReplyError> {
        guard let corpus = corpus ?? searcher.withLock({ $0?.snapshot.manifest.corpus }) else {
            return .failure(ReplyError(.notAvailable, "no corpus folder known; start huojud serve with --corpus DIR"))
        }
        let report = ReindexReport(state: .running, startedAt: Self.timestamp())
        let claimed = reindexState.withLock { state -> Bool in
            if state?.state == .running { return false }
            state = report
            return true
        }
        guard claimed else { return .failure(ReplyError(.busy, "a reindex is already running")) }
        Thread.detachNewThread { [self] in
            do { try runReindex(corpus: corpus, report: report) } catch {
                logger.warning("reindex failed", metadata: ["error": "\(error)"])
            }
        }
        return .success(report)
    }

    private func runReindex(corpus: String, report: ReindexReport? = nil) throws {
        var report = report ?? ReindexReport(state: .running, startedAt: Self.timestamp())
        reindexState.withLock { $0 = report }
        do {
            let summary = try CorpusIndexer(corpus: corpus, index: indexDirectory).rebuild()
            let snapshot = try IndexSnapshot.open(directory: indexDirectory)
            searcher.withLock { $0 = Searcher(snapshot: snapshot) }
            report.state = .done
            report.files = summary.files
            report.articles = summary.articles
            report.seconds = summary.seconds
            report.skipped = summary.skipped.map { "\($0.path): \($0.reason)" }
            report.finishedAt = Self.timestamp()
            reindexState.withLock { $0 = report }
            logger.notice("reindexed", metadata: ["files": "\(summary.files)", "articles": "\(summary.articles)",
                                                  "seconds": "\(String(format: "%.2f", summary.seconds))", "skipped": "\(summary.skipped.count)"])
            for skipped in summary.skipped { logger.warning("skipped file", metadata: ["path": "\(skipped.path)", "reason": "\(skipped.reason)"]) }
        } catch {
            report.state = .failed
            report.message = "\(error)"
            report.finishedAt = Self.timestamp()
            reindexState.withLock { $0 = report }
            throw error
        }
    }

    /// True when a corpus file (or folder) is newer than the committed manifest.
    static func isStale(index: String, corpus: String) -> Bool {
        func modified(_ path: String) -> Date? {
            (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        }
        guard let committed = modified(index + "/" + Manifest.fileName) else { return true }
        let listing = CorpusScanner.scan(corpus)
        let folders = Set(listing.files.map { ($0 as NSString).deletingLastPathComponent } + [corpus])
        return (listing.files + folders).contains { (modified($0) ?? .distantPast) > committed }
    }

    private struct IDOnly: Decodable { var id: RequestID? }

    private func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var bytes = (try? Array(encoder.encode(value))) ?? Array(#"{"v":1,"ok":false,"error":{"code":"internal","message":"reply could not be encoded"}}"#.utf8)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        case DecodingError.keyNotFound(let key, _): return "missing \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context): return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case DecodingError.valueNotFound(_, let context): return "null at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "\(error)"
        }
    }

    static func timestamp() -> String { ISO8601DateFormatter().string(from: Date()) }
}

/// Recent search latencies, for `status`: the last 4096 samples.
struct LatencyStats {
    private var samples: [Double] = []
    private var next = 0
    private(set) var count = 0
    static let capacity = 4096

    mutating func record(_ milliseconds: Double) {
        count += 1
        if samples.count < Self.capacity { samples.append(milliseconds) } else { samples[next] = milliseconds }
        next = (next + 1) % Self.capacity
    }

    func percentile(_ p: Double) -> Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
}
