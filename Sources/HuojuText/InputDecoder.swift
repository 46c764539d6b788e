import CICU

/// Turns the raw bytes of an archive file into text, or says clearly why it cannot.
///
/// Order of trust: a byte-order mark; valid UTF-8 (by far the most common); strict GB18030
/// (a superset of GBK and GB2312, the usual legacy encoding of Chinese text files); then ICU's
/// charset detector. Every conversion is strict: a wrong guess fails instead of producing
/// mojibake that would be indexed silently. Line ends are normalized to `\n`.
public enum InputDecoder {
    public struct Decoded: Sendable, Equatable {
        public var text: String
        /// The encoding the bytes were read as, e.g. "UTF-8", "UTF-16LE", "GB18030".
        public var encoding: String
    }

    public enum Failure: Error, Equatable, CustomStringConvertible, Sendable {
        case binary(String)
        case undecodable(String)

        public var description: String {
            switch self {
            case .binary(let why): "binary file: \(why)"
            case .undecodable(let why): "cannot decode text: \(why)"
            }
        }
    }

    public static func decode(_ bytes: [UInt8]) throws(Failure) -> Decoded {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            guard let text = validUTF8(bytes[3...]) else {
                throw .undecodable("UTF-8 byte-order mark, but invalid UTF-8 follows")
            }
            return try checked(Decoded(text: text, encoding: "UTF-8"))
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let encoding = bytes[0] == 0xFF ? "UTF-16LE" : "UTF-16BE"
            guard let text = convert(bytes[2...], from: encoding) else {
                throw .undecodable("\(encoding) byte-order mark, but invalid \(encoding) follows")
            }
            return try checked(Decoded(text: text, encoding: encoding))
        }
        if !bytes.contains(0), let text = validUTF8(bytes[...]) {
            return try checked(Decoded(text: text, encoding: "UTF-8"))
        }
        if !bytes.contains(0), let text = convert(bytes[...], from: "GB18030") {
            return try checked(Decoded(text: text, encoding: "GB18030"))
        }
        if let guess = detect(bytes), let text = convert(bytes[...], from: guess) {
            return try checked(Decoded(text: text, encoding: guess))
        }
        if bytes.contains(0) {
            throw .binary("contains NUL bytes and is not UTF-16 text")
        }
        throw .undecodable("not UTF-8, GB18030 or any charset ICU recognises")
    }

    /// Rejects text that decoded but is mostly control characters (a binary file that happens
    /// to be valid in some charset), and normalizes line ends.
    private static func checked(_ decoded: Decoded) throws(Failure) -> Decoded {
        var controls = 0
        var total = 0
        for scalar in decoded.text.unicodeScalars.prefix(65_536) {
            total += 1
            switch scalar.value {
            case 0x09, 0x0A, 0x0C, 0x0D: break
            case 0x00..<0x20, 0x7F: controls += 1
            default: break
            }
        }
        if total > 0, controls * 100 > total {
            throw .binary("\(controls) control characters in the first \(total) characters")
        }
        var result = decoded
        if result.text.utf8.contains(0x0D) {
            result.text = result.text.replacing("\r\n", with: "\n").replacing("\r", with: "\n")
        }
        return result
    }

    private static func validUTF8(_ bytes: ArraySlice<UInt8>) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    private static func convert(_ bytes: ArraySlice<UInt8>, from charset: String) -> String? {
        bytes.withUnsafeBufferPointer { input in
            var badOffset: Int32 = -1
            return ICU.fillUTF8(initialCapacity: input.count * 2 + 16) { out, cap in
                input.withMemoryRebound(to: CChar.self) { chars in
                    hj_convert_to_utf8(charset, chars.baseAddress, Int32(chars.count), out, cap, &badOffset)
                }
            }
        }
    }

    private static func detect(_ bytes: [UInt8]) -> String? {
        var name = [CChar](repeating: 0, count: 64)
        let confidence = bytes.withUnsafeBufferPointer { input in
            input.withMemoryRebound(to: CChar.self) {
                hj_detect_charset($0.baseAddress, Int32($0.count), &name, Int32(name.count))
            }
        }
        guard confidence >= 10 else { return nil }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
