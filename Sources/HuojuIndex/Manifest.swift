import Foundation

/// A segment as listed in the manifest.
public struct SegmentInfo: Codable, Sendable, Equatable {
    public var id: String
    /// Documents written into the segment, deleted ones included (doc ids are 0..<docCount).
    public var docCount: Int
    /// Sum of field lengths (units) per text field, in `Field.text` order: avgdl comes from here.
    /// Deleted documents still count until a merge drops them (see `IndexSnapshot`).
    public var fieldLengthSums: [UInt64]
    /// File name → size in bytes: the segment's own immutable files.
    public var files: [String: Int]
    /// The segment's deleted documents as of this commit; absent when it has none.
    public var deletes: DeletesInfo?

    public init(id: String, docCount: Int, fieldLengthSums: [UInt64], files: [String: Int], deletes: DeletesInfo? = nil) {
        self.id = id
        self.docCount = docCount
        self.fieldLengthSums = fieldLengthSums
        self.files = files
        self.deletes = deletes
    }

    public var deletedCount: Int { deletes?.count ?? 0 }
    public var liveCount: Int { docCount - deletedCount }
    /// Bytes of the segment's files, the size the merge policy works with.
    public var byteSize: Int { files.values.reduce(0, +) }
    /// Every file the segment needs at this commit.
    public var allFiles: [String] { Array(files.keys) + (deletes.map { [$0.file] } ?? []) }
}

/// A deletion file (`.del`) of one segment, written anew whenever the segment's deletes change.
public struct DeletesInfo: Codable, Sendable, Equatable {
    public var file: String
    public var count: Int
    public var bytes: Int
}

/// One corpus file the index holds: how to tell cheaply whether it changed (size, mtime), how
/// to tell for sure (content hash), and where its articles are.
/// Where a commit's source table is: its own file, so that readers, which never need it, do
/// not pay for it (it grows with the corpus; the manifest does not).
public struct SourceTableInfo: Codable, Sendable, Equatable {
    /// `sources-NNNNNNNN.json`, N = the generation that wrote it.
    public var file: String
    public var count: Int
    /// CRC-32 of the file's bytes.
    public var checksum: UInt32
}

public struct SourceFile: Codable, Sendable, Equatable {
    public var path: String
    /// `fnv1a64:<16 hex digits>` of the raw file bytes.
    public var hash: String
    public var size: Int
    /// Modification time in nanoseconds since the epoch.
    public var mtime: Int64
    /// The segment holding the file's articles as documents `firstDoc..<firstDoc + docCount`;
    /// nil for a file that was read but holds no article (it is known, so not retried).
    public var segment: String?
    public var firstDoc: Int
    public var docCount: Int

    public init(path: String, hash: String, size: Int, mtime: Int64, segment: String?, firstDoc: Int, docCount: Int) {
        self.path = path
        self.hash = hash
        self.size = size
        self.mtime = mtime
        self.segment = segment
        self.firstDoc = firstDoc
        self.docCount = docCount
    }
}

/// The zone gazetteer an index was built with: a copy in the index folder, so readers resolve
/// zone names exactly as the build tagged the articles, and its fingerprint, so a build with
/// another gazetteer can be told apart (docs/zones.md).
public struct GazetteerInfo: Codable, Sendable, Equatable {
    /// `zones-GGGGGG.tsv` in the index folder.
    public var file: String
    public var fingerprint: String

    public init(file: String, fingerprint: String) {
        self.file = file
        self.fingerprint = fingerprint
    }
}

/// The root of an index: which segments (and deletion files) form the current snapshot, and
/// which corpus files it was built from.
///
/// It is replaced atomically (write `manifest.json.tmp`, fsync, rename, fsync the directory),
/// so a reader sees either the previous commit or the next one, never a mix. Like every index
/// file it carries a CRC-32, over `canonicalText` (not the JSON bytes, so that the check does
/// not depend on how a JSON encoder spaces or escapes), verified whenever it is read.
public struct Manifest: Codable, Sendable, Equatable {
    /// 2: impacts in the postings skip entries; the manifest carries `checksum`.
    public static let formatVersion = 4
    public static let fileName = "manifest.json"

    public var formatVersion: Int
    public var analyzer: String
    public var generation: Int
    /// The number the next new segment gets: segment ids are never reused, so a reader holding
    /// an old manifest can never open a different segment under a name it knows.
    public var nextSegment: Int
    public var segments: [SegmentInfo]
    /// Sorted by path. Kept in `sourceTable`'s file, read only when asked for
    /// (`read(directory:sources:)`, `loadSources`): writers and `verify` need it, searches do not.
    public var sources: [SourceFile]
    public var sourceTable: SourceTableInfo?
    /// The corpus folder the index was built from, when known.
    public var corpus: String?
    /// Nil for indexes built before zones were recognised.
    public var zones: GazetteerInfo?
    public var committedAt: String
    /// `contentChecksum` as written to the file; zero in memory.
    public var checksum: UInt32 = 0

    /// Documents in the snapshot's segments, deleted ones included (BM25's N, see docs).
    public var docCount: Int { segments.reduce(0) { $0 + $1.docCount } }
    public var deletedCount: Int { segments.reduce(0) { $0 + $1.deletedCount } }
    public var liveCount: Int { docCount - deletedCount }
    /// Every file this commit needs.
    public var files: Set<String> { Set(segments.flatMap(\.allFiles) + [zones?.file, sourceTable?.file].compactMap { $0 }) }

    /// Everything but `sources`, which lives in its own file.
    enum CodingKeys: String, CodingKey {
        case formatVersion, analyzer, generation, nextSegment, segments, sourceTable, corpus, zones, committedAt, checksum
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        formatVersion = try container.decode(Int.self, forKey: .formatVersion)
        analyzer = try container.decode(String.self, forKey: .analyzer)
        generation = try container.decode(Int.self, forKey: .generation)
        nextSegment = try container.decode(Int.self, forKey: .nextSegment)
        segments = try container.decode([SegmentInfo].self, forKey: .segments)
        sources = []
        sourceTable = try container.decodeIfPresent(SourceTableInfo.self, forKey: .sourceTable)
        corpus = try container.decodeIfPresent(String.self, forKey: .corpus)
        zones = try container.decodeIfPresent(GazetteerInfo.self, forKey: .zones)
        committedAt = try container.decode(String.self, forKey: .committedAt)
        checksum = try container.decode(UInt32.self, forKey: .checksum)
    }

    init(formatVersion: Int, analyzer: String, generation: Int, nextSegment: Int, segments: [SegmentInfo],
         sources: [SourceFile], corpus: String?, committedAt: String) {
        self.formatVersion = formatVersion
        self.analyzer = analyzer
        self.generation = generation
        self.nextSegment = nextSegment
        self.segments = segments
        self.sources = sources
        self.corpus = corpus
        self.committedAt = committedAt
    }

    static func empty(analyzer: String, generation: Int, nextSegment: Int, corpus: String?) -> Manifest {
        Manifest(formatVersion: formatVersion, analyzer: analyzer, generation: generation, nextSegment: nextSegment,
                 segments: [], sources: [], corpus: corpus, committedAt: "")
    }

    /// Reads the current manifest and, when `sources`, its source table.
    static func read(directory: String, sources: Bool = true) throws(IndexError) -> Manifest {
        var manifest = try readManifest(directory: directory)
        if sources { try manifest.loadSources(directory: directory) }
        return manifest
    }

    /// Reads the source table named by `sourceTable` (checksum and count checked).
    public mutating func loadSources(directory: String) throws(IndexError) {
        guard let table = sourceTable else { sources = []; return }
        let bytes = try FileIO.readAll(directory + "/" + table.file)
        let actual = bytes.withUnsafeBytes { Footer.crc32($0) }
        guard actual == table.checksum else {
            throw .corrupt(file: table.file, "checksum mismatch (stored \(String(table.checksum, radix: 16)), computed \(String(actual, radix: 16)))")
        }
        do { sources = try JSONDecoder().decode([SourceFile].self, from: Data(bytes)) } catch {
            throw .corrupt(file: table.file, "not a valid source table (\(error))")
        }
        guard sources.count == table.count else { throw .corrupt(file: table.file, "holds \(sources.count) files, the manifest says \(table.count)") }
    }

    private static func readManifest(directory: String) throws(IndexError) -> Manifest {
        let bytes = try readBytes(directory: directory)
        var manifest: Manifest
        do { manifest = try JSONDecoder().decode(Manifest.self, from: Data(bytes)) } catch {
            if let counters = try? JSONDecoder().decode(Counters.self, from: Data(bytes)), counters.formatVersion != formatVersion {
                throw .incompatible("the index at \(directory) has format version \(counters.formatVersion); this huojud reads version \(formatVersion)")
            }
            throw .corrupt(file: fileName, "not a valid manifest (\(error))")
        }
        guard manifest.formatVersion == formatVersion else {
            throw .incompatible("the index at \(directory) has format version \(manifest.formatVersion); this huojud reads version \(formatVersion)")
        }
        guard manifest.checksum == manifest.contentChecksum else {
            throw .corrupt(file: fileName, "checksum mismatch (stored \(String(manifest.checksum, radix: 16)), computed \(String(manifest.contentChecksum, radix: 16)))")
        }
        try manifest.validate()
        // In memory the checksum stays zero: it belongs to the file, not to the state.
        manifest.checksum = 0
        return manifest
    }

    private static func readBytes(directory: String) throws(IndexError) -> [UInt8] {
        let path = directory + "/" + fileName
        guard FileIO.exists(path) else {
            throw .missing("no index at \(directory)")
        }
        return try FileIO.readAll(path)
    }

    /// The counters of whatever manifest is there, of any format version, so a rebuild over an
    /// old or unreadable index keeps generations and segment numbers increasing.
    struct Counters: Decodable {
        var formatVersion: Int
        var generation: Int
        var nextSegment: Int?

        static func read(directory: String) -> Counters? {
            guard let bytes = try? Manifest.readBytes(directory: directory) else { return nil }
            return try? JSONDecoder().decode(Counters.self, from: Data(bytes))
        }
    }

    /// CRC-32 of the manifest's JSON (sorted keys, compact) with `checksum` zero.
    public var contentChecksum: UInt32 {
        var unsealed = self
        unsealed.checksum = 0
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes = Array((try? encoder.encode(unsealed)) ?? Data())
        return bytes.withUnsafeBytes { Footer.crc32($0) }
    }

    /// The shape readers rely on: plain file names, the five files of each segment, one length
    /// sum per text field, no negative counts.
    private func validate() throws(IndexError) {
        func plain(_ name: String) -> Bool {
            !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") } && !name.hasPrefix(".")
        }
        for segment in segments {
            guard plain(segment.id) else { throw .corrupt(file: Self.fileName, "bad segment name '\(segment.id)'") }
            let expected = Set(SegmentFiles.Kind.allCases.map { SegmentFiles.name(segment.id, $0) })
            guard Set(segment.files.keys) == expected, segment.files.values.allSatisfy({ $0 >= 0 }),
                  segment.docCount >= 0, segment.docCount <= Int(UInt32.max), segment.fieldLengthSums.count == Field.text.count,
                  segment.fieldLengthSums.allSatisfy({ $0 <= 1 << 52 }), segment.deletes.map({ plain($0.file) && $0.count >= 0 }) ?? true else {
                throw .corrupt(file: Self.fileName, "segment \(segment.id) is not described completely")
            }
        }
        if let zones, !plain(zones.file) { throw .corrupt(file: Self.fileName, "bad gazetteer file name '\(zones.file)'") }
        if let sourceTable, !plain(sourceTable.file) || sourceTable.count < 0 {
            throw .corrupt(file: Self.fileName, "bad source table '\(sourceTable.file)'")
        }
    }

    /// Writes the source table (`sources-<generation>.json`, fsynced) and names it, then the
    /// manifest. Returns the source table's name, so a failed commit can remove it.
    @discardableResult
    mutating func write(directory: String) throws(IndexError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let table: Data
        do { table = try encoder.encode(sources) } catch { throw .io("cannot encode the source table: \(error)") }
        let tableName = String(format: "sources-%08d.json", generation)
        try FileIO.writeDurably(Array(table), to: directory + "/" + tableName)
        sourceTable = SourceTableInfo(file: tableName, count: sources.count, checksum: Array(table).withUnsafeBytes { Footer.crc32($0) })
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var sealed = self
        sealed.checksum = contentChecksum
        let data: Data
        do { data = try encoder.encode(sealed) } catch { throw .io("cannot encode manifest: \(error)") }
        let temporary = directory + "/" + Self.fileName + ".tmp"
        try FileIO.writeDurably(Array(data), to: temporary)
        try FileIO.rename(temporary, directory + "/" + Self.fileName)
        try FileIO.fsyncDirectory(directory)
        return tableName
    }
}
