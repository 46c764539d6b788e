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

    public init(query: String, limit: Int = 10, offset: Int = 0, exact: Bool = false, explain: Bool = false, zone: String? = nil) {
        self.query = query
        self.limit = limit
        self.offset = offset
        self.exact = exact
        self.explain = explain
        self.zone = zone
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
/// Two passes: match every clause over every segment (exact counts, exact phrase document
/// frequencies), then score the matching documents with BM25 over the snapshot's statistics
/// and keep the best `offset + limit`. When exact matches are fewer than that, documents that
/// contain some of the query's words follow as partial matches.
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
            let better = { (a: (MatchedDoc, Double), b: (MatchedDoc, Double)) in a.1 > b.1 || (a.1 == b.1 && a.0.global < b.0.global) }
            var ranked = Array(Array(zip(evaluation.exact, evaluation.scores(evaluation.exact, scoring: .phrasesAndWords))).topK(wanted, by: better))
            var partialTotal = 0
            if !request.exact, ranked.count < wanted {
                let partial = try evaluation.partialMatches()
                partialTotal = partial.count
                ranked += Array(zip(partial, evaluation.scores(partial, scoring: .wordsOnly))).topK(wanted - ranked.count, by: better)
            }
            let highlighter = Highlighter(analyzer: analyzer, plans: query.positivePlans)
            var hits: [SearchHit] = []
            for (match, _) in ranked.dropFirst(request.offset).prefix(request.limit) {
                let document = try snapshot.segments[match.segment].document(match.local)
                let breakdown = evaluation.explain(match, scoring: match.partial ? .wordsOnly : .phrasesAndWords)
                hits.append(SearchHit(document: document, score: breakdown, partial: match.partial,
                                      explain: request.explain, highlighter: highlighter))
            }
            let took = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
            return SearchResult(total: evaluation.exact.count, partialTotal: partialTotal, tookMs: took, hits: hits)
        } catch {
            throw .index(error)
        }
    }
}

extension Array {
    /// The first `k` elements in `areInIncreasingOrder` order, without sorting everything.
    func topK(_ k: Int, by areInIncreasingOrder: (Element, Element) -> Bool) -> ArraySlice<Element> {
        if count <= k * 4 || k == 0 { return sorted(by: areInIncreasingOrder).prefix(k) }
        var heap: [Element] = []  // the worst kept element first after sorting
        heap.reserveCapacity(k + 1)
        for element in self {
            if heap.count < k {
                heap.append(element)
                if heap.count == k { heap.sort(by: areInIncreasingOrder) }
            } else if areInIncreasingOrder(element, heap[k - 1]) {
                var index = k - 1
                while index > 0, areInIncreasingOrder(element, heap[index - 1]) { index -= 1 }
                heap.insert(element, at: index)
                heap.removeLast()
            }
        }
        if heap.count < k { heap.sort(by: areInIncreasingOrder) }
        return heap[...]
    }
}
