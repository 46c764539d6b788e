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
        let (titleSpans, sourceSpans, bylineSpans, bodySpans) = articleSpans(foldedTitle: title, source: source, byline: byline, body: body)

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

    /// The unlisted zones an article is tagged with and the evidence each had there, strongest
    /// first (what `huojud zones --unlisted --why` shows).
    public func unlistedEvidence(title: String, source: String?, byline: String?, body: String) -> [String: [UnlistedEvidence]] {
        let fold = { (text: String) in Folder.shared.fold(text).text }
        let spans = articleSpans(foldedTitle: fold(title), source: source.map(fold), byline: byline.map(fold), body: fold(body))
        var evidence: [String: [UnlistedEvidence]] = [:]
        for span in spans.title + spans.source + spans.byline + spans.body where span.kind == .unlisted {
            guard let why = span.evidence, evidence[span.zone]?.contains(why) != true else { continue }
            evidence[span.zone, default: []].append(why)
        }
        return evidence.mapValues { $0.filter { $0 != .sameArticle }.isEmpty ? $0 : $0.filter { $0 != .sameArticle } }
    }

    /// The zone spans of an article's fields (folded text). An unlisted candidate is kept when it stands as
    /// an organisation at the start of the title, source or byline (or of a clause there:
    /// after punctuation or a space; in a title, as its subject: `某某高新区举办…`,
    /// `某某科学城:…`), or when the article names it with evidence elsewhere; other candidates
    /// are phrases (`方式高新区`, `现代化高新区建设的路径`) and dropped.
    func articleSpans(foldedTitle title: String, source: String?, byline: String?, body: String)
        -> (title: [ZoneSpan], source: [ZoneSpan], byline: [ZoneSpan], body: [ZoneSpan]) {
        func recognise(_ text: String?, _ field: UnlistedEvidence?) -> [ZoneSpan] {
            guard let text else { return [] }
            let scalars = Array(text.unicodeScalars)
            return spans(folded: scalars).map { span in
                guard span.kind == .unlisted, span.evidence == nil, let field else { return span }
                let start = span.range.lowerBound
                var span = span
                let atStart = start == 0 || (!ScalarClass.isIdeograph(scalars[start - 1]) && !UnlistedNames.followsNumber(scalars, at: start))
                if atStart, field != .title || UnlistedNames.isTitleSubject(scalars, endingAt: span.range.upperBound) {
                    span.evidence = field
                }
                return span
            }
        }
        var fields = [recognise(title, .title), recognise(source, .source), recognise(byline, .byline), recognise(body, nil)]
        let accepted = Set(fields.joined().filter { $0.kind == .unlisted && $0.evidence != nil }.map(\.zone))
        for index in fields.indices {
            fields[index] = fields[index].compactMap { span in
                guard span.kind == .unlisted, span.evidence == nil else { return span }
                guard accepted.contains(span.zone) else { return nil }
                var span = span
                span.evidence = .sameArticle
                return span
            }
        }
        return (fields[0], fields[1], fields[2], fields[3])
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
