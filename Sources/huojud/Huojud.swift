import ArgumentParser
import Foundation
import HuojuIndex

@main
struct Huojud: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "huojud",
        abstract: "Huoju: full-text search for Chinese archives — indexing, offline tools and the query daemon.",
        subcommands: [Serve.self, Index.self, Search.self, Verify.self, Parse.self, Analyze.self, Bench.self, BenchAnalyzer.self, Export.self]
    )
}

/// Options shared by the commands that use an index folder.
struct IndexOptions: ParsableArguments {
    @Option(name: .long, help: "The index folder.")
    var index: String = "Index"
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
