import HuojuProtocol

/// Zone counts over a search's exact matches, from the snapshot's zone table (the segments'
/// zone columns; no stored document is read).
enum ZoneFacets {
    /// Zones listed in a reply; the rest is only counted (`moreZones`).
    static let limit = 30

    /// `matches[s]`: segment s's exact matches (local ids, ascending).
    static func count(_ matches: [[UInt32]], in table: ZoneTable) -> SearchFacets {
        var articles = [Int](repeating: 0, count: table.names.count), primary = articles
        // Counted through buffer pointers: element writes to the arrays would check their
        // uniqueness on every increment. This runs once per match of every search.
        articles.withUnsafeMutableBufferPointer { articles in
            primary.withUnsafeMutableBufferPointer { primary in
                for (segment, docs) in matches.enumerated() {
                    table.forEachZone(of: docs, in: segment) { _, zone, _, isPrimary in
                        articles[zone] += 1
                        if isPrimary { primary[zone] += 1 }
                    }
                }
            }
        }
        // Most articles first, then most primary, then by name: integers only, because an
        // index can hold thousands of (mostly unlisted) zones and this runs on every search.
        let rank = table.labelRank
        let named = articles.indices.filter { articles[$0] > 0 }
            .sorted { (articles[$0], primary[$0], rank[$1]) > (articles[$1], primary[$1], rank[$0]) }
        let facets = named.prefix(limit).map { zone in
            ZoneFacet(zone: table.labels[zone], articles: articles[zone], primary: primary[zone], unlisted: !table.listed[zone])
        }
        return SearchFacets(zones: facets, moreZones: max(0, named.count - limit))
    }
}
