import HuojuTestSupport
import Testing
@testable import HuojuText

/// The index path (`Analyzer.index(folded:into:)`, integers and bytes) must hand over exactly
/// the tokens the query path (`analyze`) lists, in the same order, and the same length.
@Suite struct IndexPathTests {
    private struct Recorder: TokenSink {
        var tokens: [Token] = []
        mutating func unigram(_ scalar: UInt32, at position: Int32) {
            tokens.append(Token(.gram, String(Unicode.Scalar(scalar)!), at: position))
        }
        mutating func bigram(_ first: UInt32, _ second: UInt32, at position: Int32) {
            tokens.append(Token(.gram, String(Unicode.Scalar(first)!) + String(Unicode.Scalar(second)!), at: position))
        }
        mutating func word(_ utf8: UnsafeBufferPointer<UInt8>, at position: Int32) {
            tokens.append(Token(.word, String(decoding: utf8, as: UTF8.self), at: position))
        }
        /// Latin units are words of the query path too; `latinUnits` checks they come this way.
        mutating func latin(_ utf8: UnsafeBufferPointer<UInt8>, at position: Int32) {
            word(utf8, at: position)
            latinUnits.append(String(decoding: utf8, as: UTF8.self))
        }
        var latinUnits: [String] = []
    }

    @Test func indexPathHandsOverTheQueryPathsTokens() throws {
        let analyzer = Analyzer()
        var texts = ["", "  ", "石嘴山高新区", "科研助理 5G、3.2 亿元 Huoju's ＡＢＣ 臺灣 𠀀𠀁 ﾊﾟ e\u{301}"]
        for (_, text) in try SharedCorpus.texts() { texts += text.split(separator: "\n").map(String.init) + [text] }
        for text in texts {
            let analysis = analyzer.analyze(text)
            var folded = Folder.shared.fold(text).text
            var recorder = Recorder()
            let length = folded.withUTF8 { analyzer.index(folded: $0, into: &recorder) }
            #expect(recorder.tokens == analysis.tokens)
            #expect(length == analysis.length)
            // Latin units, and nothing else, are handed over as such (the index keeps their positions).
            #expect(recorder.latinUnits == analysis.units.compactMap { $0 }.filter { !$0.isCJK }.map { String($0.text) })
        }
    }
}
