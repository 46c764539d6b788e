import CZlib

/// Every index file ends with a footer: the CRC-32 of all bytes before it, then the magic.
/// Opening a segment checks the magic (`payload`); `verify` checks the CRC, so a flipped byte
/// anywhere is caught and named (by `huojud verify`, before a merge, and when a small file
/// such as a deletion file is read whole).
enum Footer {
    static let magic: UInt32 = 0x4A48_4654  // "TFHJ"
    static let size = 8

    static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt = CZlib.crc32(0, nil, 0)
        var offset = 0
        // zlib takes a 32-bit length.
        while offset < bytes.count {
            let length = min(bytes.count - offset, 1 << 30)
            crc = CZlib.crc32(crc, bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self), uInt(length))
            offset += length
        }
        return UInt32(crc)
    }

    static func append(to writer: inout ByteWriter) {
        let crc = writer.bytes.withUnsafeBytes { crc32($0) }
        writer.writeUInt32(crc)
        writer.writeUInt32(magic)
    }

    /// Returns the payload (the bytes before the footer) after checking the footer's magic:
    /// a truncated or foreign file is caught without reading the payload.
    static func payload(_ bytes: UnsafeRawBufferPointer, file: String) throws(IndexError) -> UnsafeRawBufferPointer {
        guard bytes.count >= size else { throw .corrupt(file: file, "shorter than its footer") }
        var reader = ByteReader(bytes, offset: bytes.count - 4, file: file)
        guard try reader.readUInt32() == magic else { throw .corrupt(file: file, "footer magic missing (truncated or not an index file)") }
        return UnsafeRawBufferPointer(rebasing: bytes[0..<(bytes.count - size)])
    }

    /// Returns the payload (the bytes before the footer) after checking the footer and the CRC.
    static func verify(_ bytes: UnsafeRawBufferPointer, file: String) throws(IndexError) -> UnsafeRawBufferPointer {
        guard bytes.count >= size else { throw .corrupt(file: file, "shorter than its footer") }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[0..<(bytes.count - size)])
        var reader = ByteReader(bytes, offset: bytes.count - size, file: file)
        let stored = try reader.readUInt32()
        guard try reader.readUInt32() == magic else { throw .corrupt(file: file, "footer magic missing (truncated or not an index file)") }
        let actual = crc32(payload)
        guard stored == actual else {
            throw .corrupt(file: file, "checksum mismatch (stored \(String(stored, radix: 16)), computed \(String(actual, radix: 16)))")
        }
        return payload
    }
}
