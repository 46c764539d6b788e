import HuojuTestSupport
import Testing
@testable import HuojuParser

/// A file without line breaks (the sample issues with their newlines removed) holds hundreds
/// of `(供稿:…)` sources on one line. Splitting them out continues from each source rather than
/// starting over on the rest (which made such a line quadratic: `scripts/single_line.py` times
/// the 50 MB case); every source is still found, and no text is lost or repeated.
@Suite struct SingleLineTests {
    private func split(_ text: String) -> (sources: [String], kept: String) {
        let lines = Attribution.separateSources(LineSplitter.lines(of: text))
        let sources = lines.compactMap { line -> String? in if case .source(let content) = line.kind { content } else { nil } }
        return (sources, lines.map(\.text).joined().unicodeScalars.filter { !Punct.isSpace($0) }.map(String.init).joined())
    }

    @Test func everySourceOfALongLineIsSplitOutOnce() throws {
        let line = try SharedCorpus.texts().map(\.text).joined().replacingOccurrences(of: "\r", with: "")
            .replacingOccurrences(of: "\n", with: "")
        let one = split(line)
        #expect(one.sources.count > 10)
        let repeated = split(String(repeating: line, count: 8))
        #expect(repeated.sources == Array(repeating: one.sources, count: 8).flatMap { $0 })
        #expect(repeated.kept == String(repeating: one.kept, count: 8))
    }
}
