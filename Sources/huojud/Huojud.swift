import ArgumentParser

@main
struct Huojud: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "huojud",
        abstract: "Huoju: full-text search for Chinese archives — indexing, offline tools and the query daemon.",
        subcommands: [Index.self, Search.self, Parse.self, Analyze.self, Bench.self]
    )
}

/// Options shared by the commands that use an index folder.
struct IndexOptions: ParsableArguments {
    @Option(name: .long, help: "The index folder.")
    var index: String = "Index"
}
