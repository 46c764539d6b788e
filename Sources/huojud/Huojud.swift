import ArgumentParser

@main
struct Huojud: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "huojud",
        abstract: "Huoju: full-text search for Chinese archives — indexing, offline tools and the query daemon.",
        subcommands: [Analyze.self]
    )
}
