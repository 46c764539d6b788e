import HuojuText

/// How often an article names one zone.
public struct ZoneMention: Sendable, Equatable, Codable {
    public var zone: String
    /// Every mention: in the title, body, source and byline, in lists or not.
    public var mentions: Int
    /// False for a zone the gazetteer does not have (an unlisted zone).
    public var listed: Bool

    public init(zone: String, mentions: Int, listed: Bool) {
        self.zone = zone
        self.mentions = mentions
        self.listed = listed
    }
}

/// The zones of one article: the one it is mainly about (if any) and every zone it names.
public struct ArticleZones: Sendable, Equatable {
    /// What decided the primary zone.
    public enum Evidence: String, Sendable, Codable {
        case title, source, byline
        /// The body keeps coming back to one zone.
        case mentions
    }

    public var primary: String?
    public var evidence: Evidence?
    /// Most mentioned first; ties in order of first appearance.
    public var mentions: [ZoneMention]

    public init(primary: String? = nil, evidence: Evidence? = nil, mentions: [ZoneMention] = []) {
        self.primary = primary
        self.evidence = evidence
        self.mentions = mentions
    }
}

extension ZoneRecognizer {
    /// Thresholds of the "mentions" evidence (docs/zones.md): the zone is named outside lists
    /// at least twice, at least 2.5 times per 1000 characters of body, twice as often as any
    /// other zone, and in at least half of all zone mentions.
    static let dominantMinimum = 2
    static let dominantPerThousand = 2.5

    /// Tags one article. The primary zone comes from, in order: the title naming exactly one
    /// zone (`苏州高新区:千名应届毕业生…`); the 供稿 source naming exactly one; the byline's
    /// organisation naming exactly one; or a body that is clearly about one zone. A title naming
    /// several zones leaves the article without a primary zone unless the source or byline
    /// picks one of them. National articles and lists of attendees get none.
    public func zones(title: String, source: String?, byline: String?, body: String) -> ArticleZones {
        let fold = { (text: String) in Folder.shared.fold(text).text }
        return zones(foldedTitle: fold(title), source: source.map(fold), byline: byline.map(fold), body: fold(body),
                     bodyLength: body.unicodeScalars.count)
    }

    /// `zones(title:source:byline:body:)` of fields already folded (`Folder.fold`), so indexing
    /// folds each field once for this and the analyzer; `bodyLength` counts the original body's scalars.
    public func zones(foldedTitle title: String, source: String?, byline: String?, body: String, bodyLength: Int) -> ArticleZones {
        let titleSpans = spans(folded: Array(title.unicodeScalars))
        let sourceSpans = source.map { spans(folded: Array($0.unicodeScalars)) } ?? []
        let bylineSpans = byline.map { spans(folded: Array($0.unicodeScalars)) } ?? []
        let bodySpans = spans(folded: Array(body.unicodeScalars))

        var tallies: [String: Tally] = [:]
        var order = 0
        for span in titleSpans + bodySpans + sourceSpans + bylineSpans {
            tallies[span.zone, default: Tally(zone: span.zone, listed: span.kind != .unlisted, first: order)].add(span)
            order += 1
        }
        let ranked = tallies.values.sorted { ($0.total, -$0.first) > ($1.total, -$1.first) }
        var result = ArticleZones(mentions: ranked.map { ZoneMention(zone: $0.zone, mentions: $0.total, listed: $0.listed) })

        let titleZones = Self.distinct(titleSpans)
        if titleZones.count == 1 {
            result.primary = titleZones[0]
            result.evidence = .title
            return result
        }
        for (spans, evidence) in [(sourceSpans, ArticleZones.Evidence.source), (bylineSpans, .byline)] {
            let zones = Self.distinct(spans)
            if zones.count == 1, titleZones.isEmpty || titleZones.contains(zones[0]) {
                result.primary = zones[0]
                result.evidence = evidence
                return result
            }
        }
        guard titleZones.isEmpty, let top = ranked.first else { return result }
        let all = ranked.reduce(0) { $0 + $1.total }
        let runnerUp = ranked.count > 1 ? ranked[1].total : 0
        let length = max(1, bodyLength)
        if top.prose >= Self.dominantMinimum, top.total >= 2 * runnerUp, 2 * top.total >= all,
           Double(top.prose) * 1000 / Double(length) >= Self.dominantPerThousand {
            result.primary = top.zone
            result.evidence = .mentions
        }
        return result
    }

    private struct Tally {
        var zone: String
        var listed: Bool
        var first: Int
        var total = 0
        /// Mentions outside lists of zones.
        var prose = 0

        mutating func add(_ span: ZoneSpan) {
            total += 1
            if !span.inList { prose += 1 }
        }
    }

    private static func distinct(_ spans: [ZoneSpan]) -> [String] {
        var zones: [String] = []
        for span in spans where !zones.contains(span.zone) { zones.append(span.zone) }
        return zones
    }
}
