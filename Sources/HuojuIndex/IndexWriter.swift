import Foundation
import HuojuText

/// Writes segments and commits them.
///
/// Two ways in: `add(_:analyses:)` buffers documents in one `SegmentBuilder` and flushes a
/// segment whenever about `segmentTextBytes` of text has accumulated (bounding memory);
/// `writeSegment(_:slot:)` writes a segment built elsewhere, from any thread, which is how the
/// corpus indexer builds segments on all cores. `commit` publishes segments with an atomic
/// manifest swap; until then readers keep the old snapshot. The zone gazetteer the documents
/// were tagged with is committed beside the segments.
public final class IndexWriter: @unchecked Sendable {
    public let directory: String
    private let corpus: String?
    private let gazetteer: (text: String, fingerprint: String)?
    private let segmentTextBytes: Int
    private let generation: Int
    private var builder = SegmentBuilder()
    private var written: [SegmentInfo] = []

    /// Starts a rebuild: the next commit replaces whatever the directory held. `gazetteer` is
    /// the serialized gazetteer the documents' zones come from.
    public init(directory: String, corpus: String?, gazetteer: (text: String, fingerprint: String)? = nil,
                segmentTextBytes: Int = 32 << 20) throws(IndexError) {
        self.directory = directory
        self.corpus = corpus
        self.gazetteer = gazetteer
        self.segmentTextBytes = segmentTextBytes
        try FileIO.makeDirectory(directory)
        let previous = (try? Manifest.read(directory: directory))?.generation ?? 0
        generation = previous + 1
    }

    public func add(_ document: IndexDocument, analyses: [Field: Analysis]) throws(IndexError) {
        builder.add(document, analyses: analyses)
        if builder.textBytes >= segmentTextBytes { try flush() }
    }

    private func flush() throws(IndexError) {
        guard builder.docCount > 0 else { return }
        written.append(try writeSegment(builder, slot: written.count))
        builder = SegmentBuilder()
    }

    /// Writes one segment's files (fsynced); `slot` orders segments within the generation
    /// and must be unique. Thread-safe: it touches only the new segment's files.
    public func writeSegment(_ segment: SegmentBuilder, slot: Int) throws(IndexError) -> SegmentInfo {
        try segment.write(directory: directory, id: String(format: "seg-%06d-%03d", generation, slot))
    }

    /// Publishes the buffered documents, or exactly `segments` when given, then deletes
    /// files no longer referenced.
    @discardableResult
    public func commit(_ segments: [SegmentInfo]? = nil) throws(IndexError) -> Manifest {
        try flush()
        var zones: GazetteerInfo?
        if let gazetteer {
            let name = String(format: "zones-%06d.tsv", generation)
            try FileIO.writeDurably(Array(gazetteer.text.utf8), to: directory + "/" + name)
            zones = GazetteerInfo(file: name, fingerprint: gazetteer.fingerprint)
        }
        let manifest = Manifest(
            formatVersion: Manifest.formatVersion, analyzer: Analyzer.version, generation: generation,
            segments: segments ?? written, corpus: corpus, zones: zones, committedAt: ISO8601DateFormatter().string(from: Date())
        )
        try manifest.write(directory: directory)
        IndexDirectory.removeUnreferenced(directory: directory, manifest: manifest)
        return manifest
    }
}

enum IndexDirectory {
    /// Removes segment files, gazetteer copies and temporaries the manifest does not name: what
    /// an interrupted build or a replaced snapshot left behind.
    static func removeUnreferenced(directory: String, manifest: Manifest) {
        let keep = Set(manifest.segments.flatMap { $0.files.keys } + [manifest.zones?.file].compactMap { $0 })
        for name in FileIO.listDirectory(directory)
        where name.hasPrefix("seg-") || name.hasSuffix(".tmp") || (name.hasPrefix("zones-") && name.hasSuffix(".tsv")) {
            if !keep.contains(name) { FileIO.remove(directory + "/" + name) }
        }
    }
}
