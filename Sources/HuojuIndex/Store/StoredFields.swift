import CZstd
import Synchronization

/// Layout of a `.sto` file (see docs/index-format.md):
///
///     header   u32 magic "HJST", u32 version, u32 dictionary length, dictionary bytes
///     blocks   zstd frames of runs of whole documents (about 16 KiB of raw data each)
///     index    per block: u64 offset, u32 compressed length, u32 raw length, u32 first doc;
///              then u32 block count
///     footer
///
/// A document is encoded as its fields in `IndexDocument` order: strings length-prefixed,
/// optionals behind a presence byte, integers as vints (+1, so 0 means absent).
enum StoredFieldsFormat {
    static let magic: UInt32 = 0x5453_4A48  // "HJST"
    /// 2: zstd blocks with an optional trained dictionary (1 was deflate).
    static let version: UInt32 = 2
    /// Each hit decompresses its whole block (unless the block cache holds it): 16 KiB of zstd
    /// decompress faster than 8 KiB of zlib did, and the dictionary more than wins back the
    /// ratio of larger blocks (on the generated 100 MB corpus: 0.48 of the raw size without
    /// it, 0.22 with it, 0.39 for 64 KiB blocks, 0.49 for zlib's 8 KiB).
    static let blockTarget = 16 << 10
    static let level: Int32 = 3
    /// A dictionary is trained on the first `trainingBytes` of documents once a segment holds
    /// that many; smaller segments (a new issue file) compress without one, since the
    /// dictionary would cost more than it saves.
    static let dictionarySize = 64 << 10
    static let trainingBytes = 4 << 20
    /// Training runs fastCover once with these (segment size 1 KiB, 8-byte d-mers) instead of
    /// `ZDICT_trainFromBuffer`'s search over segment sizes, which tries several dictionaries
    /// and compresses samples with each: 0.6–4 s per segment, for a ratio within a few percent.
    static let trainingSegment: UInt32 = 1024
    static let trainingDmer: UInt32 = 8
}

struct StoredFieldsWriter {
    private var writer = ByteWriter(capacity: 1 << 20)
    /// Encoded documents not yet compressed, and where each ends in `pending`.
    private var pending = ByteWriter(capacity: 1 << 16)
    private var ends: [Int] = []
    /// Documents before this one are compressed into blocks.
    private var pendingFirstDoc: UInt32 = 0
    private var index: [(offset: UInt64, compressed: UInt32, raw: UInt32, firstDoc: UInt32)] = []
    /// Set once the first block is written: with or without a dictionary, from then on.
    private var compressor: BlockCompressor?

    mutating func add(_ document: IndexDocument) {
        DocumentCodec.encode(document, into: &pending)
        finishDocument()
    }

    /// Adds a document exactly as another segment stored it (a merge copies without decoding).
    mutating func add(encoded: UnsafeRawBufferPointer) {
        pending.writeBytes(encoded)
        finishDocument()
    }

    private mutating func finishDocument() {
        ends.append(pending.count)
        if compressor == nil {
            if pending.count >= StoredFieldsFormat.trainingBytes { start(dictionary: train()) }
        } else if pending.count >= StoredFieldsFormat.blockTarget {
            flushBlocks()
        }
    }

    /// A dictionary trained on the pending documents, or empty when training fails (too few
    /// or too uniform samples).
    private func train() -> [UInt8] {
        var sizes: [Int] = []
        var previous = 0
        for end in ends { sizes.append(end - previous); previous = end }
        var dictionary = [UInt8](repeating: 0, count: StoredFieldsFormat.dictionarySize)
        var parameters = ZDICT_fastCover_params_t()
        parameters.k = StoredFieldsFormat.trainingSegment
        parameters.d = StoredFieldsFormat.trainingDmer
        parameters.zParams.compressionLevel = StoredFieldsFormat.level
        let length = pending.bytes.withUnsafeBytes { samples in
            dictionary.withUnsafeMutableBytes { out in
                ZDICT_trainFromBuffer_fastCover(out.baseAddress, out.count, samples.baseAddress, sizes, UInt32(sizes.count), parameters)
            }
        }
        guard ZDICT_isError(length) == 0 else { return [] }
        return Array(dictionary[0..<length])
    }

    /// Writes the header (with `dictionary`) and every pending block.
    private mutating func start(dictionary: [UInt8]) {
        writer.writeUInt32(StoredFieldsFormat.magic)
        writer.writeUInt32(StoredFieldsFormat.version)
        writer.writeUInt32(UInt32(dictionary.count))
        writer.writeBytes(dictionary)
        compressor = BlockCompressor(dictionary: dictionary)
        flushBlocks()
    }

    /// Compresses the pending documents into blocks of at least `blockTarget` raw bytes, each
    /// ending with a document; the rest stays pending, unless `all` (the last block is shorter).
    private mutating func flushBlocks(all: Bool = false) {
        var start = 0, first = 0  // where the next block starts: byte offset, index in `ends`
        for (i, end) in ends.enumerated() where end - start >= StoredFieldsFormat.blockTarget || (all && i == ends.count - 1) {
            writeBlock(start..<end, documents: i + 1 - first)
            start = end
            first = i + 1
        }
        guard first > 0 else { return }
        var rest = ByteWriter(capacity: max(1 << 16, pending.count - start))
        rest.writeBytes(pending.bytes[start...])
        pending = rest
        ends = ends[first...].map { $0 - start }
    }

    private mutating func writeBlock(_ range: Range<Int>, documents: Int) {
        let compressed = compressor!.compress(pending.bytes[range])
        index.append((UInt64(writer.count), UInt32(compressed.count), UInt32(range.count), pendingFirstDoc))
        writer.writeBytes(compressed)
        pendingFirstDoc += UInt32(documents)
    }

    consuming func finish() -> [UInt8] {
        if compressor == nil { start(dictionary: []) }
        flushBlocks(all: true)
        for entry in index {
            writer.writeUInt64(entry.offset)
            writer.writeUInt32(entry.compressed)
            writer.writeUInt32(entry.raw)
            writer.writeUInt32(entry.firstDoc)
        }
        writer.writeUInt32(UInt32(index.count))
        Footer.append(to: &writer)
        return writer.bytes
    }
}

/// One zstd compression context (and the segment's dictionary, when it has one), reused for
/// every block of a segment. Frames carry a checksum of their content (4 bytes), so damage
/// to a block is an error even where it would still decompress.
final class BlockCompressor {
    private let context: OpaquePointer
    private let dictionary: OpaquePointer?

    init(dictionary bytes: [UInt8]) {
        context = ZSTD_createCCtx()!
        dictionary = bytes.isEmpty ? nil : bytes.withUnsafeBytes { ZSTD_createCDict($0.baseAddress, $0.count, StoredFieldsFormat.level) }
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, StoredFieldsFormat.level)
        ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
        if let dictionary { ZSTD_CCtx_refCDict(context, dictionary) }
    }

    deinit {
        ZSTD_freeCCtx(context)
        if let dictionary { ZSTD_freeCDict(dictionary) }
    }

    func compress(_ raw: ArraySlice<UInt8>) -> [UInt8] {
        let bound = ZSTD_compressBound(raw.count)
        return [UInt8](unsafeUninitializedCapacity: bound) { out, count in
            count = raw.withUnsafeBytes { ZSTD_compress2(context, out.baseAddress, bound, $0.baseAddress, $0.count) }
            // Only a bad parameter or a destination below the bound fails: a bug, not bad data.
            precondition(ZSTD_isError(count) == 0, "zstd compression failed: \(String(cString: ZSTD_getErrorName(count)))")
        }
    }
}

/// The stored documents of one segment. Safe to share across threads.
final class StoredFields: Sendable {
    private nonisolated(unsafe) let payload: UnsafeRawBufferPointer
    private let file: String
    private let blockCount: Int
    private let blocksStart: Int
    private let indexStart: Int
    /// The segment's dictionary, digested once; nil when its blocks were compressed without one.
    private nonisolated(unsafe) let dictionary: OpaquePointer?
    private let cache: StoredBlockCache
    /// This segment's key in the block cache: unique per opened file, never reused.
    private let cacheKey = StoredBlockCache.newOwner()
    private static let entrySize = 20

    init(_ payload: UnsafeRawBufferPointer, file: String, cache: StoredBlockCache = .shared) throws(IndexError) {
        self.payload = payload
        self.file = file
        self.cache = cache
        var header = ByteReader(payload, file: file)
        guard try header.readUInt32() == StoredFieldsFormat.magic else { throw .corrupt(file: file, "not a stored-fields file") }
        let version = try header.readUInt32()
        guard version == StoredFieldsFormat.version else {
            throw .incompatible("stored fields \(file) have format version \(version), this build reads \(StoredFieldsFormat.version)")
        }
        let dictionaryBytes = try header.readBytes(Int(try header.readUInt32()))
        blocksStart = header.offset
        var tail = ByteReader(payload, offset: payload.count - 4, file: file)
        blockCount = Int(try tail.readUInt32())
        indexStart = payload.count - 4 - blockCount * Self.entrySize
        guard indexStart >= blocksStart else { throw .corrupt(file: file, "block index out of range") }
        if dictionaryBytes.isEmpty {
            dictionary = nil
        } else {
            guard let digested = ZSTD_createDDict(dictionaryBytes.baseAddress, dictionaryBytes.count) else {
                throw .corrupt(file: file, "compression dictionary unreadable")
            }
            dictionary = digested
        }
    }

    deinit {
        if let dictionary { ZSTD_freeDDict(dictionary) }
    }

    private typealias Block = (offset: Int, compressed: Int, raw: Int, firstDoc: UInt32)

    private func entry(_ i: Int) throws(IndexError) -> Block {
        var reader = ByteReader(payload, offset: indexStart + i * Self.entrySize, file: file)
        let offset = Int(clamping: try reader.readUInt64())
        let compressed = Int(try reader.readUInt32()), raw = Int(try reader.readUInt32())
        let firstDoc = try reader.readUInt32()
        // Subtractions, not sums: a damaged offset may be near Int.max. Every zstd block has a
        // 3-byte header and yields at most 128 KiB, which bounds what a damaged raw length may
        // make us allocate.
        guard offset >= blocksStart, offset <= indexStart, compressed <= indexStart - offset,
              raw <= (compressed / 3 + 1) * Int(ZSTD_BLOCKSIZE_MAX) else {
            throw .corrupt(file: file, "stored block out of range")
        }
        return (offset, compressed, raw, firstDoc)
    }

    /// Every document's encoded bytes, in doc id order, each block decompressed once (past
    /// the cache: a merge reads each block once).
    func forEachEncoded(_ body: (UInt32, UnsafeRawBufferPointer) throws(IndexError) -> Void) throws(IndexError) {
        var doc: UInt32 = 0
        for index in 0..<blockCount {
            let block = try entry(index)
            guard block.firstDoc == doc else { throw .corrupt(file: file, "stored blocks out of order") }
            let raw = try decompress(block)
            let result: Result<Void, IndexError> = raw.withUnsafeBytes { bytes in
                Result { () throws(IndexError) in
                    var reader = ByteReader(bytes, file: file)
                    while !reader.isAtEnd {
                        let start = reader.offset
                        try DocumentCodec.skip(&reader)
                        try body(doc, UnsafeRawBufferPointer(rebasing: bytes[start..<reader.offset]))
                        doc += 1
                    }
                }
            }
            try result.get()
        }
    }

    /// Decompresses into a buffer of exactly the recorded raw length: zstd never writes past
    /// it, and a block that does not fill it exactly is damaged.
    private func decompress(_ block: Block) throws(IndexError) -> [UInt8] {
        let source = payload.baseAddress!.advanced(by: block.offset)
        var failed = false
        let raw = [UInt8](unsafeUninitializedCapacity: block.raw) { out, count in
            let written = DecompressionContexts.shared.with { context in
                if let dictionary {
                    ZSTD_decompress_usingDDict(context, out.baseAddress, block.raw, source, block.compressed, dictionary)
                } else {
                    ZSTD_decompressDCtx(context, out.baseAddress, block.raw, source, block.compressed)
                }
            }
            failed = ZSTD_isError(written) != 0 || written != block.raw
            count = failed ? 0 : written
        }
        guard !failed else { throw .corrupt(file: file, "stored block does not decompress to its recorded length") }
        return raw
    }

    func document(_ doc: UInt32) throws(IndexError) -> IndexDocument {
        guard blockCount > 0 else { throw .corrupt(file: file, "no stored documents") }
        let low = try BlockSearch.last(count: blockCount) { block throws(IndexError) in try entry(block).firstDoc <= doc }
        let block = try entry(low)
        let raw: [UInt8]
        if let cached = cache.block(cacheKey, low) { raw = cached } else {
            raw = try decompress(block)
            cache.insert(cacheKey, low, raw)
        }
        let result: Result<IndexDocument, IndexError> = raw.withUnsafeBytes { bytes in
            var reader = ByteReader(bytes, file: file)
            var current = block.firstDoc
            do throws(IndexError) {
                // Step over the documents before the wanted one without building them.
                while current < doc {
                    try DocumentCodec.skip(&reader)
                    current += 1
                    if reader.isAtEnd { return .failure(.corrupt(file: file, "document \(doc) missing from its block")) }
                }
                return .success(try DocumentCodec.decode(&reader))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// Recently decompressed stored blocks, shared by every segment of the process, so that the
/// hits of one search (or of the next page) that share a block decompress it once. Holds at
/// most `capacity` bytes of raw blocks (1 MiB: about 60 blocks); the least recently used block
/// goes first. Blocks are arrays: a reader keeps its copy after eviction.
final class StoredBlockCache: Sendable {
    static let shared = StoredBlockCache(capacity: 1 << 20)
    private static let owners = Atomic<UInt64>(0)

    private struct Key: Hashable { var owner: UInt64; var block: Int }
    private struct State {
        var blocks: [Key: (raw: [UInt8], used: UInt64)] = [:]
        var bytes = 0
        var clock: UInt64 = 0
        var misses = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) { self.capacity = capacity }

    /// A key no other opened file has had (an object address could be reused).
    static func newOwner() -> UInt64 { owners.add(1, ordering: .relaxed).newValue }

    func block(_ owner: UInt64, _ block: Int) -> [UInt8]? {
        state.withLock { state in
            let key = Key(owner: owner, block: block)
            guard let raw = state.blocks[key]?.raw else {
                state.misses += 1
                return nil
            }
            state.clock += 1
            state.blocks[key]!.used = state.clock
            return raw
        }
    }

    func insert(_ owner: UInt64, _ block: Int, _ raw: [UInt8]) {
        guard raw.count <= capacity else { return }
        state.withLock { state in
            let key = Key(owner: owner, block: block)
            guard state.blocks[key] == nil else { return }
            // A linear scan per eviction: the cache holds a few dozen blocks.
            while state.bytes + raw.count > capacity, let oldest = state.blocks.min(by: { $0.value.used < $1.value.used }) {
                state.bytes -= oldest.value.raw.count
                state.blocks[oldest.key] = nil
            }
            state.clock += 1
            state.blocks[key] = (raw, state.clock)
            state.bytes += raw.count
        }
    }

    var byteCount: Int { state.withLock { $0.bytes } }
    /// Lookups that found no block (each is followed by a decompression).
    var misses: Int { state.withLock { $0.misses } }
}

/// Decompression contexts kept for reuse: creating one per hit costs about as much as
/// decompressing a small block. One per thread decompressing at the same time.
final class DecompressionContexts: Sendable {
    static let shared = DecompressionContexts()
    /// Idle contexts, as addresses (a pointer is not Sendable).
    private let idle = Mutex<[UInt]>([])

    func with<T>(_ body: (OpaquePointer) -> T) -> T {
        let context = idle.withLock { $0.popLast() }.flatMap { OpaquePointer(bitPattern: $0) } ?? ZSTD_createDCtx()!
        defer { idle.withLock { $0.append(UInt(bitPattern: Int(bitPattern: context))) } }
        return body(context)
    }
}

enum DocumentCodec {
    static func encode(_ document: IndexDocument, into writer: inout ByteWriter) {
        writer.writeString(document.path)
        writer.writeVInt(document.ordinal)
        writer.writeString(document.title)
        for optional in [document.section, document.source, document.byline] { writeOptional(optional, &writer) }
        writer.writeString(document.body)
        for number in [document.issueYear, document.issueNumber, document.issueCumulative] { writer.writeVInt(number.map { $0 + 1 } ?? 0) }
        writeOptional(document.date, &writer)
        writer.writeVInt(document.zones.count)
        for zone in document.zones {
            writer.writeString(zone.zone)
            writer.writeVInt(zone.mentions)
        }
        writeOptional(document.primaryZone, &writer)
    }

    static func decode(_ reader: inout ByteReader) throws(IndexError) -> IndexDocument {
        let path = try reader.readString()
        let ordinal = try reader.readInt()
        let title = try reader.readString()
        let section = try readOptional(&reader), source = try readOptional(&reader), byline = try readOptional(&reader)
        let body = try reader.readString()
        let year = try readNumber(&reader), number = try readNumber(&reader), cumulative = try readNumber(&reader)
        let date = try readOptional(&reader)
        let zoneCount = try reader.readInt()
        var zones: [ZoneCount] = []
        for _ in 0..<min(zoneCount, 10_000) { zones.append(ZoneCount(zone: try reader.readString(), mentions: try reader.readInt())) }
        let primaryZone = try readOptional(&reader)
        return IndexDocument(path: path, ordinal: ordinal, title: title, section: section, source: source, byline: byline,
                             body: body, issueYear: year, issueNumber: number, issueCumulative: cumulative, date: date,
                             zones: zones, primaryZone: primaryZone)
    }

    /// Advances past one encoded document (same layout as `decode`).
    static func skip(_ reader: inout ByteReader) throws(IndexError) {
        func string() throws(IndexError) { _ = try reader.readBytes(try reader.readInt()) }
        func optional() throws(IndexError) { if try reader.readVInt() != 0 { try string() } }
        try string()                                    // path
        _ = try reader.readVInt()                       // ordinal
        try string()                                    // title
        for _ in 0..<3 { try optional() }               // section, source, byline
        try string()                                    // body
        for _ in 0..<3 { _ = try reader.readVInt() }    // year, number, cumulative
        try optional()                                  // date
        for _ in 0..<min(try reader.readInt(), 10_000) { try string(); _ = try reader.readVInt() }  // zones, mentions
        try optional()                                  // primary zone
    }

    private static func writeOptional(_ value: String?, _ writer: inout ByteWriter) {
        if let value { writer.writeVInt(1); writer.writeString(value) } else { writer.writeVInt(0) }
    }

    private static func readOptional(_ reader: inout ByteReader) throws(IndexError) -> String? {
        try reader.readVInt() == 0 ? nil : try reader.readString()
    }

    private static func readNumber(_ reader: inout ByteReader) throws(IndexError) -> Int? {
        let value = try reader.readInt()
        return value == 0 ? nil : value - 1
    }
}
