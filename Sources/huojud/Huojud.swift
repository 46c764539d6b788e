import ArgumentParser

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

/// A failure while running (not a usage mistake): printed as `Error: …` without the usage text.
struct RuntimeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
