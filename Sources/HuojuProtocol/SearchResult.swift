/// The reply to a search; its JSON shape is documented in docs/protocol.md.
///
/// These wire types live apart from the engine so the thin client can decode them without
/// linking ICU or the index.
public struct SearchResult: Codable, Sendable {
    /// Exact matches: all of them when `totalIsExact`, else a lower bound (top-k counting
    /// skipped documents that could not rank).
    public var total: Int
    public var totalIsExact: Bool
    /// Partial matches available after the exact ones (0 with `exact`).
    public var partialTotal: Int
    public var tookMs: Double
    public var hits: [SearchHit]
    /// Zone counts over the exact matches.
    public var facets: SearchFacets?
    /// With `groupBy: "zone"`: the matches grouped by zone, zones ranked as the `zones` op
    /// ranks them; `hits` is then empty.
    public var groups: [ZoneGroup]?

    public init(total: Int, totalIsExact: Bool = true, partialTotal: Int, tookMs: Double, hits: [SearchHit], facets: SearchFacets? = nil,
                groups: [ZoneGroup]? = nil) {
        self.total = total
        self.totalIsExact = totalIsExact
        self.partialTotal = partialTotal
        self.tookMs = tookMs
        self.hits = hits
        self.facets = facets
        self.groups = groups
    }
}

/// Counts over a search's exact matches.
public struct SearchFacets: Codable, Sendable, Equatable {
    /// The most frequent zones, most articles first.
    public var zones: [ZoneFacet]
    /// Zones among the matches beyond those listed.
    public var moreZones: Int

    public init(zones: [ZoneFacet], moreZones: Int) {
        self.zones = zones
        self.moreZones = moreZones
    }
}

public struct ZoneFacet: Codable, Sendable, Equatable {
    public var zone: String
    /// Matching articles that name the zone.
    public var articles: Int
    /// Of them, those mainly about it (their primary zone).
    public var primary: Int
    /// True for a zone the gazetteer does not have.
    public var unlisted: Bool

    public init(zone: String, articles: Int, primary: Int, unlisted: Bool) {
        self.zone = zone
        self.articles = articles
        self.primary = primary
        self.unlisted = unlisted
    }
}

/// One zone of a `groupBy: "zone"` search: its association score and best matching articles.
public struct ZoneGroup: Codable, Sendable {
    public var zone: String
    public var score: Double
    public var articles: Int
    public var primary: Int
    public var unlisted: Bool
    public var hits: [SearchHit]

    public init(zone: String, score: Double, articles: Int, primary: Int, unlisted: Bool, hits: [SearchHit]) {
        self.zone = zone
        self.score = score
        self.articles = articles
        self.primary = primary
        self.unlisted = unlisted
        self.hits = hits
    }
}

/// The reply to a `zones` request: zones ranked by association with the query (docs/zones.md).
public struct ZonesResult: Codable, Sendable {
    public var zones: [RankedZone]
    /// Exact matches of the query.
    public var total: Int
    public var tookMs: Double

    public init(zones: [RankedZone], total: Int, tookMs: Double) {
        self.zones = zones
        self.total = total
        self.tookMs = tookMs
    }
}

public struct RankedZone: Codable, Sendable {
    public var zone: String
    /// Matching articles that name the zone.
    public var articles: Int
    /// Σ over those articles of BM25 × weight (1 where it is the primary zone, less for mentions).
    public var score: Double
    /// The article that contributes most.
    public var best: SearchHit
    /// Matching articles whose primary zone it is.
    public var primary: Int
    public var unlisted: Bool

    public init(zone: String, articles: Int, score: Double, best: SearchHit, primary: Int, unlisted: Bool) {
        self.zone = zone
        self.articles = articles
        self.score = score
        self.best = best
        self.primary = primary
        self.unlisted = unlisted
    }
}

/// The reply to `{"op": "zones", "unlisted": true}`: zone-like names the gazetteer lacks.
public struct UnlistedZonesResult: Codable, Sendable {
    public var zones: [UnlistedZone]

    public init(zones: [UnlistedZone]) { self.zones = zones }
}

public struct UnlistedZone: Codable, Sendable, Equatable {
    public var zone: String
    /// Articles that name it.
    public var articles: Int

    public init(zone: String, articles: Int) {
        self.zone = zone
        self.articles = articles
    }
}

public struct SearchHit: Codable, Sendable {
    public var path: String
    /// Position of the article in its file (0-based).
    public var ordinal: Int
    public var title: String
    public var score: Double
    /// True when the article matches only part of the query.
    public var partial: Bool
    /// "2022年第13期" when the file has an issue line.
    public var issue: String?
    public var issueNumber: Int?
    public var cumulative: Int?
    public var date: String?
    public var section: String?
    public var source: String?
    public var byline: String?
    public var zones: [String]
    public var primaryZone: String?
    public var snippet: String
    /// Marked spans of `snippet`, as [start, end) offsets in Unicode scalars.
    public var highlights: [[Int]]
    /// Marked spans of `title`, likewise.
    public var titleHighlights: [[Int]]
    public var explain: [ExplainEntry]?

    public init(path: String, ordinal: Int, title: String, score: Double, partial: Bool, issue: String?, issueNumber: Int?,
                cumulative: Int?, date: String?, section: String?, source: String?, byline: String?, zones: [String],
                primaryZone: String?, snippet: String, highlights: [[Int]], titleHighlights: [[Int]], explain: [ExplainEntry]?) {
        self.path = path
        self.ordinal = ordinal
        self.title = title
        self.score = score
        self.partial = partial
        self.issue = issue
        self.issueNumber = issueNumber
        self.cumulative = cumulative
        self.date = date
        self.section = section
        self.source = source
        self.byline = byline
        self.zones = zones
        self.primaryZone = primaryZone
        self.snippet = snippet
        self.highlights = highlights
        self.titleHighlights = titleHighlights
        self.explain = explain
    }
}

/// One BM25 term of a hit's score, as `--explain` prints it.
public struct ExplainEntry: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case phrase, word }

    /// A phrase's index terms with their document frequencies: its idf is the sum of theirs.
    public struct TermStatistic: Codable, Sendable, Equatable {
        public var term: String
        public var docFreq: Int

        public init(term: String, docFreq: Int) {
            self.term = term
            self.docFreq = docFreq
        }
    }

    public var kind: Kind
    public var text: String
    public var field: String
    public var tf: Int
    /// Documents holding the word; for a phrase, those holding its rarest term.
    public var docFreq: Int
    public var docCount: Int
    public var length: Int
    public var averageLength: Double
    public var boost: Double
    public var idf: Double
    public var score: Double
    /// Phrases only: the terms whose idfs add up to `idf`.
    public var terms: [TermStatistic]?

    public init(kind: Kind, text: String, field: String, tf: Int, docFreq: Int, docCount: Int, length: Int,
                averageLength: Double, boost: Double, idf: Double, score: Double, terms: [TermStatistic]? = nil) {
        self.terms = terms
        self.kind = kind
        self.text = text
        self.field = field
        self.tf = tf
        self.docFreq = docFreq
        self.docCount = docCount
        self.length = length
        self.averageLength = averageLength
        self.boost = boost
        self.idf = idf
        self.score = score
    }
}
