
/// A consistent, read-only view of one committed index generation.
///
/// All statistics (N, per-field average lengths, document frequencies) are computed over this
/// snapshot's segments only, so scores stay consistent while a newer generation is written.
/// Deleted documents are counted in them until a merge drops them, as Lucene does: N and the
/// average lengths come from the manifest, document frequencies from the term dictionaries,
/// and neither looks at deletes. Queries leave deleted documents out of their matches.
///
/// While a snapshot is alive, the files it uses stay on disk (`FileReferences`).
public final class IndexSnapshot: Sendable {
    public let directory: String
    public let manifest: Manifest
    public let segments: [SegmentReader]
    /// Global doc id = base of its segment + local id.
    public let bases: [Int]
    private let pinned: [String]

    /// Documents in the segments, deleted ones included: BM25's N.
    public var docCount: Int { manifest.docCount }
    /// Documents a query can find.
    public var liveCount: Int { manifest.liveCount }

    /// Opens the current generation. A reader in another process than the writer can read a
    /// manifest whose files a commit removes before it opens them; it then starts over from
    /// the newer manifest.
    /// `analyzer` is the identity of the analyzer queries will use (`Analyzer.version`): an
    /// index built with another is refused.
    public static func open(directory: String, analyzer: String) throws(IndexError) -> IndexSnapshot {
        try open(directory: directory, startingFrom: try Manifest.read(directory: directory, sources: false), analyzer: analyzer)
    }

    static func open(directory: String, startingFrom first: Manifest, analyzer: String) throws(IndexError) -> IndexSnapshot {
        var manifest = first
        var attempts = 0
        while true {
            do {
                return try open(directory: directory, manifest: manifest, analyzer: analyzer)
            } catch {
                attempts += 1
                guard attempts < 20, let newer = try? Manifest.read(directory: directory, sources: false), newer.generation != manifest.generation else {
                    throw error
                }
                manifest = newer
            }
        }
    }

    /// Opens `manifest`'s generation, sharing the open segments of `previous` that it still holds.
    public static func open(directory: String, manifest: Manifest, analyzer: String, reusing previous: IndexSnapshot? = nil) throws(IndexError) -> IndexSnapshot {
        guard manifest.analyzer == analyzer else {
            throw .incompatible("the index at \(directory) was built with analyzer \(manifest.analyzer); this huojud uses \(analyzer)")
        }
        let files = Array(manifest.files)
        FileReferences.shared.pin(files, in: directory)
        var cores: [String: SegmentCore] = [:]
        for segment in previous?.segments ?? [] { cores[segment.info.id] = segment.core }
        var segments: [SegmentReader] = []
        do {
            for info in manifest.segments { segments.append(try SegmentReader(directory: directory, info: info, reusing: cores[info.id])) }
        } catch {
            FileReferences.shared.unpin(files, in: directory)
            throw error
        }
        return IndexSnapshot(directory: directory, manifest: manifest, segments: segments, pinned: files)
    }

    private init(directory: String, manifest: Manifest, segments: [SegmentReader], pinned: [String]) {
        self.directory = directory
        self.manifest = manifest
        self.segments = segments
        self.pinned = pinned
        var bases: [Int] = []
        var base = 0
        for segment in segments { bases.append(base); base += segment.docCount }
        self.bases = bases
    }

    deinit { FileReferences.shared.unpin(pinned, in: directory) }

    /// Average length of a text field over all documents of the snapshot.
    public func averageLength(_ field: Field) -> Double {
        guard docCount > 0, let slot = Field.text.firstIndex(of: field) else { return 0 }
        let sum = manifest.segments.reduce(UInt64(0)) { $0 + $1.fieldLengthSums[slot] }
        return Double(sum) / Double(docCount)
    }

    /// Documents holding the term across the snapshot.
    public func docFreq(_ term: TermKey) throws(IndexError) -> Int {
        var total = 0
        for segment in segments { total += try segment.termInfo(term)?.docFreq ?? 0 }
        return total
    }

    /// The gazetteer the index was built with (TSV), or nil for an index built without one.
    public func gazetteerText() throws(IndexError) -> String? {
        guard let zones = manifest.zones else { return nil }
        return String(decoding: try FileIO.readAll(directory + "/" + zones.file), as: UTF8.self)
    }

    public func document(global: Int) throws(IndexError) -> IndexDocument {
        let (segment, local) = locate(global)
        return try segments[segment].document(local)
    }

    public func locate(_ global: Int) -> (segment: Int, local: UInt32) {
        var segment = 0
        while segment + 1 < bases.count, bases[segment + 1] <= global { segment += 1 }
        return (segment, UInt32(global - bases[segment]))
    }

    /// Checks every segment file's CRC-32 (what `open` does not), naming a damaged file.
    public func verifyChecksums() throws(IndexError) {
        for segment in segments { try segment.core.verifyChecksums() }
    }

    /// Checks what `open` does not: every checksum, every posting list, and that the source table and the
    /// deletes agree (every live document belongs to exactly one corpus file, and that file's
    /// path is the one stored with its first and last article).
    public func verify() throws(IndexError) {
        for segment in segments { try segment.verify() }
        let index = Dictionary(uniqueKeysWithValues: segments.map { ($0.info.id, $0) })
        var owned: [String: DeletedDocs] = [:]
        var manifest = self.manifest
        try manifest.loadSources(directory: directory)
        for source in manifest.sources {
            guard let id = source.segment else {
                guard source.docCount == 0 else { throw .corrupt(file: Manifest.fileName, "\(source.path) has articles but no segment") }
                continue
            }
            guard let segment = index[id], source.docCount > 0, source.firstDoc >= 0, source.firstDoc + source.docCount <= segment.docCount else {
                throw .corrupt(file: Manifest.fileName, "\(source.path) points at documents that do not exist")
            }
            var marks = owned[id] ?? DeletedDocs(docCount: segment.docCount)
            for doc in source.firstDoc..<(source.firstDoc + source.docCount) {
                guard !segment.isDeleted(UInt32(doc)), !marks.contains(UInt32(doc)) else {
                    throw .corrupt(file: Manifest.fileName, "\(source.path) points at deleted or shared documents")
                }
                marks.insert(UInt32(doc))
            }
            owned[id] = marks
            for doc in [source.firstDoc, source.firstDoc + source.docCount - 1] where try segment.document(UInt32(doc)).path != source.path {
                throw .corrupt(file: Manifest.fileName, "\(source.path) does not own document \(doc) of \(id)")
            }
        }
        for segment in segments where (owned[segment.info.id]?.count ?? 0) != segment.docCount - segment.info.deletedCount {
            throw .corrupt(file: Manifest.fileName, "live documents of \(segment.info.id) that no corpus file owns")
        }
    }
}
