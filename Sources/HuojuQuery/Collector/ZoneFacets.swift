import HuojuIndex
import HuojuProtocol
import HuojuZones

/// Zone counts over a search's exact matches: every zone term's postings intersected with the
/// per-segment match sets, so a facet costs the zone postings, not a stored document per hit.
enum ZoneFacets {
    /// Zones listed in a reply; the rest is only counted (`moreZones`).
    static let limit = 30

    static func count(_ matches: [[UInt32]], in snapshot: IndexSnapshot, gazetteer: Gazetteer) throws(IndexError) -> SearchFacets {
        var counts: [String: (articles: Int, primary: Int)] = [:]
        try ZonePostings.walk(matches, in: snapshot) { visit in
            counts[visit.zone, default: (0, 0)].articles += 1
            if visit.primary { counts[visit.zone, default: (0, 0)].primary += 1 }
        }
        let facets = counts.map { zone, count in
            ZoneFacet(zone: gazetteer.canonical(folded: zone) ?? zone, articles: count.articles, primary: count.primary,
                      unlisted: gazetteer.canonical(folded: zone) == nil)
        }.sorted { ($0.articles, $0.primary, $1.zone) > ($1.articles, $1.primary, $0.zone) }
        return SearchFacets(zones: Array(facets.prefix(limit)), moreZones: max(0, facets.count - limit))
    }
}
