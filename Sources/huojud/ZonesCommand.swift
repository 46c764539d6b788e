import ArgumentParser
import Foundation
import HuojuProtocol
import HuojuQuery

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

    @Flag(help: "Print the reply as JSON.")
    var json = false

    @Argument(help: "The query (see docs/query-syntax.md).")
    var query: [String] = []

    func validate() throws {
        if unlisted != query.isEmpty { throw ValidationError(unlisted ? "--unlisted takes no query" : "give a query, or --unlisted") }
    }

    func run() throws {
        let searcher = try options.openSearcher()
        let terminal = isatty(1) != 0
        let renderer = ZonesRenderer(color: terminal && ProcessInfo.processInfo.environment["NO_COLOR"] == nil, bars: terminal,
                                     width: terminalColumns())
        do {
            if unlisted {
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
