import ArgumentParser
import HuojuProtocol
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `huoju`: the thin client. It links neither the engine nor ICU, only the wire types, so it
/// starts in milliseconds; every answer comes from the daemon.
@main
struct Huoju: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "huoju",
        abstract: "Query a running huojud over its Unix socket.",
        discussion: """
        Exit codes: 0 success, 1 the daemon answered with an error, 2 an invalid query, \
        3 no daemon is listening.
        """,
        subcommands: [SearchCommand.self, StatusCommand.self, ReindexCommand.self, PingCommand.self,
                      ZonesCommand.self, ShutdownCommand.self]
    )
}

struct ConnectionOptions: ParsableArguments {
    @Option(help: "The daemon's socket (default: $HUOJU_SOCKET, else $XDG_RUNTIME_DIR/huoju.sock, else Index/huoju.sock).")
    var socket: String?

    @Flag(help: "Print the daemon's reply as JSON.")
    var json = false

    var path: String {
        if let socket { return socket }
        let environment = ProcessInfo.processInfo.environment
        if let socket = environment["HUOJU_SOCKET"], !socket.isEmpty { return socket }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { return runtime + "/huoju.sock" }
        return "Index/huoju.sock"
    }

    /// Sends one request and returns the decoded result, or exits with the documented code.
    func call<Result: Codable & Sendable>(_ request: Request, as: Result.Type) throws -> Result {
        let line: [UInt8]
        do {
            line = try DaemonConnection.exchange(path: path, request: Array(try JSONEncoder().encode(request)))
        } catch DaemonConnection.Failure.notListening(let why) {
            printError("huoju: no huojud is listening on \(path) (\(why)); start one with `huojud serve --corpus DIR`")
            throw ExitCode(3)
        } catch {
            printError("huoju: \(error)")
            throw ExitCode(1)
        }
        let reply: Reply<Result>
        do { reply = try JSONDecoder().decode(Reply<Result>.self, from: Data(line)) } catch {
            if let failure = try? JSONDecoder().decode(Reply<Empty>.self, from: Data(line)), let error = failure.error {
                return try fail(error)
            }
            printError("huoju: unreadable reply from the daemon: \(error)")
            throw ExitCode(1)
        }
        if let error = reply.error { return try fail(error) }
        guard let result = reply.result else {
            printError("huoju: the daemon sent no result")
            throw ExitCode(1)
        }
        return result
    }

    private func fail<T>(_ error: ReplyError) throws -> T {
        printError("huoju: \(error.message)")
        throw ExitCode(error.code == .invalidQuery ? 2 : 1)
    }

    func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

func printError(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

enum ColorMode: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never

    var enabled: Bool {
        switch self {
        case .always: true
        case .never: false
        case .auto: isatty(1) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        }
    }
}

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Search the archive (query syntax: docs/query-syntax.md).")

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Hits to show.") var limit: Int = 10
    @Option(help: "Hits to skip.") var offset: Int = 0
    @Option(help: "Only articles of this zone.") var zone: String?
    @Flag(help: "Exact matches only.") var exact = false
    @Flag(help: "Show the BM25 breakdown of every hit.") var explain = false
    @Flag(help: "Faster: skip what cannot rank; the total becomes a lower bound.") var topK = false
    @Option(help: "Highlight matches: auto, always or never.") var color: ColorMode = .auto
    @Option(help: "Group the matches: zone (zones ranked as `huoju zones` ranks them; --limit counts groups).") var groupBy: GroupBy?
    @Option(help: "Articles per group with --group-by.") var groupHits: Int = 3
    @Argument(help: "The query.") var query: [String]

    func run() throws {
        let request = Request(op: .search, id: .number(1), query: query.joined(separator: " "), limit: limit, offset: offset,
                              zone: zone, exact: exact ? true : nil, explain: explain ? true : nil, counting: topK ? "topK" : nil,
                              groupBy: groupBy?.rawValue, groupHits: groupBy == nil ? nil : groupHits)
        let result = try connection.call(request, as: SearchResult.self)
        if connection.json { try connection.printJSON(result) } else { print(TerminalRenderer(color: color.enabled).render(result, offset: offset)) }
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the daemon's index and counters.")
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let status = try connection.call(Request(op: .status, id: .number(1)), as: StatusResult.self)
        if connection.json { return try connection.printJSON(status) }
        print("index:      \(status.index) (generation \(status.generation), \(status.segments) segments, \(status.indexBytes / 1_000_000) MB)")
        print("documents:  \(status.documents)" + (status.deletedDocuments > 0 ? " (and \(status.deletedDocuments) deleted, dropped by the next merges)" : ""))
        print("corpus:     \(status.corpus ?? "-")" + (status.watching ? " (watched)" : ""))
        if let rescans = status.rescans {
            print("  not every folder is watched (\(rescans.reason)): rescanned every \(format(rescans.intervalSeconds)) s since \(rescans.since)")
        }
        print("uptime:     \(Int(status.uptimeSeconds)) s")
        let latencies = RequestOp.allCases.compactMap { op in status.latency[op.rawValue].map { (op.rawValue, $0) } }
        if !latencies.isEmpty {
            func column(_ text: String) -> String { String(repeating: " ", count: max(0, 9 - text.count)) + text }
            print("latency:    " + "ms".padding(8) + ["count", "p50", "p90", "p99", "p99.9", "max"].map(column).joined())
            for (name, latency) in latencies {
                let times = [latency.p50Ms, latency.p90Ms, latency.p99Ms, latency.p999Ms, latency.maxMs].map { column(format($0, decimals: 3)) }
                print("            " + name.padding(8) + column("\(latency.count)") + times.joined())
            }
        }
        if let last = status.lastReindex {
            var line = "reindex:    \(last.kind.rawValue) (\(last.trigger.rawValue)) \(last.state.rawValue) since \(last.startedAt ?? last.requestedAt)"
            if let finished = last.finishedAt {
                line += ", finished \(finished) in \(format(last.seconds)) s: "
                line += last.generation.map { "generation \($0), \(last.added) added, \(last.changed) changed, \(last.removed) removed files, " +
                    "\(last.articles) articles indexed, \(last.removedArticles) deleted" } ?? "nothing had changed"
                if last.merges > 0 { line += ", \(last.merges) merges since" }
            }
            print(line)
            for skipped in last.skipped { print("  skipped \(skipped)") }
            if let message = last.message { print("  \(message)") }
        }
        var merges = "merges:     \(status.merges) since start" + (status.merging ? ", one running" : "")
        if let merge = status.lastMerge {
            merges += "; last: \(merge.segments) segments into \(merge.documents) documents, \(merge.reclaimed) deleted reclaimed, \(format(merge.seconds)) s"
        }
        print(merges)
        if let error = status.mergeError { print("  merge failed: \(error)") }
    }
}

struct ReindexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reindex", abstract: "Index what changed in the corpus (or everything with --rebuild); search continues meanwhile.")
    @OptionGroup var connection: ConnectionOptions
    @Flag(help: "Build a fresh index and swap it in when it is complete.") var rebuild = false

    func run() throws {
        let report = try connection.call(Request(op: .reindex, id: .number(1), rebuild: rebuild ? true : nil), as: ReindexReport.self)
        if connection.json { return try connection.printJSON(report) }
        print("\(report.kind.rawValue) reindex \(report.state.rawValue) since \(report.startedAt ?? report.requestedAt); `huoju status` shows when it is done")
    }
}

struct PingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ping", abstract: "Check that the daemon answers.")
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let pong = try connection.call(Request(op: .ping, id: .number(1)), as: PingResult.self)
        if connection.json { return try connection.printJSON(pong) }
        print("pong (protocol \(pong.protocolVersion))")
    }
}

enum GroupBy: String, ExpressibleByArgument, CaseIterable {
    case zone
}

struct ZonesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zones", abstract: "Zones most associated with a query, as bars on a terminal (docs/zones.md).",
        discussion: "With --unlisted: the zone names found in the articles that the gazetteer lacks, to extend it."
    )
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Zones to show.") var limit: Int = 10
    @Flag(help: "List the unlisted zones of the index instead.") var unlisted = false
    @Option(help: "Color and bars: auto (on a terminal), always or never (no color; bars stay on a terminal).") var color: ColorMode = .auto
    @Argument(help: "The query.") var query: [String] = []

    func validate() throws {
        if unlisted != query.isEmpty { throw ValidationError(unlisted ? "--unlisted takes no query" : "give a query, or --unlisted") }
    }

    func run() throws {
        let renderer = ZonesRenderer(color: color.enabled, bars: color == .always || isatty(1) != 0, width: terminalColumns())
        if unlisted {
            let result = try connection.call(Request(op: .zones, id: .number(1), unlisted: true), as: UnlistedZonesResult.self)
            if connection.json { try connection.printJSON(result) } else { print(renderer.render(result)) }
        } else {
            let request = Request(op: .zones, id: .number(1), query: query.joined(separator: " "), limit: limit)
            let result = try connection.call(request, as: ZonesResult.self)
            if connection.json { try connection.printJSON(result) } else { print(renderer.render(result)) }
        }
    }
}

/// The terminal's width in columns ($COLUMNS, else the window size, else 100).
func terminalColumns() -> Int {
    if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
    var size = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    return 100
}

struct ShutdownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "shutdown", abstract: "Stop the daemon (owner only).")
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        _ = try connection.call(Request(op: .shutdown, id: .number(1)), as: ShutdownResult.self)
        if !connection.json { print("huojud is stopping") }
    }
}

/// `value` with `decimals` digits after the point (without Foundation's String(format:)).
func format(_ value: Double, decimals: Int = 2) -> String {
    var scale = 1
    for _ in 0..<decimals { scale *= 10 }
    let scaled = Int((value * Double(scale)).rounded())
    let fraction = String(scaled % scale)
    return "\(scaled / scale).\(String(repeating: "0", count: decimals - fraction.count))\(fraction)"
}

extension String {
    /// Left-aligned in `width` columns.
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
