import HuojuText

/// One zone: a row of a gazetteer file (`Data/zones.tsv`, docs/zones.md).
public struct ZoneEntry: Sendable, Equatable {
    public var canonical: String
    /// 高新区, 示范区, 科学城, 工业园区 or 其他.
    public var kind: String
    public var province: String
    /// Empty for zones spanning several cities.
    public var city: String
    /// Names that mean this zone wherever they stand (full official name, short forms, 光谷 …).
    public var aliases: [String]
    /// Names that mean this zone only inside a list of zones: the bare city name `苏州` in
    /// `上海张江、南京、苏州工业园区、苏州…等国家高新区`, while `苏州` alone is just the city.
    public var listNames: [String]
    /// Where the row was read (`zones.tsv:57`), so errors can point at it.
    public var origin: String

    public init(canonical: String, kind: String, province: String, city: String, aliases: [String] = [],
                listNames: [String] = [], origin: String = "") {
        self.canonical = canonical
        self.kind = kind
        self.province = province
        self.city = city
        self.aliases = aliases
        self.listNames = listNames
        self.origin = origin
    }
}

/// A gazetteer file that cannot be used: the file, the 1-based line, and what is wrong.
public struct GazetteerError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String

    public init(file: String, line: Int?, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
}

/// The zones Huoju knows by name, with every name folded once for lookups.
///
/// Invariant (checked when built): every canonical name, alias and list name, after Huoju's
/// fold, belongs to exactly one zone, so recognition and `zone:` lookups are never ambiguous.
public struct Gazetteer: Sendable {
    public static let columns = ["canonical", "kind", "province", "city", "aliases", "list_names"]
    public static let kinds = ["高新区", "示范区", "科学城", "工业园区", "其他"]

    public let entries: [ZoneEntry]
    /// Folded name → the zone it names, and whether only inside a list of zones.
    let names: [String: (entry: Int, listOnly: Bool)]
    /// Folded canonical name → canonical name.
    let canonicals: [String: String]
    /// Changes whenever the rows or the recognition rules change: an index built with another
    /// fingerprint tagged its articles differently and must be rebuilt.
    public let fingerprint: String
    /// The administrative divisions unlisted zone names must end in (docs/zones.md).
    public let places: Places

    public init(_ entries: [ZoneEntry], places: Places = .builtIn) throws(GazetteerError) {
        var names: [String: (entry: Int, listOnly: Bool)] = [:]
        for (index, entry) in entries.enumerated() {
            let (file, line) = Self.split(entry.origin)
            var own: Set<String> = []
            let rowNames = [(entry.canonical, false)] + entry.aliases.map { ($0, false) } + entry.listNames.map { ($0, true) }
            for (name, listOnly) in rowNames {
                let folded = Folder.shared.fold(name).text
                guard own.insert(folded).inserted else {
                    throw GazetteerError(file: file, line: line, "'\(name)' appears twice in the row of \(entry.canonical) (names are compared after folding)")
                }
                if let other = names[folded] {
                    let owner = entries[other.entry]
                    throw GazetteerError(file: file, line: line, "'\(name)' already names \(owner.canonical) (\(owner.origin)); a name may belong to one zone only")
                }
                names[folded] = (index, listOnly)
            }
        }
        self.entries = entries
        self.names = names
        self.places = places
        canonicals = Dictionary(entries.map { (Folder.shared.fold($0.canonical).text, $0.canonical) }, uniquingKeysWith: { first, _ in first })
        fingerprint = "\(ZoneRecognizer.version)/\(entries.count)/" + Self.hex(Self.fnv1a(Array(Self.serialize(entries).utf8)))
            + "/" + places.fingerprint
    }

    /// The gazetteer compiled into the binaries from `Data/zones.tsv`. The file is checked by
    /// the tests and at every build of the tests, so a broken one never ships.
    public static let builtIn: Gazetteer = {
        do { return try Gazetteer(parse(BundledZones.text, file: "Data/zones.tsv (built in)")) } catch {
            preconditionFailure("the built-in gazetteer is invalid: \(error)")
        }
    }()

    /// The built-in gazetteer extended by a user's file: a row whose canonical name is already
    /// known replaces that zone's row, other rows add zones. `places` extends the built-in
    /// place table likewise.
    public static func load(extending path: String?, places placesPath: String? = nil) throws(GazetteerError) -> Gazetteer {
        let places = try Places.load(extending: placesPath)
        let base = try Gazetteer(builtIn.entries, places: places)
        guard let path else { return base }
        switch CorpusFile.read(path) {
        case .failure(let failure): throw GazetteerError(file: path, line: nil, "cannot read the zones file: \(failure)")
        case .success(let decoded): return try base.extended(with: parse(decoded.text, file: path))
        }
    }

    public func extended(with rows: [ZoneEntry]) throws(GazetteerError) -> Gazetteer {
        var merged = entries
        var position: [String: Int] = [:]
        for (index, entry) in merged.enumerated() { position[Folder.shared.fold(entry.canonical).text] = index }
        for row in rows {
            let key = Folder.shared.fold(row.canonical).text
            if let index = position[key] { merged[index] = row } else {
                position[key] = merged.count
                merged.append(row)
            }
        }
        return try Gazetteer(merged, places: places)
    }

    /// The zone a name means (canonical, alias or list name, in any spelling the fold unifies).
    public func entry(named name: String) -> ZoneEntry? {
        names[Folder.shared.fold(name).text].map { entries[$0.entry] }
    }

    /// The canonical name for `name`, or nil when no zone has it.
    public func canonical(for name: String) -> String? { entry(named: name)?.canonical }

    /// The canonical name whose folded form is `folded` (how the index stores zones), or nil
    /// for an unlisted zone.
    public func canonical(folded: String) -> String? { canonicals[folded] }

    /// Rows as TSV with a header and no comments: what an index stores of the gazetteer it
    /// was built with, so its readers resolve names exactly as the build did.
    public var serialized: String { Self.serialize(entries) }

    static func serialize(_ entries: [ZoneEntry]) -> String {
        var lines = [columns.joined(separator: "\t")]
        for entry in entries {
            lines.append([entry.canonical, entry.kind, entry.province, entry.city,
                          entry.aliases.joined(separator: ","), entry.listNames.joined(separator: ",")].joined(separator: "\t"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Parsing

    /// Reads the rows of a gazetteer file; every problem names its line.
    public static func parse(_ text: String, file: String) throws(GazetteerError) -> [ZoneEntry] {
        var entries: [ZoneEntry] = []
        var canonicalLines: [String: Int] = [:]
        try TSVRows.read(text, file: file, columns: columns, counts: 4...6) { fields, number throws(GazetteerError) in
            let canonical = try name(fields[0], "canonical name", file, number)
            if let first = canonicalLines[canonical] {
                throw GazetteerError(file: file, line: number, "\(canonical) is already a row (line \(first))")
            }
            canonicalLines[canonical] = number
            let kind = fields[1]
            guard kinds.contains(kind) else {
                throw GazetteerError(file: file, line: number, "unknown kind '\(kind)' (kinds: \(kinds.joined(separator: ", ")))")
            }
            let province = try name(fields[2], "province", file, number)
            let city = fields[3]
            if !city.isEmpty { _ = try name(city, "city", file, number) }
            let aliases = fields.count > 4 ? try list(fields[4], "alias", file, number) : []
            let listNames = fields.count > 5 ? try list(fields[5], "list name", file, number) : []
            entries.append(ZoneEntry(canonical: canonical, kind: kind, province: province, city: city, aliases: aliases,
                                     listNames: listNames, origin: "\(file):\(number)"))
        }
        return entries
    }

    private static func name(_ text: String, _ what: String, _ file: String, _ line: Int) throws(GazetteerError) -> String {
        guard !text.isEmpty else { throw GazetteerError(file: file, line: line, "empty \(what)") }
        guard text.first?.isWhitespace == false, text.last?.isWhitespace == false else {
            throw GazetteerError(file: file, line: line, "\(what) '\(text)' has spaces around it")
        }
        guard !text.contains("，"), !text.contains(",") else {
            throw GazetteerError(file: file, line: line, "\(what) '\(text)' contains a comma (separate names with ASCII commas, in the aliases and list_names columns only)")
        }
        guard text.unicodeScalars.contains(where: { $0.properties.isAlphabetic }) else {
            throw GazetteerError(file: file, line: line, "\(what) '\(text)' has no letters or characters")
        }
        return text
    }

    private static func list(_ text: String, _ what: String, _ file: String, _ line: Int) throws(GazetteerError) -> [String] {
        guard !text.isEmpty else { return [] }
        if text.contains("，") {
            throw GazetteerError(file: file, line: line, "full-width comma in '\(text)': separate \(what)s with ASCII commas")
        }
        var names: [String] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !piece.isEmpty else { throw GazetteerError(file: file, line: line, "empty \(what) in '\(text)' (two commas in a row, or a comma at an end)") }
            names.append(try name(String(piece), what, file, line))
        }
        return names
    }

    private static func split(_ origin: String) -> (String, Int?) {
        guard let colon = origin.lastIndex(of: ":"), let line = Int(origin[origin.index(after: colon)...]) else { return (origin, nil) }
        return (String(origin[..<colon]), line)
    }

    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
