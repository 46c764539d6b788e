import ArgumentParser
import HuojuText

/// `huojud analyze TEXT`: shows the folded text and every token the index would see.
struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the folded text and the tokens of TEXT (what the index sees)."
    )

    @Argument(help: "The text to analyze.")
    var text: String

    func run() {
        let analysis = Analyzer().analyze(text)
        print("folded: \(analysis.folded)")
        print("units: \(analysis.length), positions: \(analysis.positions)")
        let words = analysis.tokens.filter { $0.kind == .word }
        let grams = analysis.tokens.filter { $0.kind == .gram }
        print("words: " + words.map { "\($0.text)@\($0.position)" }.joined(separator: " "))
        print("grams: " + grams.map { "\($0.text)@\($0.position)" }.joined(separator: " "))
    }
}
