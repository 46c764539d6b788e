import ArgumentParser
import Foundation
import HuojuIndex
import HuojuProtocol
import HuojuQuery

/// `huojud search [--index DIR] [--limit N] [--json] [--explain] QUERY`: in-process search.
struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search the index in-process (for scripts; users query the daemon with `huoju`)."
    )

    @OptionGroup var options: IndexOptions

    @Option(help: "Hits to show.")
    var limit: Int = 10

    @Option(help: "Hits to skip.")
    var offset: Int = 0

    @Option(help: "Only articles of this zone.")
    var zone: String?

    @Flag(help: "Exact matches only (no partial matches after them).")
    var exact = false

    @Flag(help: "Print the BM25 breakdown of every hit.")
    var explain = false

    @Flag(help: "Top-k counting: skip what cannot rank; the total becomes a lower bound.")
    var topK = false

    @Flag(help: "Print the reply as JSON.")
    var json = false

    @Option(help: "Group the matches: zone (groups ranked as `huojud zones` ranks them).")
    var groupBy: GroupBy?

    @Option(help: "Articles per group with --group-by.")
    var groupHits: Int = 3

    @Argument(help: "The query (see docs/query-syntax.md).")
    var query: String

    func run() throws {
        let searcher = try options.openSearcher()
        let request = SearchRequest(query: query, limit: limit, offset: offset, exact: exact, explain: explain, zone: zone,
                                    groupByZone: groupBy == .zone, groupHits: groupHits, counting: topK ? .topK : .exact)
        let result: SearchResult
        do { result = try searcher.search(request) } catch { throw RuntimeError(error.description) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print(TerminalRenderer(color: isatty(1) != 0).render(result, offset: offset))
        }
    }
}

/// What `--group-by` groups by.
enum GroupBy: String, ExpressibleByArgument, CaseIterable {
    case zone
}
