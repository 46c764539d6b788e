/// The deleted documents of one segment at one commit: a bitset over its doc ids.
///
/// Segments never change after they are written, so deletes live beside them in a `.del` file
/// named after the segment and the commit generation (`seg-00000012.g000034.del`). A commit
/// that deletes more documents of a segment writes a new file holding all of its deletes;
/// the old file goes with the old manifest.
///
///     u32 magic "HJDL", u32 docCount, u32 deleted count
///     ceil(docCount / 8) bytes: bit (doc % 8) of byte (doc / 8) set = deleted
///     footer
public struct DeletedDocs: Sendable, Equatable {
    static let magic: UInt32 = 0x4C44_4A48  // "HJDL"

    public let docCount: Int
    public private(set) var count = 0
    private var bits: [UInt8]

    public init(docCount: Int) {
        self.docCount = docCount
        bits = [UInt8](repeating: 0, count: (docCount + 7) / 8)
    }

    @inline(__always)
    public func contains(_ doc: UInt32) -> Bool {
        Int(doc) < docCount && bits[Int(doc >> 3)] & (1 << (doc & 7)) != 0
    }

    public mutating func insert(_ doc: UInt32) {
        precondition(Int(doc) < docCount, "document \(doc) beyond the segment")
        guard !contains(doc) else { return }
        bits[Int(doc >> 3)] |= 1 << (doc & 7)
        count += 1
    }

    public mutating func insert(_ docs: Range<Int>) {
        for doc in docs { insert(UInt32(doc)) }
    }

    /// Documents deleted here but not in `other`.
    public func subtracting(_ other: DeletedDocs?) -> [UInt32] {
        (0..<UInt32(docCount)).filter { contains($0) && !(other?.contains($0) ?? false) }
    }

    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: bits.count + 20)
        writer.writeUInt32(Self.magic)
        writer.writeUInt32(UInt32(docCount))
        writer.writeUInt32(UInt32(count))
        writer.writeBytes(bits[...])
        Footer.append(to: &writer)
        return writer.bytes
    }

    /// Reads and checks a `.del` file against the segment it belongs to.
    static func read(directory: String, info: DeletesInfo, docCount: Int) throws(IndexError) -> DeletedDocs {
        let bytes = try FileIO.readAll(directory + "/" + info.file)
        guard bytes.count == info.bytes else {
            throw .corrupt(file: info.file, "size \(bytes.count) bytes, the manifest says \(info.bytes)")
        }
        let result: Result<DeletedDocs, IndexError> = bytes.withUnsafeBytes { raw in Result { () throws(IndexError) -> DeletedDocs in
            let payload = try Footer.verify(raw, file: info.file)
            var reader = ByteReader(payload, file: info.file)
            guard try reader.readUInt32() == magic else { throw .corrupt(file: info.file, "not a deletion file") }
            guard Int(try reader.readUInt32()) == docCount else {
                throw .corrupt(file: info.file, "does not match its segment's \(docCount) documents")
            }
            let stored = Int(try reader.readUInt32())
            var docs = DeletedDocs(docCount: docCount)
            let bits = try reader.readBytes(docs.bits.count)
            guard reader.isAtEnd else { throw .corrupt(file: info.file, "trailing bytes") }
            docs.bits = Array(bits)
            docs.count = docs.bits.reduce(0) { $0 + $1.nonzeroBitCount }
            guard docs.count == stored, stored == info.count, docCount % 8 == 0 || docs.bits.last! >> (docCount % 8) == 0 else {
                throw .corrupt(file: info.file, "deleted count does not match its bits or the manifest")
            }
            return docs
        } }
        return try result.get()
    }

    static func fileName(segment: String, generation: Int) -> String {
        "\(segment).g\(String(format: "%06d", generation)).del"
    }
}
