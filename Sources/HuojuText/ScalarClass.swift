/// Character classes the hot loops need, looked up in BMP bitmaps built once: Swift's Unicode
/// property queries cost tens of nanoseconds each, which dominated indexing.
public enum ScalarClass {
    /// Ideographs (`Ideographic` property).
    @inline(__always)
    public static func isIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        lookup(ideographs, scalar) { $0.properties.isIdeographic }
    }

    /// CJK units of the analyzer: ideographs and kana.
    @inline(__always)
    public static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        lookup(cjk, scalar) { $0.properties.isIdeographic }
    }

    /// Letters and digits outside CJK: what Latin words and numbers are made of.
    @inline(__always)
    public static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        lookup(word, scalar) { !$0.properties.isIdeographic && ($0.properties.isAlphabetic || $0.properties.numericType != nil) }
    }

    @inline(__always)
    public static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        lookup(digits, scalar) { $0.properties.numericType != nil }
    }

    /// `isCJK` on a scalar value (valid UTF-8 decoded by hand in the analyzer's loop).
    @inline(__always)
    static func isCJK(value: UInt32) -> Bool {
        value < 0x1_0000 ? cjk[Int(value >> 6)] & (1 << UInt64(value & 63)) != 0 : isCJK(Unicode.Scalar(value)!)
    }

    @inline(__always)
    static func isWordCharacter(value: UInt32) -> Bool {
        value < 0x1_0000 ? word[Int(value >> 6)] & (1 << UInt64(value & 63)) != 0 : isWordCharacter(Unicode.Scalar(value)!)
    }

    @inline(__always)
    private static func lookup(_ bits: [UInt64], _ scalar: Unicode.Scalar, beyondBMP: (Unicode.Scalar) -> Bool) -> Bool {
        let value = scalar.value
        guard value < 0x1_0000 else { return beyondBMP(scalar) }
        return bits[Int(value >> 6)] & (1 << UInt64(value & 63)) != 0
    }

    private static func bitmap(_ member: (Unicode.Scalar) -> Bool) -> [UInt64] {
        var bits = [UInt64](repeating: 0, count: 0x1_0000 / 64)
        for value in UInt32(0)..<0x1_0000 {
            guard let scalar = Unicode.Scalar(value), member(scalar) else { continue }
            bits[Int(value >> 6)] |= 1 << UInt64(value & 63)
        }
        return bits
    }

    private static let ideographs = bitmap { $0.properties.isIdeographic }
    private static let cjk = bitmap { (0x3040...0x30FF).contains($0.value) || (0x31F0...0x31FF).contains($0.value) || $0.properties.isIdeographic }
    private static let word = bitmap { !$0.properties.isIdeographic && !(0x3040...0x30FF).contains($0.value) && ($0.properties.isAlphabetic || $0.properties.numericType != nil) }
    private static let digits = bitmap { $0.properties.numericType != nil }
}
