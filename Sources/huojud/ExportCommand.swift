import ArgumentParser
import Foundation
import HuojuCorpus
import HuojuIndex
import HuojuParser
import HuojuText

/// `huojud export --corpus DIR`: the parsed articles as JSON lines, with an ICU-segmented
/// copy of title and body, so that peers (Tantivy in scripts/bench) index the same text split
/// into the same ICU words.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the corpus's articles as JSON lines, with ICU-segmented title and body (for benchmarks against peers)."
    )

    @Option(help: "The archive folder.")
    var corpus: String

    struct Line: Encodable {
        var path: String
        var ordinal: Int
        var title: String
        var section: String
        var titleWords: String
        var bodyWords: String
    }

    func run() throws {
        let analyzer = Analyzer()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var output = FileHandle.standardOutput
        for path in CorpusScanner.scan(corpus).files {
            guard case .success(let decoded) = CorpusFile.read(path) else { continue }
            for (ordinal, article) in IssueParser.parse(decoded.text).articles.enumerated() {
                let line = Line(path: path, ordinal: ordinal, title: article.title, section: article.section ?? "",
                                titleWords: analyzer.icuWords(article.title).joined(separator: " "),
                                bodyWords: analyzer.icuWords(article.body).joined(separator: " "))
                print(String(decoding: try encoder.encode(line), as: UTF8.self), to: &output)
            }
        }
    }
}

extension FileHandle: @retroactive TextOutputStream {
    public func write(_ string: String) { write(Data(string.utf8)) }
}
