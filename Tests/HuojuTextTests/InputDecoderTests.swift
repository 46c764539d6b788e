import Glibc
import HuojuParser
import HuojuTestSupport
import Testing
@testable import HuojuText

@Suite struct InputDecoderTests {
    let sample = "火炬动态\r\n2022年第13期(总第542期)\r\n苏州高新区:千名应届毕业生签约科研助理岗。R&D 5G ５Ｇ 𠀀\n"
    var normalized: String { sample.replacing("\r\n", with: "\n") }

    @Test func utf8WithAndWithoutBOM() throws {
        #expect(try InputDecoder.decode(Array(sample.utf8)).text == normalized)
        let decoded = try InputDecoder.decode([0xEF, 0xBB, 0xBF] + Array(sample.utf8))
        #expect(decoded.text == normalized)
        #expect(decoded.encoding == "UTF-8")
    }

    @Test func utf16WithBOM() throws {
        let little = try InputDecoder.decode(iconvEncode(sample, to: "UTF-16LE").withBOM([0xFF, 0xFE]))
        #expect(little.text == normalized)
        #expect(little.encoding == "UTF-16LE")
        let big = try InputDecoder.decode(iconvEncode(sample, to: "UTF-16BE").withBOM([0xFE, 0xFF]))
        #expect(big.text == normalized)
    }

    @Test func gb18030AndGBK() throws {
        let decoded = try InputDecoder.decode(iconvEncode(sample, to: "GB18030"))
        #expect(decoded.text == normalized)
        #expect(decoded.encoding == "GB18030")
        let gbkText = "科技部火炬中心召开新升级国家高新区工作协调会。"
        #expect(try InputDecoder.decode(iconvEncode(gbkText, to: "GBK")).text == gbkText)
    }

    @Test func binaryIsRejectedWithAReason() {
        var bytes: [UInt8] = Array("\u{7F}ELF".utf8) + [0, 0, 1, 2, 3, 0xFF, 0xFE, 0x00, 0x10]
        for i in 0..<2000 { bytes.append(UInt8(truncatingIfNeeded: i &* 7919)) }
        #expect(throws: InputDecoder.Failure.self) { try InputDecoder.decode(bytes) }
        do {
            _ = try InputDecoder.decode(bytes)
        } catch {
            #expect(error.description.contains("binary") || error.description.contains("decode"))
        }
    }

    @Test func truncatedUTF16IsUndecodable() {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x6B, 0x70, 0x00, 0xD8]  // lone high surrogate
        #expect(throws: InputDecoder.Failure.self) { try InputDecoder.decode(bytes) }
    }

    @Test func emptyFileIsEmptyText() throws {
        #expect(try InputDecoder.decode([]).text == "")
    }
}

extension Array where Element == UInt8 {
    func withBOM(_ bom: [UInt8]) -> [UInt8] { bom + self }
}

@Suite struct EncodedSampleTests {
    /// GB18030 and UTF-16 copies of every real sample issue decode to the same text, so they
    /// parse to the same articles as the UTF-8 original.
    @Test func encodedCopiesParseToTheSameArticles() throws {
        for (name, text) in try SharedCorpus.texts() {
            let original = IssueParser.parse(try InputDecoder.decode(Array(text.utf8)).text)
            #expect(!original.articles.isEmpty)
            for (charset, bom) in [("GB18030", [UInt8]()), ("UTF-16LE", [0xFF, 0xFE]), ("UTF-16BE", [0xFE, 0xFF])] {
                let decoded = try InputDecoder.decode(bom + iconvEncode(text, to: charset))
                #expect(decoded.encoding == charset, "\(name) as \(charset) read as \(decoded.encoding)")
                let parsed = IssueParser.parse(decoded.text)
                #expect(parsed.articles == original.articles, "\(name) as \(charset)")
                #expect(parsed.issue == original.issue)
            }
        }
    }
}
