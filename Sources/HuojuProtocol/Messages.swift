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
    /// `search`: `"zone"` groups the matches by zone.
    public var groupBy: String?
    /// `search` with `groupBy`: articles per group (default 3).
    public var groupHits: Int?
    /// `zones`: list the unlisted zones of the index instead of ranking zones for a query.
    public var unlisted: Bool?

    public init(op: RequestOp, id: RequestID? = nil, query: String? = nil, limit: Int? = nil, offset: Int? = nil,
                zone: String? = nil, exact: Bool? = nil, explain: Bool? = nil, groupBy: String? = nil, groupHits: Int? = nil,
                unlisted: Bool? = nil) {
        self.v = ProtocolVersion.current
        self.id = id
        self.op = op.rawValue
        self.query = query
        self.limit = limit
        self.offset = offset
        self.zone = zone
        self.exact = exact
        self.explain = explain
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
    case busy = "busy"                       // e.g. a reindex already running
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

public struct ReindexReport: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable { case running, done, failed }

    public var state: State
    public var startedAt: String
    public var finishedAt: String?
    public var files: Int
    public var articles: Int
    public var seconds: Double
    public var skipped: [String]
    public var message: String?

    public init(state: State, startedAt: String, finishedAt: String? = nil, files: Int = 0, articles: Int = 0,
                seconds: Double = 0, skipped: [String] = [], message: String? = nil) {
        self.state = state
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.files = files
        self.articles = articles
        self.seconds = seconds
        self.skipped = skipped
        self.message = message
    }
}

public struct StatusResult: Codable, Sendable {
    public var documents: Int
    public var segments: Int
    public var indexBytes: Int
    public var index: String
    public var corpus: String?
    public var generation: Int
    public var lastReindex: ReindexReport?
    public var uptimeSeconds: Double
    public var queries: Int
    public var latencyP50Ms: Double?
    public var latencyP99Ms: Double?

    public init(documents: Int, segments: Int, indexBytes: Int, index: String, corpus: String?, generation: Int,
                lastReindex: ReindexReport?, uptimeSeconds: Double, queries: Int, latencyP50Ms: Double?, latencyP99Ms: Double?) {
        self.documents = documents
        self.segments = segments
        self.indexBytes = indexBytes
        self.index = index
        self.corpus = corpus
        self.generation = generation
        self.lastReindex = lastReindex
        self.uptimeSeconds = uptimeSeconds
        self.queries = queries
        self.latencyP50Ms = latencyP50Ms
        self.latencyP99Ms = latencyP99Ms
    }
}

public struct ShutdownResult: Codable, Sendable {
    public var stopping: Bool
    public init() { stopping = true }
}
