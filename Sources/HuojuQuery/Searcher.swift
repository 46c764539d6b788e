import Foundation
import HuojuIndex
import HuojuProtocol
import HuojuText
import HuojuZones
import Synchronization

public struct SearchRequest: Sendable {
    public var query: String
    public var limit: Int
    public var offset: Int
    /// Only exact matches, no partial ones.
    public var exact: Bool
    public var explain: Bool
    /// Extra filter, same as `zone:` in the query.
    public var zone: String?
    /// Group the exact matches by zone; `limit` and `offset` then count groups.
    public var groupByZone: Bool
    /// Articles per group.
    public var groupHits: Int
    /// `.exact` counts every match; `.topK` skips what cannot rank and reports a lower bound.
    public var counting: Counting

    public init(query: String, limit: Int = 10, offset: Int = 0, exact: Bool = false, explain: Bool = false, zone: String? = nil,
                groupByZone: Bool = false, groupHits: Int = 3, counting: Counting = .exact) {
        self.counting = counting
        self.query = query
        self.limit = limit
        self.offset = offset
        self.exact = exact
        self.explain = explain
        self.zone = zone
        self.groupByZone = groupByZone
        self.groupHits = groupHits
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
/// the query's words follow as partial matches, ranked by those words alone. Zone facets come
/// with exact counting (over every exact match); zone groups and zone rankings score every
/// exact match (Collector/, docs/zones.md).
public final class Searcher: Sendable {
    public let snapshot: IndexSnapshot
    /// The gazetteer the index was built with: `zone:` values resolve through it.
    public let gazetteer: Gazetteer
    /// Built on first use (facets of the first search), then shared by all searches.
    private let zoneTable = Mutex<ZoneTable?>(nil)
    private let analyzers = AnalyzerPool()

    public init(snapshot: IndexSnapshot) throws(SearchError) {
        self.snapshot = snapshot
        let text: String?
        do { text = try snapshot.gazetteerText() } catch { throw .index(error) }
        guard let text else { gazetteer = .builtIn; return }
        let file = snapshot.manifest.zones?.file ?? "zones"
        do { gazetteer = try Gazetteer(Gazetteer.parse(text, file: file)) } catch {
            throw .index(.corrupt(file: file, "the index's gazetteer copy is unreadable: \(error)"))
        }
    }

    public func search(_ request: SearchRequest) throws(SearchError) -> SearchResult {
        let started = DispatchTime.now().uptimeNanoseconds
        guard (0...1000).contains(request.limit), (0...100_000).contains(request.offset), (0...100).contains(request.groupHits) else {
            throw .invalid("limit must be 0…1000, offset 0…100000 and groupHits 0…100")
        }
        let (query, highlighter) = try compile(request.query, zone: request.zone)
        do {
            let evaluation = try Evaluation(query: query, snapshot: snapshot)
            if request.groupByZone {
                let all = try evaluation.collect(.exact, .all)
                let facets = ZoneFacets.count(all.matches!, in: try zones())
                let groups = try zoneGroups(evaluation, all, highlighter: highlighter, request: request)
                return SearchResult(total: all.total, partialTotal: 0,
                                    tookMs: Self.milliseconds(since: started), hits: [], facets: facets, groups: groups)
            }
            let wanted = request.offset + request.limit
            // Facets need every exact match: kept with exact counting, left out with top-k.
            let exact = if let zone = query.boostedZone {
                try boosted(evaluation, zone: zone, k: wanted)
            } else {
                try evaluation.collect(.exact, request.counting == .exact ? .topAndMatches(wanted) : .top(wanted), counting: request.counting)
            }
            var facets: SearchFacets?
            if let matches = exact.matches { facets = ZoneFacets.count(matches, in: try zones()) }
            var ranked = exact.hits
            var partialTotal = 0
            if !request.exact, ranked.count < wanted {
                let partial = try evaluation.collect(.partial, .top(wanted - ranked.count), counting: request.counting)
                partialTotal = partial.total
                ranked += partial.hits
            }
            let page = Array(ranked.dropFirst(request.offset).prefix(request.limit))
            let hits = try self.hits(page, evaluation, highlighter, explain: request.explain)
            return SearchResult(total: exact.total, totalIsExact: exact.isExact, partialTotal: partialTotal,
                                tookMs: Self.milliseconds(since: started), hits: hits, facets: facets)
        } catch {
            throw .index(error)
        }
    }

    /// The best `k` exact matches of a query filtered by `zone` that also has text: articles
    /// whose primary zone it is first, each tier in BM25 order. A filter alone would rank a
    /// passing mention of the zone above the zone's own articles whenever BM25 says so.
    private func boosted(_ evaluation: Evaluation, zone: String, k: Int) throws(IndexError) -> Collected {
        let all = try evaluation.collect(.exact, .all)
        let table = try zones()
        let id = table.names.firstIndex(of: zone).map(Int32.init) ?? -1
        var hits: [(primary: Bool, doc: ScoredDoc)] = []
        for (s, docs) in all.matches!.enumerated() {
            for (i, doc) in docs.enumerated() {
                hits.append((table.segments[s].primary(doc) == id,
                             ScoredDoc(segment: s, local: doc, global: snapshot.bases[s] + Int(doc), score: all.scores![s][i], partial: false)))
            }
        }
        hits.sort { $0.primary != $1.primary ? $0.primary : $0.doc.ranksAbove($1.doc) }
        return Collected(hits: hits.prefix(k).map(\.doc), total: hits.count, isExact: true, matches: all.matches)
    }

    /// Zones ranked by association with the query (docs/zones.md), each with its best article.
    public func zones(query text: String, limit: Int = 10) throws(SearchError) -> ZonesResult {
        let started = DispatchTime.now().uptimeNanoseconds
        guard (0...1000).contains(limit) else { throw .invalid("limit must be 0…1000") }
        let (query, highlighter) = try compile(text, zone: nil)
        do {
            let evaluation = try Evaluation(query: query, snapshot: snapshot)
            let all = try evaluation.collect(.exact, .all)
            var zones: [RankedZone] = []
            for zone in try rankZones(all, keep: 1).prefix(limit) {
                guard let best = zone.top.first else { continue }
                let name = gazetteer.canonical(folded: zone.zone)
                zones.append(RankedZone(zone: name ?? zone.zone, articles: zone.articles, score: zone.score,
                                        best: try hits([best.scored], evaluation, highlighter, explain: false)[0], primary: zone.primary, unlisted: name == nil))
            }
            return ZonesResult(zones: zones, total: all.total, tookMs: Self.milliseconds(since: started))
        } catch {
            throw .index(error)
        }
    }

    /// Zone names in the index that the gazetteer lacks, with the articles naming each: what
    /// to add to a zones file.
    public func unlistedZones() throws(SearchError) -> [UnlistedZone] {
        var articles: [String: Int] = [:]
        do {
            for segment in snapshot.segments {
                for (zone, info) in try segment.keywordTerms(.zone) where gazetteer.canonical(folded: zone) == nil {
                    articles[zone, default: 0] += info.docFreq
                }
            }
        } catch {
            throw .index(error)
        }
        return articles.map { UnlistedZone(zone: $0.key, articles: $0.value) }.sorted { ($0.articles, $1.zone) > ($1.articles, $0.zone) }
    }

    /// The query and the highlighter of its hits. Analyzers (an ICU break iterator each, costly
    /// to open) are borrowed from a pool that holds one per search that ran at the same time.
    private func compile(_ text: String, zone: String?) throws(SearchError) -> (CompiledQuery, Highlighter) {
        var root: QueryNode
        do { root = try QueryParser.parse(text) } catch { throw .syntax(error) }
        if let zone, !zone.isEmpty { root = .and([root, .keyword(.zone, zone)]) }
        let gazetteer = self.gazetteer
        return analyzers.with { analyzer in
            let query = CompiledQuery(root, analyzer: analyzer) { gazetteer.canonical(for: $0) ?? $0 }
            return (query, Highlighter(analyzer: analyzer, plans: query.positivePlans))
        }
    }

    /// `all` is a `Collect.all` pass: every exact match with its score.
    private func rankZones(_ all: Collected, keep: Int) throws(IndexError) -> [ZoneRanking.Zone] {
        ZoneRanking.rank(all.matches!, scores: all.scores!, in: try zones(), bases: snapshot.bases, keep: keep)
    }

    /// The snapshot's zone table, built once.
    private func zones() throws(IndexError) -> ZoneTable {
        if let table = zoneTable.withLock({ $0 }) { return table }
        let table = ZoneTable(snapshot, gazetteer: gazetteer)
        zoneTable.withLock { $0 = table }
        return table
    }

    private func zoneGroups(_ evaluation: Evaluation, _ all: Collected, highlighter: Highlighter,
                            request: SearchRequest) throws(IndexError) -> [ZoneGroup] {
        var groups: [ZoneGroup] = []
        for zone in try rankZones(all, keep: request.groupHits).dropFirst(request.offset).prefix(request.limit) {
            let hits = try self.hits(zone.top.map(\.scored), evaluation, highlighter, explain: request.explain)
            let name = gazetteer.canonical(folded: zone.zone)
            groups.append(ZoneGroup(zone: name ?? zone.zone, score: zone.score, articles: zone.articles, primary: zone.primary,
                                    unlisted: name == nil, hits: hits))
        }
        return groups
    }

    /// The replies' hits: stored documents with snippets, scores from collection, and the
    /// breakdown of each score only when asked for.
    private func hits(_ matches: [ScoredDoc], _ evaluation: Evaluation, _ highlighter: Highlighter,
                      explain: Bool) throws(IndexError) -> [SearchHit] {
        let breakdowns = explain ? try evaluation.explain(matches) : nil
        var hits: [SearchHit] = []
        for (i, match) in matches.enumerated() {
            let document = try snapshot.segments[match.segment].document(match.local)
            hits.append(SearchHit(document: document, score: match.score, partial: match.partial,
                                  explain: breakdowns?[i].entries, highlighter: highlighter))
        }
        return hits
    }

    private static func milliseconds(since started: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
    }
}

/// Analyzers (an ICU break iterator each, costly to open) kept for reuse: one per search that
/// ran at the same time.
private final class AnalyzerPool: Sendable {
    /// An analyzer as the pool holds it: used by one search at a time, the lock hands it over.
    private final class Entry: @unchecked Sendable { let analyzer = Analyzer() }
    private let idle = Mutex<[Entry]>([])

    func with<T>(_ body: (Analyzer) -> T) -> T {
        let entry = idle.withLock { $0.popLast() } ?? Entry()
        defer { idle.withLock { $0.append(entry) } }
        return body(entry.analyzer)
    }
}
