/// Blocks of unsigned integers packed at one bit width, the widest value's (as Lucene's
/// `ForUtil` and Tantivy's `BitPacker` without SIMD): a full postings block of 128 doc deltas
/// of a common term takes a few bits each instead of a byte or more as variable-length ints.
///
///     u8 width (0…32), then ceil(count × width / 8) bytes: value i in bits
///     [i × width, (i + 1) × width), least significant bit first
///
/// The count is never stored: the reader knows it (a full block, or a term's statistics).
enum BitPacking {
    /// Bits needed for the largest of `values` (0 when all are zero).
    @inline(__always)
    static func width(_ values: UnsafeBufferPointer<UInt32>) -> Int {
        var any: UInt32 = 0
        for value in values { any |= value }
        return UInt32.bitWidth - any.leadingZeroBitCount
    }

    static func byteCount(count: Int, width: Int) -> Int { (count * width + 7) / 8 }

    /// Appends `values` packed at their width.
    static func pack(_ values: UnsafeBufferPointer<UInt32>, into writer: inout ByteWriter) {
        let width = self.width(values)
        writer.writeBytes(CollectionOfOne(UInt8(width)))
        guard width > 0 else { return }
        var accumulator: UInt64 = 0
        var bits = 0
        for value in values {
            accumulator |= UInt64(value) << UInt64(bits)
            bits += width
            while bits >= 8 {
                writer.writeBytes(CollectionOfOne(UInt8(truncatingIfNeeded: accumulator)))
                accumulator >>= 8
                bits -= 8
            }
        }
        if bits > 0 { writer.writeBytes(CollectionOfOne(UInt8(truncatingIfNeeded: accumulator))) }
    }

    /// Decodes `count` values packed at `offset` into `output`; returns the offset after them.
    /// A width above 32 or a block past `end` is damage, reported against `file`.
    @inline(__always)
    static func unpack(_ bytes: UnsafeRawBufferPointer, at offset: Int, end: Int, count: Int,
                       into output: UnsafeMutablePointer<UInt32>, file: String) throws(IndexError) -> Int {
        guard offset < end else { throw .corrupt(file: file, "packed block past the end of the file") }
        let width = Int(bytes[offset])
        guard width <= 32 else { throw .corrupt(file: file, "packed block of width \(width)") }
        let start = offset + 1
        let size = byteCount(count: count, width: width)
        guard size <= end - start else { throw .corrupt(file: file, "packed block past the end of the file") }
        guard width > 0 else {
            output.update(repeating: 0, count: count)
            return start
        }
        let mask = UInt64.max >> UInt64(64 - width)
        let base = bytes.baseAddress! + start
        if end - start >= size + 8 {
            // Fast path: whole 8-byte loads, which stay inside the buffer with room to spare.
            var bit = 0
            for i in 0..<count {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
                output[i] = UInt32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask)
                bit += width
            }
        } else {
            var accumulator: UInt64 = 0
            var bits = 0
            var cursor = 0
            for i in 0..<count {
                while bits < width {
                    accumulator |= UInt64(base.load(fromByteOffset: cursor, as: UInt8.self)) << UInt64(bits)
                    cursor += 1
                    bits += 8
                }
                output[i] = UInt32(truncatingIfNeeded: accumulator & mask)
                accumulator >>= UInt64(width)
                bits -= width
            }
        }
        return start + size
    }
}
