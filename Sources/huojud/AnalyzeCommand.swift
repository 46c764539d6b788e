import ArgumentParser
import Foundation
import HuojuText

/// `huojud analyze [--json] TEXT...`: shows the folded text and every token the index would see.
struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the folded text and the tokens of TEXT (what the index sees)."
    )

    @Flag(help: "Print one JSON object per text: {folded, length, icuWords, tokens: [{kind, text, position}]}.")
    var json = false

    @Argument(help: "Texts to analyze.")
    var texts: [String]

    struct Output: Encodable {
        struct TokenOutput: Encodable {
            var kind: String
            var text: String
            var position: Int32
        }
        var folded: String
        var length: Int
        /// ICU's own words, as a plain ICU analyzer would index them.
        var icuWords: [String]
        var tokens: [TokenOutput]
    }

    func run() throws {
        let analyzer = Analyzer()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for text in texts {
            let analysis = analyzer.analyze(text)
            if json {
                let output = Output(folded: analysis.folded, length: analysis.length, icuWords: analyzer.icuWords(text), tokens: analysis.tokens.map {
                    Output.TokenOutput(kind: $0.kind == .gram ? "gram" : "word", text: $0.text, position: $0.position)
                })
                print(String(decoding: try encoder.encode(output), as: UTF8.self))
                continue
            }
            print("folded: \(analysis.folded)")
            print("units: \(analysis.length), positions: \(analysis.positions)")
            print("words: " + analysis.tokens.filter { $0.kind == .word }.map { "\($0.text)@\($0.position)" }.joined(separator: " "))
            print("grams: " + analysis.tokens.filter { $0.kind == .gram }.map { "\($0.text)@\($0.position)" }.joined(separator: " "))
        }
    }
}
