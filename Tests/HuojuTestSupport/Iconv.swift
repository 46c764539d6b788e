import Glibc

/// Encodes UTF-8 text with glibc's iconv: an encoder independent of ICU, so the decoder is
/// checked against something it does not share code with.
public func iconvEncode(_ text: String, to charset: String) -> [UInt8] {
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
