/// The fields of an article document.
///
/// Text fields are analyzed into both token layers and carry positions. `zone` and
/// `primaryZone` are keyword fields (one folded term per zone, no analysis): `zone` holds every
/// zone the article names with term frequency = its number of mentions, `primaryZone` the one
/// zone the article is mainly about, so ranking can tell the two apart (docs/zones.md). Issue
/// number, cumulative number and date are per-document values (`FieldValues`), not terms.
public enum Field: UInt8, CaseIterable, Sendable, Codable {
    case title = 0, body, section, source, byline, zone, primaryZone

    public static let text: [Field] = [.title, .body, .section, .source, .byline]

    public var name: String {
        switch self {
        case .title: "title"
        case .body: "body"
        case .section: "section"
        case .source: "source"
        case .byline: "byline"
        case .zone: "zone"
        case .primaryZone: "primaryZone"
        }
    }
}

/// The layer byte of a term: which vocabulary it belongs to (docs/index-format.md).
public enum TermLayer: UInt8, Sendable {
    /// A whole value of a keyword field (`zone`, `primaryZone`).
    case keyword = 0
    /// A CJK unigram or bigram.
    case gram = 1
    /// A word: ICU word of two or more CJK characters, Latin word, number.
    case word = 2
    /// A CJK character at the start or end of a run of CJK characters, with positions.
    /// Unigrams keep no positions; a phrase that holds a lone character beside a Latin word or
    /// a gap (`2023年`, `"5G 网"`) finds it among the edges, since a character with something
    /// other than CJK beside it ends its run. Written by the segment builder from the grams.
    case edge = 3
}

/// A term as stored in the term dictionary: `[field][layer][UTF-8 text]`.
///
/// Byte order is the dictionary order, so all terms of a field and layer are contiguous.
public struct TermKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    public init(_ field: Field, _ layer: TermLayer, _ text: some StringProtocol) {
        bytes = [field.rawValue, layer.rawValue] + Array(text.utf8)
    }

    public static func keyword(_ field: Field, _ text: some StringProtocol) -> TermKey {
        TermKey(field, .keyword, text)
    }


    public static func < (lhs: TermKey, rhs: TermKey) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    public var description: String {
        guard bytes.count >= 2 else { return "?" }
        let field = Field(rawValue: bytes[0])?.name ?? "?"
        return "\(field):\(["k", "g", "w", "e"][Int(min(bytes[1], 3))]):\(String(decoding: bytes[2...], as: UTF8.self))"
    }
}

/// A zone an article names, and how often (title, body, source and byline together).
public struct ZoneCount: Codable, Sendable, Equatable {
    public var zone: String
    public var mentions: Int

    public init(zone: String, mentions: Int) {
        self.zone = zone
        self.mentions = mentions
    }
}

/// One article as the index stores and returns it. Text is original (unfolded) text.
public struct IndexDocument: Codable, Sendable, Equatable {
    public var path: String
    /// Position of the article in its file (0-based), so hits can be told apart.
    public var ordinal: Int
    public var title: String
    public var section: String?
    public var source: String?
    public var byline: String?
    public var body: String
    public var issueYear: Int?
    public var issueNumber: Int?
    public var issueCumulative: Int?
    /// ISO date of the issue, "2022-08-15".
    public var date: String?
    /// Canonical names (an unlisted zone: its folded name), most mentioned first.
    public var zones: [ZoneCount]
    public var primaryZone: String?

    public init(path: String, ordinal: Int, title: String, section: String? = nil, source: String? = nil,
                byline: String? = nil, body: String, issueYear: Int? = nil, issueNumber: Int? = nil,
                issueCumulative: Int? = nil, date: String? = nil, zones: [ZoneCount] = [], primaryZone: String? = nil) {
        self.path = path
        self.ordinal = ordinal
        self.title = title
        self.section = section
        self.source = source
        self.byline = byline
        self.body = body
        self.issueYear = issueYear
        self.issueNumber = issueNumber
        self.issueCumulative = issueCumulative
        self.date = date
        self.zones = zones
        self.primaryZone = primaryZone
    }

    public func text(of field: Field) -> String? {
        switch field {
        case .title: title
        case .body: body
        case .section: section
        case .source: source
        case .byline: byline
        case .zone, .primaryZone: nil
        }
    }

    /// The date as yyyymmdd, for range filters; 0 when unknown.
    public var dateValue: Int32 {
        guard let date else { return 0 }
        let digits = date.split(separator: "-").compactMap { Int32($0) }
        guard digits.count == 3 else { return 0 }
        return digits[0] * 10_000 + digits[1] * 100 + digits[2]
    }
}
