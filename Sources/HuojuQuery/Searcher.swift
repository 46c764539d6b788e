import Foundation
import HuojuIndex
import HuojuProtocol
import HuojuText

public struct SearchRequest: Sendable {
    public var query: String
    public var limit: Int
    public var offset: Int
    /// Only exact matches, no partial ones.
    public var exact: Bool
    public var explain: Bool
    /// Extra filter, same as `zone:` in the query.
    public var zone: String?
    /// `.exact` counts every match; `.topK` skips what cannot rank and reports a lower bound.
    public var counting: Counting

    public init(query: String, limit: Int = 10, offset: Int = 0, exact: Bool = false, explain: Bool = false, zone: String? = nil,
                counting: Counting = .exact) {
        self.query = query
        self.limit = limit
        self.offset = offset
        self.exact = exact
        self.explain = explain
        self.zone = zone
        self.counting = counting
    }
}

public enum SearchError: Error, CustomStringConvertible, Sendable {
    case syntax(QuerySyntaxError)
    case index(IndexError)
    case invalid(String)

    public var description: String {
        switch self {
        case .syntax(let error): error.description
        case .index(let error): error.description
        case .invalid(let why): why
        }
    }
}

/// Runs queries against one snapshot.
///
/// Exact matches are collected first, ranked by BM25 over the snapshot's statistics, keeping
/// the best `offset + limit`. When they are fewer than that, documents that contain some of
/// the query's words follow as partial matches, ranked by those words alone.
public final class Searcher: Sendable {
    public let snapshot: IndexSnapshot

    public init(snapshot: IndexSnapshot) { self.snapshot = snapshot }

    public func search(_ request: SearchRequest) throws(SearchError) -> SearchResult {
        let started = DispatchTime.now().uptimeNanoseconds
        guard (0...1000).contains(request.limit), (0...100_000).contains(request.offset) else {
            throw .invalid("limit must be 0…1000 and offset 0…100000")
        }
        var root: QueryNode
        do { root = try QueryParser.parse(request.query) } catch { throw .syntax(error) }
        if let zone = request.zone, !zone.isEmpty { root = .and([root, .keyword(.zone, zone)]) }

        let analyzer = Analyzer()
        let query = CompiledQuery(root, analyzer: analyzer)
        do {
            let evaluation = try Evaluation(query: query, snapshot: snapshot)
            let wanted = request.offset + request.limit
            let exact = try evaluation.collect(.exact, k: wanted, counting: request.counting)
            var ranked = exact.hits
            var partialTotal = 0
            if !request.exact, ranked.count < wanted {
                let partial = try evaluation.collect(.partial, k: wanted - ranked.count, counting: request.counting)
                partialTotal = partial.total
                ranked += partial.hits
            }
            let page = Array(ranked.dropFirst(request.offset).prefix(request.limit))
            let breakdowns = try evaluation.explain(page)
            let highlighter = Highlighter(analyzer: analyzer, plans: query.positivePlans)
            var hits: [SearchHit] = []
            for (match, breakdown) in zip(page, breakdowns) {
                let document = try snapshot.segments[match.segment].document(match.local)
                hits.append(SearchHit(document: document, score: breakdown, partial: match.partial,
                                      explain: request.explain, highlighter: highlighter))
            }
            let took = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
            return SearchResult(total: exact.total, totalIsExact: exact.isExact, partialTotal: partialTotal, tookMs: took, hits: hits)
        } catch {
            throw .index(error)
        }
    }
}
