/// Protocol v1 between `huoju` and `huojud` (docs/protocol.md): one JSON object per line
/// each way, over a Unix domain socket. Requests carry an `id` that the reply echoes; a
/// connection may pipeline requests, and replies come back in request order.
public enum ProtocolVersion {
    public static let current = 1
    /// Requests longer than this (bytes, without the newline) get a `too_large` error.
    public static let maximumRequestBytes = 1 << 20
}

/// A request id: any JSON string or integer, echoed unchanged.
public enum RequestID: Codable, Sendable, Equatable, CustomStringConvertible {
    case number(Int64)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) { self = .number(number) } else { self = .string(try container.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let number): try container.encode(number)
        case .string(let string): try container.encode(string)
        }
    }

    public var description: String {
        switch self {
        case .number(let number): "\(number)"
        case .string(let string): string
        }
    }
}

public enum RequestOp: String, Codable, Sendable, CaseIterable {
    case search, zones, status, reindex, ping, shutdown
}

public struct Request: Codable, Sendable {
    /// Protocol version; absent means 1.
    public var v: Int?
    public var id: RequestID?
    public var op: String
    public var query: String?
    public var limit: Int?
    public var offset: Int?
    public var zone: String?
    public var exact: Bool?
    public var explain: Bool?
    /// `search`: "exact" (default) counts every match; "topK" skips what cannot rank.
    public var counting: String?
    /// `reindex`: build a fresh index instead of applying what changed.
    public var rebuild: Bool?
    /// `search`: `"zone"` groups the matches by zone.
    public var groupBy: String?
    /// `search` with `groupBy`: articles per group (default 3).
    public var groupHits: Int?
    /// `zones`: list the unlisted zones of the index instead of ranking zones for a query.
    public var unlisted: Bool?

    public init(op: RequestOp, id: RequestID? = nil, query: String? = nil, limit: Int? = nil, offset: Int? = nil,
                zone: String? = nil, exact: Bool? = nil, explain: Bool? = nil, counting: String? = nil, rebuild: Bool? = nil,
                groupBy: String? = nil, groupHits: Int? = nil, unlisted: Bool? = nil) {
        self.counting = counting
        self.v = ProtocolVersion.current
        self.id = id
        self.op = op.rawValue
        self.query = query
        self.limit = limit
        self.offset = offset
        self.zone = zone
        self.exact = exact
        self.explain = explain
        self.rebuild = rebuild
        self.groupBy = groupBy
        self.groupHits = groupHits
        self.unlisted = unlisted
    }
}

/// Machine-readable error codes; `message` says the rest for people.
public enum ErrorCode: String, Codable, Sendable {
    case badRequest = "bad_request"          // not JSON, not an object, wrong field types, bad UTF-8
    case tooLarge = "too_large"              // over 1 MiB
    case unknownOperation = "unknown_op"
    case unsupportedVersion = "unsupported_version"
    case invalidQuery = "invalid_query"      // query syntax (message names the position)
    case notAvailable = "not_available"      // an operation this daemon cannot serve yet
    case forbidden = "forbidden"             // peer not allowed (connection) or not the owner (op)
    case busy = "busy"                       // a rebuild is already running or queued
    case indexError = "index_error"
    case internalError = "internal"
}

public struct ReplyError: Codable, Sendable, Equatable, Error {
    public var code: ErrorCode
    public var message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// `{"v":1,"id":…,"ok":true,"result":…}` or `{"v":1,"id":…,"ok":false,"error":{code,message}}`.
public struct Reply<Result: Codable & Sendable>: Codable, Sendable {
    public var v: Int
    public var id: RequestID?
    public var ok: Bool
    public var result: Result?
    public var error: ReplyError?

    public init(id: RequestID?, result: Result) {
        v = ProtocolVersion.current
        self.id = id
        ok = true
        self.result = result
    }

    public init(id: RequestID?, error: ReplyError) {
        v = ProtocolVersion.current
        self.id = id
        ok = false
        self.error = error
    }
}

/// An empty payload, for errors whose result type does not matter.
public struct Empty: Codable, Sendable {
    public init() {}
}

public struct PingResult: Codable, Sendable {
    public var pong: Bool
    public var protocolVersion: Int

    public init() {
        pong = true
        protocolVersion = ProtocolVersion.current
    }
}

/// One pass that brings the index up to date with the corpus.
public struct ReindexReport: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable { case queued, running, done, failed }
    public enum Kind: String, Codable, Sendable { case incremental, rebuild }
    /// What asked for the pass (`retry`: the daemon, after a failed pass).
    public enum Trigger: String, Codable, Sendable { case start, watch, request, signal, retry }

    public var state: State
    public var kind: Kind
    public var trigger: Trigger
    public var requestedAt: String
    public var startedAt: String?
    public var finishedAt: String?
    /// Files read whose articles were indexed.
    public var files = 0
    public var added = 0
    public var changed = 0
    public var removed = 0
    /// Articles indexed, and articles of changed or removed files deleted.
    public var articles = 0
    public var removedArticles = 0
    public var seconds = 0.0
    /// The generation the pass committed; absent when nothing had changed.
    public var generation: Int?
    /// Background merges committed since the pass.
    public var merges = 0
    public var skipped: [String] = []
    public var message: String?

    public init(state: State, kind: Kind, trigger: Trigger, requestedAt: String) {
        self.state = state
        self.kind = kind
        self.trigger = trigger
        self.requestedAt = requestedAt
    }
}

/// The last background merge.
public struct MergeReport: Codable, Sendable, Equatable {
    public var segments: Int
    public var documents: Int
    /// Deleted documents the merge dropped.
    public var reclaimed: Int
    public var seconds: Double
    public var generation: Int

    public init(segments: Int, documents: Int, reclaimed: Int, seconds: Double, generation: Int) {
        self.segments = segments
        self.documents = documents
        self.reclaimed = reclaimed
        self.seconds = seconds
        self.generation = generation
    }
}

/// One operation's latency since the daemon started: from its request line to its reply
/// encoded, from a histogram with 3 significant digits (HdrHistogram).
public struct LatencySummary: Codable, Sendable, Equatable {
    public var count: Int
    public var p50Ms: Double
    public var p90Ms: Double
    public var p99Ms: Double
    public var p999Ms: Double
    public var maxMs: Double

    public init(count: Int, p50Ms: Double, p90Ms: Double, p99Ms: Double, p999Ms: Double, maxMs: Double) {
        self.count = count
        self.p50Ms = p50Ms
        self.p90Ms = p90Ms
        self.p99Ms = p99Ms
        self.p999Ms = p999Ms
        self.maxMs = maxMs
    }
}

/// Folders the watcher cannot watch (inotify's limits): new files there are found by
/// incremental passes every `intervalSeconds` instead of within a second.
public struct RescanReport: Codable, Sendable, Equatable {
    /// What ran out, and the limit to raise.
    public var reason: String
    /// When the watcher began rescanning.
    public var since: String
    public var intervalSeconds: Double

    public init(reason: String, since: String, intervalSeconds: Double) {
        self.reason = reason
        self.since = since
        self.intervalSeconds = intervalSeconds
    }
}

/// Passes or merges failing one after another (a full disk, an I/O error) until one succeeds.
public struct FailureReport: Codable, Sendable, Equatable {
    /// The last failure's error.
    public var message: String
    /// When the last one failed.
    public var at: String
    /// Failures in a row.
    public var failures: Int
    /// When the next attempt starts.
    public var retryAt: String

    public init(message: String, at: String, failures: Int, retryAt: String) {
        self.message = message
        self.at = at
        self.failures = failures
        self.retryAt = retryAt
    }
}

public struct StatusResult: Codable, Sendable {
    /// Documents a search can find.
    public var documents: Int
    /// Documents deleted but still in their segments until a merge drops them.
    public var deletedDocuments: Int
    public var segments: Int
    public var indexBytes: Int
    public var index: String
    public var corpus: String?
    /// The snapshot searches run on.
    public var generation: Int
    public var watching: Bool
    /// Set while inotify's limits leave folders unwatched and the corpus is rescanned instead.
    public var rescans: RescanReport?
    public var lastReindex: ReindexReport?
    public var merging: Bool
    public var merges: Int
    public var lastMerge: MergeReport?
    public var mergeError: String?
    /// Set while passes fail; gone once one succeeds.
    public var passFailure: FailureReport?
    /// Set while merges fail; gone once one succeeds.
    public var mergeFailure: FailureReport?
    public var uptimeSeconds: Double
    /// Per operation (`search`, `ping`, …) that was asked for since the daemon started.
    public var latency: [String: LatencySummary]

    public init(documents: Int, deletedDocuments: Int, segments: Int, indexBytes: Int, index: String, corpus: String?,
                generation: Int, watching: Bool, rescans: RescanReport?, lastReindex: ReindexReport?, merging: Bool, merges: Int,
                lastMerge: MergeReport?, mergeError: String?, passFailure: FailureReport?, mergeFailure: FailureReport?,
                uptimeSeconds: Double, latency: [String: LatencySummary]) {
        self.documents = documents
        self.deletedDocuments = deletedDocuments
        self.segments = segments
        self.indexBytes = indexBytes
        self.index = index
        self.corpus = corpus
        self.generation = generation
        self.watching = watching
        self.rescans = rescans
        self.lastReindex = lastReindex
        self.merging = merging
        self.merges = merges
        self.lastMerge = lastMerge
        self.mergeError = mergeError
        self.passFailure = passFailure
        self.mergeFailure = mergeFailure
        self.uptimeSeconds = uptimeSeconds
        self.latency = latency
    }
}

public struct ShutdownResult: Codable, Sendable {
    public var stopping: Bool
    public init() { stopping = true }
}
