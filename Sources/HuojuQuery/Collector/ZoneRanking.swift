/// Ranks zones by how strongly they are associated with a query (docs/zones.md):
///
///     score(z) = Σ over the exact matches d that name z of  bm25(d) · w(d, z)
///     w(d, z)  = 1                          when z is d's primary zone
///              = c · m / (m + h)            otherwise, m = mentions of z in d
///
/// with c = 0.2 and h = 2: a zone named once in a list of attendees weighs 1/15 of an article
/// about it, and mentions saturate below 1/5, so many passing mentions never outweigh a few
/// articles that are about the zone.
enum ZoneRanking {
    static let mentionCeiling = 0.2
    static let mentionHalf = 2.0

    static func weight(primary: Bool, mentions: Int) -> Double {
        primary ? 1 : mentionCeiling * Double(mentions) / (Double(mentions) + mentionHalf)
    }

    /// One article's share of a zone's score.
    struct Contribution {
        var segment: Int
        var local: UInt32
        var global: Int
        var bm25: Double
        var value: Double

        func isBetter(than other: Contribution) -> Bool { value > other.value || (value == other.value && global < other.global) }

        /// The article as a search hit, scored by BM25.
        var scored: ScoredDoc { ScoredDoc(segment: segment, local: local, global: global, score: bm25, partial: false) }
    }

    struct Zone {
        /// As the index stores it (folded).
        var zone: String
        var score = 0.0
        var articles = 0
        var primary = 0
        /// The largest contributions, best first (at most `keep`).
        var top: [Contribution] = []
    }

    /// `matches[s]` are segment s's exact matches (ascending), `scores[s]` their BM25 scores.
    /// Zones come best first (score, then articles, then name); each keeps its `keep` best articles.
    static func rank(_ matches: [[UInt32]], scores: [[Double]], in table: ZoneTable, bases: [Int], keep: Int) -> [Zone] {
        var zones: [Int: Zone] = [:]
        for (s, docs) in matches.enumerated() {
            table.forEachZone(of: docs, in: s) { match, id, mentions, primary in
                let bm25 = scores[s][match]
                let contribution = Contribution(segment: s, local: docs[match], global: bases[s] + Int(docs[match]), bm25: bm25,
                                                value: bm25 * weight(primary: primary, mentions: mentions))
                zones[id, default: Zone(zone: table.names[id])].add(contribution, primary: primary, keep: keep)
            }
        }
        return zones.values.sorted { ($0.score, $0.articles, $1.zone) > ($1.score, $1.articles, $0.zone) }
    }
}

extension ZoneRanking.Zone {
    mutating func add(_ contribution: ZoneRanking.Contribution, primary isPrimary: Bool, keep: Int) {
        score += contribution.value
        articles += 1
        if isPrimary { primary += 1 }
        guard keep > 0, top.count < keep || contribution.isBetter(than: top[top.count - 1]) else { return }
        top.insert(contribution, at: top.firstIndex { contribution.isBetter(than: $0) } ?? top.count)
        if top.count > keep { top.removeLast() }
    }
}
