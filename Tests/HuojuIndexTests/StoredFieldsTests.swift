import Foundation
import Testing
@testable import HuojuIndex

/// Stored documents come back as they were written, with and without a trained dictionary;
/// damage to a compressed block is an error naming the file; the block cache stays bounded.
@Suite struct StoredFieldsTests {
    /// `count` documents of text drawn from a small vocabulary (compressible, like articles).
    static func documents(_ count: Int) -> [IndexDocument] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func pick(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        let words = (0..<3000).map { i in String(String.UnicodeScalarView([0x4E00 + i * 7 % 0x5000, 0x4E00 + (i * 13 + 1) % 0x5000, 0x5E00 + i % 97].map { Unicode.Scalar(UInt32($0))! })) }
        return (0..<count).map { i in
            IndexDocument(path: "/corpus/\(i / 10).txt", ordinal: i % 10, title: (0..<4).map { _ in words[pick(words.count)] }.joined(),
                          section: i % 3 == 0 ? "【园区动态】" : nil, source: i % 4 == 0 ? "科技部火炬中心" : nil, byline: nil,
                          body: (0..<(50 + pick(400))).map { _ in words[pick(words.count)] }.joined(separator: i % 5 == 0 ? "，" : ""),
                          issueYear: 2020 + i % 4, issueNumber: 1 + i % 24, issueCumulative: nil, date: "2022-05-0\(1 + i % 9)",
                          zones: i % 2 == 0 ? [ZoneCount(zone: "中关村", mentions: 1 + i % 3)] : [], primaryZone: i % 6 == 0 ? "中关村" : nil)
        }
    }

    static func write(_ documents: [IndexDocument]) -> [UInt8] {
        var writer = StoredFieldsWriter()
        for document in documents { writer.add(document) }
        return writer.finish()
    }

    /// Opens the file's payload (the bytes before the footer) with its own cache.
    static func withStored<T>(_ file: [UInt8], cache: StoredBlockCache = StoredBlockCache(capacity: 1 << 20),
                              _ body: (StoredFields) throws -> T) throws -> T {
        try file.withUnsafeBytes { bytes in
            let payload = try Footer.verify(bytes, file: "seg-00000007.sto")
            return try body(try StoredFields(payload, file: "seg-00000007.sto", cache: cache))
        }
    }

    static func u32(_ file: [UInt8], _ at: Int) -> Int {
        Int(file[at]) | Int(file[at + 1]) << 8 | Int(file[at + 2]) << 16 | Int(file[at + 3]) << 24
    }

    static func dictionaryLength(_ file: [UInt8]) -> Int { u32(file, 8) }

    /// The block index, read from the file's tail: where each entry is, and the block's
    /// offset, compressed length and first document.
    static func blocks(_ file: [UInt8]) -> [(entry: Int, offset: Int, compressed: Int, firstDoc: Int)] {
        let count = u32(file, file.count - 12)
        let start = file.count - 12 - count * 20
        return (0..<count).map { i in
            let entry = start + i * 20
            return (entry, u32(file, entry), u32(file, entry + 8), u32(file, entry + 16))
        }
    }

    @Test(arguments: [300, 2500])
    func documentsComeBackAsWrittenAndAMergeCopyWritesTheSameBytes(count: Int) throws {
        let documents = Self.documents(count)
        let file = Self.write(documents)
        // 300 documents are far below the 4 MiB a dictionary is trained on; 2500 are past it.
        let raw = documents.reduce(0) { total, document in
            var encoded = ByteWriter()
            DocumentCodec.encode(document, into: &encoded)
            return total + encoded.count
        }
        #expect((Self.dictionaryLength(file) > 0) == (raw >= StoredFieldsFormat.trainingBytes), "raw \(raw)")
        var copy = StoredFieldsWriter()
        try Self.withStored(file) { stored throws in
            for doc in stride(from: 0, to: count, by: 7) { #expect(try stored.document(UInt32(doc)) == documents[doc]) }
            #expect(try stored.document(UInt32(count - 1)) == documents[count - 1])
            var seen = 0
            try stored.forEachEncoded { doc, bytes in
                #expect(doc == UInt32(seen))
                copy.add(encoded: bytes)
                seen += 1
            }
            #expect(seen == count)
        }
        #expect(copy.finish() == file, "copying the encoded documents must write the same file")
        #expect(file.count < raw * 3 / 5, "\(file.count) bytes for \(raw) raw")
    }

    /// Behind the file's checksum (re-sealed here, as the segment fuzzer does), each frame's
    /// content checksum catches the damage; a flip of bits zstd does not read (padding) leaves
    /// the content intact, and the document is read as written.
    @Test func everyDamagedByteOfACompressedBlockIsAnErrorNamingTheFileOrChangesNothing() throws {
        let documents = Self.documents(40)
        let file = Self.write(documents)
        #expect(Self.dictionaryLength(file) == 0)
        let first = try #require(Self.blocks(file).first)
        var noticed = 0
        for offset in first.offset..<(first.offset + first.compressed) {
            var damaged = file
            damaged[offset] ^= 0x5A
            damaged.replaceSubrange((damaged.count - 8)..<(damaged.count - 4), with: Self.crc(damaged))
            try Self.withStored(damaged) { stored throws in
                do {
                    #expect(try stored.document(0) == documents[0], "a flip at byte \(offset) of the block went unnoticed")
                } catch let error as IndexError {
                    noticed += 1
                    guard case .corrupt(let name, _) = error else { Issue.record("\(error)"); return }
                    #expect(name == "seg-00000007.sto")
                }
            }
        }
        #expect(noticed >= first.compressed - 2, "\(noticed) of \(first.compressed) flips noticed")
    }

    @Test func aRawLengthBeyondWhatTheBlockCanHoldIsAnError() throws {
        let file = Self.write(Self.documents(40))
        var damaged = file
        // The raw length of the first index entry: after its u64 offset and u32 compressed length.
        let entry = try #require(Self.blocks(file).first).entry
        damaged.replaceSubrange((entry + 12)..<(entry + 16), with: [0xFF, 0xFF, 0xFF, 0x7F])
        damaged.replaceSubrange((damaged.count - 8)..<(damaged.count - 4), with: Self.crc(damaged))
        _ = try Self.withStored(damaged) { stored throws in
            #expect(throws: IndexError.self) { try stored.document(0) }
        }
    }

    @Test func version1FilesAreRefusedAsIncompatible() throws {
        var file = Self.write(Self.documents(3))
        file[4] = 1
        file.replaceSubrange((file.count - 8)..<(file.count - 4), with: Self.crc(file))
        do {
            _ = try Self.withStored(file) { _ in Issue.record("a version 1 file opened") }
        } catch let error as IndexError {
            guard case .incompatible(let why) = error else { Issue.record("\(error)"); return }
            #expect(why.contains("seg-00000007.sto") && why.contains("version 1"))
        }
    }

    @Test func hitsInOneBlockDecompressItOnce() throws {
        let documents = Self.documents(300)
        let file = Self.write(documents)
        let inFirstBlock = try #require(Self.blocks(file).dropFirst().first).firstDoc
        #expect(inFirstBlock >= 3)
        let cache = StoredBlockCache(capacity: 1 << 20)
        try Self.withStored(file, cache: cache) { stored throws in
            for doc in (0..<inFirstBlock).reversed() { #expect(try stored.document(UInt32(doc)) == documents[doc]) }
            #expect(cache.misses == 1)
            #expect(try stored.document(299) == documents[299])
            #expect(try stored.document(0) == documents[0])
            #expect(cache.misses == 2)
        }
    }

    @Test func theBlockCacheKeepsTheRecentBlocksWithinItsBound() {
        let cache = StoredBlockCache(capacity: 100)
        let owner = StoredBlockCache.newOwner()
        cache.insert(owner, 0, [UInt8](repeating: 0, count: 40))
        cache.insert(owner, 1, [UInt8](repeating: 1, count: 40))
        #expect(cache.block(owner, 0) != nil)  // block 0 is now the most recently used
        cache.insert(owner, 2, [UInt8](repeating: 2, count: 40))
        #expect(cache.byteCount == 80)
        #expect(cache.block(owner, 1) == nil)
        #expect(cache.block(owner, 0) == [UInt8](repeating: 0, count: 40))
        #expect(cache.block(StoredBlockCache.newOwner(), 0) == nil, "another file's block 0 is another block")
        cache.insert(owner, 3, [UInt8](repeating: 3, count: 101))
        #expect(cache.block(owner, 3) == nil && cache.byteCount == 80, "a block above the bound is not kept")
    }

    static func crc(_ bytes: [UInt8]) -> [UInt8] {
        let crc = bytes.withUnsafeBytes { Footer.crc32(UnsafeRawBufferPointer(rebasing: $0[0..<(bytes.count - 8)])) }
        return withUnsafeBytes(of: crc.littleEndian) { Array($0) }
    }
}
