import ArgumentParser
import Foundation
import HuojuIndex
import HuojuQuery
import HuojuText
import HuojuZones

@main
struct Huojud: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "huojud",
        abstract: "Huoju: full-text search for Chinese archives — indexing, offline tools and the query daemon.",
        subcommands: [Serve.self, Index.self, Search.self, Zones.self, Verify.self, Parse.self, Analyze.self, Bench.self, BenchAnalyzer.self, Export.self]
    )
}

/// Options shared by the commands that use an index folder.
struct IndexOptions: ParsableArguments {
    @Option(name: .long, help: "The index folder.")
    var index: String = "Index"

    /// A searcher over the index's current snapshot, or the reason there is none.
    func openSearcher() throws -> Searcher {
        do { return try Searcher(snapshot: try IndexSnapshot.open(directory: index, analyzer: Analyzer.version)) } catch let error as IndexError {
            throw offlineFailure(error)
        } catch {
            throw RuntimeError("\(error)")
        }
    }

    /// An index error with what to run about it offline (the offline commands' remedy is
    /// `huojud index`; the daemon and the client name their own).
    func offlineFailure(_ error: IndexError, corpus: String = "DIR") -> RuntimeError {
        switch error {
        case .missing: RuntimeError("\(error); build one with `huojud index --corpus \(corpus) --index \(index)`")
        case _ where error.needsRebuild: RuntimeError("\(error); rebuild it with `huojud index --rebuild --corpus \(corpus) --index \(index)`")
        default: RuntimeError(error.description)
        }
    }
}

/// The merge policy's one knob, shared by `serve` and `index`.
struct MergeOptions: ParsableArguments {
    @Option(help: "Segments merged at once, and allowed per size tier (at least 2).")
    var mergeFactor: Int = 10

    var policy: TieredMergePolicy { TieredMergePolicy(mergeFactor: mergeFactor) }
}

/// An absolute path with `.` and `..` resolved: corpus paths are stored in the index, so
/// every command must spell a folder the same way.
func absolute(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.path
}

/// A failure while running (not a usage mistake): printed as `Error: …` without the usage text.
struct RuntimeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `--zones FILE`: rows that extend the built-in gazetteer; `--places FILE`: divisions that
/// extend the built-in place table (docs/zones.md).
struct ZonesOption: ParsableArguments {
    @Option(name: .customLong("zones"), help: "A zones.tsv of your own that extends the built-in gazetteer (docs/zones.md).")
    var file: String?

    @Option(name: .customLong("places"), help: "A places.tsv of your own that extends the built-in place table (docs/zones.md).")
    var places: String?

    func gazetteer() throws -> Gazetteer {
        do { return try Gazetteer.load(extending: file, places: places) } catch { throw RuntimeError(error.description) }
    }
}
