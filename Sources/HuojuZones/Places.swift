import HuojuText
import Synchronization

/// China's administrative divisions by name (`Data/places.tsv`, generated from a maintained
/// data package by `scripts/gen_places.py`), extendable with a file of the same format.
///
/// Unlisted zone names must end in one of these (docs/zones.md): `宜宾高新区` is a zone,
/// `方式高新区` is a phrase. A place is a full name (`昆山市`, `相城区`) or a short form
/// (`昆山`, `相城`).
public struct Places: Sendable {
    public static let columns = ["name", "short_forms", "code"]

    /// Folded full names and short forms.
    public var names: Set<String> { folded.value.names }
    /// Those of provinces (division code `XX0000`): `江苏高新区` is Jiangsu's zones, not a zone.
    public var provinces: Set<String> { folded.value.provinces }
    /// Changes with the table's text, so that an index built with other places is rebuilt.
    public let fingerprint: String
    private let folded: PlaceSets

    /// `rows` are parsed and folded on first use: only recognition needs them, so a search
    /// process (which loads the gazetteer an index was built with) never pays for it.
    init(text: String, rows: @escaping @Sendable () -> [Row]) {
        fingerprint = Gazetteer.hex(Gazetteer.fnv1a(Array(text.utf8)))
        folded = PlaceSets(rows)
    }

    /// The folded sets, computed once.
    private final class PlaceSets: Sendable {
        private let rows: @Sendable () -> [Row]
        private let sets = Mutex<(names: Set<String>, provinces: Set<String>)?>(nil)

        init(_ rows: @escaping @Sendable () -> [Row]) { self.rows = rows }

        var value: (names: Set<String>, provinces: Set<String>) {
            sets.withLock { sets in
                if let sets { return sets }
                var names: Set<String> = [], provinces: Set<String> = []
                for row in rows() {
                    let folded = row.names.map { Folder.shared.fold($0).text }
                    names.formUnion(folded)
                    if row.province { provinces.formUnion(folded) }
                }
                sets = (names, provinces)
                return (names, provinces)
            }
        }
    }

    /// One line of a places file: a division's full name and short forms.
    public struct Row: Sendable {
        public var names: [String]
        public var province: Bool
    }

    /// The divisions compiled into the binaries from `Data/places.tsv`.
    public static let builtIn = Places(text: BundledPlaces.text) { builtInRows }

    private static let builtInRows: [Row] = {
        do { return try parse(BundledPlaces.text, file: "Data/places.tsv (built in)") } catch {
            preconditionFailure("the built-in place table is invalid: \(error)")
        }
    }()

    /// The built-in places plus those of a user's file.
    public static func load(extending path: String?) throws(GazetteerError) -> Places {
        guard let path else { return builtIn }
        switch CorpusFile.read(path) {
        case .failure(let failure): throw GazetteerError(file: path, line: nil, "cannot read the places file: \(failure)")
        case .success(let decoded):
            let rows = builtInRows + (try parse(decoded.text, file: path))
            return Places(text: BundledPlaces.text + "\n" + decoded.text) { rows }
        }
    }

    /// The rows of a places file; every problem names its line.
    public static func parse(_ text: String, file: String) throws(GazetteerError) -> [Row] {
        var rows: [Row] = []
        try TSVRows.read(text, file: file, columns: columns, counts: 1...3) { fields, number throws(GazetteerError) in
            var names: [String] = []
            let shorts = fields.count > 1 && !fields[1].isEmpty ? fields[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init) : []
            for name in [fields[0]] + shorts {
                guard !name.isEmpty else { throw GazetteerError(file: file, line: number, "empty name (two commas in a row, or a comma at an end?)") }
                guard !name.contains("，") else { throw GazetteerError(file: file, line: number, "full-width comma in '\(name)': separate short forms with ASCII commas") }
                let scalars = Array(name.unicodeScalars)
                guard scalars.count >= 2, scalars.allSatisfy(ScalarClass.isIdeograph) else {
                    throw GazetteerError(file: file, line: number, "'\(name)' is not a place name of at least two Chinese characters")
                }
                names.append(name)
            }
            let code = fields.count > 2 ? fields[2] : ""
            guard code.isEmpty || (code.count == 6 && code.allSatisfy(\.isASCII) && code.allSatisfy(\.isNumber)) else {
                throw GazetteerError(file: file, line: number, "division code '\(code)' is not 6 digits")
            }
            rows.append(Row(names: names, province: code.hasSuffix("0000")))
        }
        return rows
    }
}
