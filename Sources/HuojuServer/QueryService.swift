import Foundation
import HuojuCorpus
import HuojuIndex
import HuojuProtocol
import HuojuQuery
import HuojuZones
import Logging

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

    public let index: LiveIndex
    /// The uid that owns the daemon: only it may `shutdown` or `reindex`.
    public let ownerUID: UInt32
    private let logger: Logger
    private let started = Date()
    private let latencies = OperationLatencies()

    public init(index: LiveIndex, ownerUID: UInt32, logger: Logger) {
        self.index = index
        self.ownerUID = ownerUID
        self.logger = logger
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
        let elapsed = DispatchTime.now().uptimeNanoseconds - started
        latencies.record(operation, nanoseconds: elapsed)
        logger.debug("request", metadata: ["op": "\(operation.rawValue)", "id": "\(request.id?.description ?? "-")",
                                            "peer": "\(peer.uid)/\(peer.pid)", "ms": "\(String(format: "%.3f", Double(elapsed) / 1e6))"])
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
            guard let searcher = index.searcher else {
                return (encode(Reply<Empty>(id: id, error: ReplyError(.notAvailable, "the index is not open yet"))), .none)
            }
            let counting: Counting
            switch request.counting {
            case nil, "exact": counting = .exact
            case "topK": counting = .topK
            case let other?:
                return (encode(Reply<Empty>(id: id, error: ReplyError(.badRequest, "counting must be \"exact\" or \"topK\", not \"\(other)\""))), .none)
            }
            if let groupBy = request.groupBy, groupBy != "zone" {
                return (encode(Reply<Empty>(id: id, error: ReplyError(.badRequest, "groupBy takes \"zone\", not \"\(groupBy)\""))), .none)
            }
            let search = SearchRequest(query: query, limit: request.limit ?? 10, offset: request.offset ?? 0,
                                       exact: request.exact ?? false, explain: request.explain ?? false, zone: request.zone,
                                       groupByZone: request.groupBy == "zone", groupHits: request.groupHits ?? 3, counting: counting)
            return answer(id) { () throws(SearchError) in try searcher.search(search) }
        case .zones:
            guard let searcher = index.searcher else {
                return (encode(Reply<Empty>(id: id, error: ReplyError(.notAvailable, "the index is not open yet"))), .none)
            }
            if request.unlisted == true {
                return answer(id) { () throws(SearchError) in UnlistedZonesResult(zones: try searcher.unlistedZones()) }
            }
            guard let query = request.query else {
                return (encode(Reply<Empty>(id: id, error: ReplyError(.badRequest, "zones needs a \"query\" (or \"unlisted\": true)"))), .none)
            }
            return answer(id) { () throws(SearchError) in try searcher.zones(query: query, limit: request.limit ?? 10) }
        case .status:
            return (encode(Reply(id: id, result: status())), .none)
        case .reindex:
            guard peer.uid == ownerUID else {
                return (encode(Reply<Empty>(id: id, error: ReplyError(.forbidden, "only the daemon's owner (uid \(ownerUID)) may reindex"))), .none)
            }
            switch index.request(request.rebuild == true ? .rebuild : .incremental, trigger: .request) {
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

    /// Encodes a search-like result, or its error with the matching code.
    private func answer<Result: Codable & Sendable>(_ id: RequestID?, _ body: () throws(SearchError) -> Result) -> ([UInt8], Effect) {
        do {
            return (encode(Reply(id: id, result: try body())), .none)
        } catch {
            let code: ErrorCode
            var message = error.description
            switch error {
            case .syntax: code = .invalidQuery
            case .invalid: code = .badRequest
            case .index(let cause):
                code = .indexError
                logger.warning("search failed", metadata: ["error": "\(error)"])
                // The client's remedy: `huojud index` cannot write an index a daemon serves.
                if cause.needsRebuild { message += "; rebuild it with `huoju reindex --rebuild`" }
            }
            return (encode(Reply<Empty>(id: id, error: ReplyError(code, message))), .none)
        }
    }

    public func status() -> StatusResult {
        let snapshot = index.searcher?.snapshot
        let bytes = snapshot?.manifest.segments.reduce(0) { $0 + $1.byteSize + ($1.deletes?.bytes ?? 0) } ?? 0
        let merges = index.mergeStats
        let lastMerge = merges?.last.map {
            MergeReport(segments: $0.segments, documents: $0.documents, reclaimed: $0.reclaimed, seconds: $0.seconds, generation: $0.generation)
        }
        return StatusResult(documents: snapshot?.liveCount ?? 0, deletedDocuments: snapshot?.manifest.deletedCount ?? 0,
                            segments: snapshot?.segments.count ?? 0, indexBytes: bytes, index: index.directory, corpus: index.corpus,
                            generation: snapshot?.manifest.generation ?? 0, watching: index.isWatching, rescans: index.rescanReport, lastReindex: index.lastReport,
                            merging: merges?.running ?? false, merges: merges?.completed ?? 0, lastMerge: lastMerge,
                            mergeError: merges?.lastError, passFailure: index.passFailure, mergeFailure: index.mergeFailure, uptimeSeconds: Date().timeIntervalSince(started),
                            latency: latencies.summaries())
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

}
