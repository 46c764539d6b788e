import ArgumentParser
import Foundation
import HuojuIndex
import HuojuProtocol
import HuojuQuery
import HuojuZones

/// `huojud zones [--index DIR] [--json] [--limit N] QUERY` and `huojud zones --unlisted`:
/// zones ranked by association with a query, in-process; or the zone-like names the
/// gazetteer lacks.
struct Zones: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rank zones by how strongly the index associates them with a query (docs/zones.md).",
        discussion: "With --unlisted: list the zone names found in the articles that the gazetteer lacks, to extend it."
    )

    @OptionGroup var options: IndexOptions

    @Option(help: "Zones to show.")
    var limit: Int = 10

    @Flag(help: "List the unlisted zones of the index instead.")
    var unlisted = false

    @Flag(help: "With --unlisted: the evidence each name had in its articles, and the issue files naming it.")
    var why = false

    @Flag(help: "Print the reply as JSON.")
    var json = false

    @Argument(help: "The query (see docs/query-syntax.md).")
    var query: [String] = []

    func validate() throws {
        if unlisted != query.isEmpty { throw ValidationError(unlisted ? "--unlisted takes no query" : "give a query, or --unlisted") }
        if why && !unlisted { throw ValidationError("--why goes with --unlisted") }
    }

    func run() throws {
        let searcher = try options.openSearcher()
        let terminal = isatty(1) != 0
        let renderer = ZonesRenderer(color: terminal && ProcessInfo.processInfo.environment["NO_COLOR"] == nil, bars: terminal,
                                     width: terminalColumns())
        do {
            if unlisted && why {
                let reasons = try evidence(searcher)
                print(json ? try encoded(reasons) : reasons.map(\.line).joined(separator: "\n"))
            } else if unlisted {
                let result = UnlistedZonesResult(zones: try searcher.unlistedZones())
                print(json ? try encoded(result) : renderer.render(result))
            } else {
                let result = try searcher.zones(query: query.joined(separator: " "), limit: limit)
                print(json ? try encoded(result) : renderer.render(result))
            }
        } catch let error as SearchError {
            throw RuntimeError(error.description)
        }
    }

    /// One unlisted zone with the evidence that made each of its articles name it.
    struct Evidence: Encodable {
        var zone: String
        var articles: Int
        /// Distinct issue files whose articles name it.
        var files: Int
        /// Evidence (docs/zones.md) → articles that had it.
        var evidence: [String: Int]

        var line: String {
            "\(zone)\t\(articles) article\(articles == 1 ? "" : "s") in \(files) file\(files == 1 ? "" : "s")\t"
                + evidence.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) (\($0.value))" }.joined(separator: "; ")
        }
    }

    /// Re-runs recognition on the stored articles of every unlisted zone, with the gazetteer
    /// the index was built with, to say why each article names it.
    private func evidence(_ searcher: Searcher) throws -> [Evidence] {
        let recognizer = ZoneRecognizer(gazetteer: searcher.gazetteer)
        var found: [String: (articles: Int, files: Set<String>, evidence: [String: Int])] = [:]
        for segment in searcher.snapshot.segments {
            for (zone, info) in try segment.keywordTerms(.zone) where searcher.gazetteer.canonical(folded: zone) == nil {
                var postings = try segment.postings(info)
                while postings.doc != PostingsIterator.end {
                    let doc = postings.doc
                    try postings.next()
                    guard !segment.isDeleted(doc) else { continue }
                    let document = try segment.document(doc)
                    let why = recognizer.unlistedEvidence(title: document.title, source: document.source, byline: document.byline,
                                                          body: document.body)[zone] ?? []
                    found[zone, default: (0, [], [:])].articles += 1
                    found[zone]!.files.insert(document.path)
                    for reason in why.isEmpty ? ["not found again (the index was built with other rules or places)"] : why.map(\.description) {
                        found[zone]!.evidence[reason, default: 0] += 1
                    }
                }
            }
        }
        return found.map { Evidence(zone: $0.key, articles: $0.value.articles, files: $0.value.files.count, evidence: $0.value.evidence) }
            .sorted { ($0.articles, $1.zone) > ($1.articles, $0.zone) }
    }

    private func encoded(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// The terminal's width in columns ($COLUMNS, else the window size, else 100).
func terminalColumns() -> Int {
    if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
    var size = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    return 100
}
