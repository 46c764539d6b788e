import Glibc
import Testing
@testable import HuojuText

/// Encodes UTF-8 text with glibc's iconv: an encoder independent of ICU, so the decoder is
/// checked against something it does not share code with.
func iconvEncode(_ text: String, to charset: String) -> [UInt8] {
    let converter = iconv_open(charset, "UTF-8")
    precondition(converter != iconv_t(bitPattern: -1), "iconv cannot encode \(charset)")
    defer { iconv_close(converter) }
    var input = Array(text.utf8).map { CChar(bitPattern: $0) }
    var output = [CChar](repeating: 0, count: input.count * 4 + 16)
    let written: Int = input.withUnsafeMutableBufferPointer { inBuffer in
        output.withUnsafeMutableBufferPointer { outBuffer in
            var inPointer: UnsafeMutablePointer<CChar>? = inBuffer.baseAddress
            var inLeft = inBuffer.count
            var outPointer: UnsafeMutablePointer<CChar>? = outBuffer.baseAddress
            var outLeft = outBuffer.count
            let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
            precondition(result != -1, "iconv failed")
            return outBuffer.count - outLeft
        }
    }
    return output[0..<written].map { UInt8(bitPattern: $0) }
}

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
