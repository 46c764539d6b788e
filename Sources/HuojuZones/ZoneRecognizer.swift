import HuojuText

/// A zone name found in a text.
public struct ZoneSpan: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A canonical name or alias of the gazetteer (or a list name written `洛阳市高新区`).
        case alias
        /// A list name (a bare city name) standing in a list of zones.
        case listName
        /// A zone-like name the gazetteer does not have.
        case unlisted
    }

    /// Unicode-scalar offsets in the folded text.
    public var range: Range<Int>
    /// The canonical name; for an unlisted zone, its folded name.
    public var zone: String
    public var kind: Kind
    /// True when the name stands in a list of zones.
    public var inList: Bool
    /// For an unlisted zone: why it counts as one; nil for a candidate that still needs
    /// evidence from its article (`ZoneRecognizer.zones(…)`).
    public var evidence: UnlistedEvidence? = nil
}

/// Why a name the gazetteer lacks is taken for a zone (docs/zones.md).
public enum UnlistedEvidence: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// What stands before the suffix ends in this administrative division (`宜宾`).
    case place(String)
    /// This organisation word follows the name (`管委会`).
    case organisation(String)
    /// The name stands as an organisation at the start of the article's title, 供稿 source
    /// or byline (or of a clause there).
    case title, source, byline
    /// The same article names it with one of the evidences above.
    case sameArticle

    public var description: String {
        switch self {
        case .place(let place): "ends in the place \(place)"
        case .organisation(let word): "an organisation (\(word))"
        case .title: "an organisation in a title"
        case .source: "an organisation in a 供稿 line"
        case .byline: "an organisation in a byline"
        case .sameArticle: "named with evidence elsewhere in the article"
        }
    }
}

/// Finds zone names in text: gazetteer names anywhere, list names inside lists of zones, and
/// zone-like names the gazetteer lacks (docs/zones.md). Matching runs on folded text, so
/// traditional and full-width spellings match. Immutable and safe to share across threads.
public final class ZoneRecognizer: Sendable {
    /// Part of every gazetteer fingerprint: bump it when recognition or attribution changes
    /// what an article is tagged with, so indexes built before are rebuilt.
    public static let version = "zones-2"

    public let gazetteer: Gazetteer
    private let names: NameTrie<Name>
    private let unlisted: UnlistedNames

    struct Name: Sendable {
        var entry: Int
        var listOnly: Bool
    }

    public init(gazetteer: Gazetteer) {
        self.gazetteer = gazetteer
        var names = NameTrie<Name>()
        for (folded, value) in gazetteer.names {
            names.insert(Array(folded.unicodeScalars), Name(entry: value.entry, listOnly: value.listOnly))
        }
        self.names = names
        var places: Set<String> = []
        for entry in gazetteer.entries {
            for place in [entry.province, entry.city] + entry.listNames where !place.isEmpty { places.insert(Folder.shared.fold(place).text) }
        }
        unlisted = UnlistedNames(places: places.sorted(), divisions: gazetteer.places.names.sorted(), provinces: gazetteer.places.provinces)
    }

    /// The zone names in `text`, in order, as body text: list names appear only where they
    /// stand in a list, and unlisted names only with evidence of their own (a place, an
    /// organisation word).
    public func spans(in text: String) -> [ZoneSpan] {
        spans(folded: Array(Folder.shared.fold(text).text.unicodeScalars)).filter { $0.kind != .unlisted || $0.evidence != nil }
    }

    /// Every zone name, candidates (unlisted names without evidence yet) included.
    func spans(folded text: [Unicode.Scalar]) -> [ZoneSpan] {
        var found: [ZoneSpan] = []
        // Aliases claim their characters; list names do not (an unlisted name may start with one).
        var taken = [Bool](repeating: false, count: text.count)
        var position = 0
        while position < text.count {
            guard let (end, name) = names.longest(in: text, at: position) else { position += 1; continue }
            found.append(ZoneSpan(range: position..<end, zone: gazetteer.entries[name.entry].canonical,
                                  kind: name.listOnly ? .listName : .alias, inList: false))
            if !name.listOnly { for index in position..<end { taken[index] = true } }
            position = end
        }
        let more = unlisted.find(in: text, taken: taken) { gazetteer.names[$0] }
        for name in more {
            found.removeAll { $0.kind == .listName && $0.range.overlaps(name.range) }
            if let zone = name.listName {
                found.append(ZoneSpan(range: name.range, zone: gazetteer.entries[zone.entry].canonical, kind: .alias, inList: false))
            } else {
                let evidence: UnlistedEvidence? = switch name.evidence {
                case .place(let place): .place(place)
                case .organisation(let word): .organisation(word)
                case .candidate: nil
                }
                found.append(ZoneSpan(range: name.range, zone: name.name, kind: .unlisted, inList: false, evidence: evidence))
            }
        }
        found.sort { $0.range.lowerBound < $1.range.lowerBound }

        let items = found.map { span in
            ZoneLists.Item(range: span.range, fullName: span.kind != .listName
                           && ZoneLists.fullNameEndings.suffixLength(of: text, endingAt: span.range.upperBound) != nil)
        }
        let inList = ZoneLists.mark(items, in: text)
        var result: [ZoneSpan] = []
        for (index, var span) in found.enumerated() {
            span.inList = inList[index]
            if span.kind == .listName && !span.inList { continue }
            result.append(span)
        }
        return result
    }
}
