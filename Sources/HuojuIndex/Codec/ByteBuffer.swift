/// Growable output buffer with the index's primitive encodings.
///
/// Variable-byte integers: 7 bits per byte, low bits first, high bit set on every byte but
/// the last (the same VInt as Lucene's). Fixed-width integers are little-endian.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public var count: Int { bytes.count }

    @inline(__always)
    public mutating func writeVInt(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    @inline(__always)
    public mutating func writeVInt(_ value: Int) { writeVInt(UInt64(value)) }

    public mutating func writeUInt32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func writeUInt64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func writeBytes<C: Collection>(_ data: C) where C.Element == UInt8 {
        bytes.append(contentsOf: data)
    }

    /// Length-prefixed bytes.
    public mutating func writeString(_ string: String) {
        writeVInt(string.utf8.count)
        bytes.append(contentsOf: string.utf8)
    }

    public mutating func removeAll(keepingCapacity: Bool = true) { bytes.removeAll(keepingCapacity: keepingCapacity) }
}

/// Reads the encodings of `ByteWriter` from a buffer it does not own (usually a mapped file).
///
/// Every read is bounds-checked and throws `IndexError.corrupt` past the end: damaged files
/// must produce errors, never crashes.
public struct ByteReader {
    public let base: UnsafeRawBufferPointer
    public var offset: Int
    public let end: Int
    let file: String

    public init(_ base: UnsafeRawBufferPointer, offset: Int = 0, end: Int? = nil, file: String) {
        self.base = base
        self.offset = offset
        self.end = min(end ?? base.count, base.count)
        self.file = file
    }

    public var isAtEnd: Bool { offset >= end }

    @inline(__always)
    public mutating func readVInt() throws(IndexError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end, shift < 64 else { throw .corrupt(file: file, "truncated or overlong variable-length integer at byte \(offset)") }
            let byte = base[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    @inline(__always)
    public mutating func readInt() throws(IndexError) -> Int {
        let value = try readVInt()
        guard value <= UInt64(Int32.max) * 4096 else { throw .corrupt(file: file, "implausible value \(value) at byte \(offset)") }
        return Int(value)
    }

    public mutating func readUInt32() throws(IndexError) -> UInt32 {
        guard offset + 4 <= end else { throw .corrupt(file: file, "truncated at byte \(offset)") }
        let value = base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        offset += 4
        return UInt32(littleEndian: value)
    }

    public mutating func readUInt64() throws(IndexError) -> UInt64 {
        guard offset + 8 <= end else { throw .corrupt(file: file, "truncated at byte \(offset)") }
        let value = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        offset += 8
        return UInt64(littleEndian: value)
    }

    public mutating func readBytes(_ count: Int) throws(IndexError) -> UnsafeRawBufferPointer {
        guard count >= 0, offset + count <= end else { throw .corrupt(file: file, "truncated at byte \(offset)") }
        let slice = UnsafeRawBufferPointer(rebasing: base[offset..<(offset + count)])
        offset += count
        return slice
    }

    public mutating func readString() throws(IndexError) -> String {
        let count = try readInt()
        return String(decoding: try readBytes(count), as: UTF8.self)
    }
}

public enum IndexError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file's bytes are not what was written: checksum mismatch, truncation, bad structure.
    case corrupt(file: String, String)
    /// The index was written by another format or analyzer version.
    case incompatible(String)
    /// No index at the path.
    case missing(String)
    case io(String)

    /// What went wrong, without a remedy: what to run depends on who reports it (`huojud index`
    /// offline, `huojud serve`, the client through the daemon), so each adds its own.
    public var description: String {
        switch self {
        case .corrupt(let file, let why): "index file \(file) is damaged: \(why)"
        case .incompatible(let why), .missing(let why), .io(let why): why
        }
    }

    /// True when building the index anew is the cure: it is damaged or another version wrote it.
    public var needsRebuild: Bool {
        switch self {
        case .corrupt, .incompatible: true
        case .missing, .io: false
        }
    }
}
