import HuojuProtocol
import HuojuZones

/// Zone counts over a search's exact matches, from the snapshot's zone table (the zone
/// postings turned around; no stored document is read).
enum ZoneFacets {
    /// Zones listed in a reply; the rest is only counted (`moreZones`).
    static let limit = 30

    /// `matches[s]`: segment s's exact matches (local ids, ascending).
    static func count(_ matches: [[UInt32]], in table: ZoneTable, gazetteer: Gazetteer) -> SearchFacets {
        var articles = [Int](repeating: 0, count: table.names.count), primary = articles
        for (segment, docs) in matches.enumerated() {
            table.forEachZone(of: docs, in: segment) { _, zone, _, isPrimary in
                articles[zone] += 1
                if isPrimary { primary[zone] += 1 }
            }
        }
        let facets = articles.indices.filter { articles[$0] > 0 }.map { zone in
            let canonical = gazetteer.canonical(folded: table.names[zone])
            return ZoneFacet(zone: canonical ?? table.names[zone], articles: articles[zone], primary: primary[zone], unlisted: canonical == nil)
        }.sorted { ($0.articles, $0.primary, $1.zone) > ($1.articles, $1.primary, $0.zone) }
        return SearchFacets(zones: Array(facets.prefix(limit)), moreZones: max(0, facets.count - limit))
    }
}
