import Foundation
import HuojuText

/// Builds segments from analyzed documents and commits them.
///
/// Documents are buffered in a `SegmentBuilder` and flushed to a segment whenever about
/// `segmentTextBytes` of text has accumulated, which bounds memory. `commit()` publishes the
/// new segments with an atomic manifest swap; until then readers keep the old snapshot.
public final class IndexWriter {
    public let directory: String
    private let corpus: String?
    private let segmentTextBytes: Int
    private let generation: Int
    private var builder = SegmentBuilder()
    private var written: [SegmentInfo] = []

    /// Starts a rebuild: the next commit replaces whatever the directory held.
    public init(directory: String, corpus: String?, segmentTextBytes: Int = 48 << 20) throws(IndexError) {
        self.directory = directory
        self.corpus = corpus
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
        let id = String(format: "seg-%06d-%03d", generation, written.count)
        written.append(try builder.write(directory: directory, id: id))
        builder = SegmentBuilder()
    }

    /// Publishes everything added so far, then deletes files no longer referenced.
    @discardableResult
    public func commit() throws(IndexError) -> Manifest {
        try flush()
        let manifest = Manifest(
            formatVersion: Manifest.formatVersion, analyzer: Analyzer.version, generation: generation,
            segments: written, corpus: corpus, committedAt: ISO8601DateFormatter().string(from: Date())
        )
        try manifest.write(directory: directory)
        IndexDirectory.removeUnreferenced(directory: directory, manifest: manifest)
        return manifest
    }
}

enum IndexDirectory {
    /// Removes segment files and temporaries the manifest does not name: what an interrupted
    /// build or a replaced snapshot left behind.
    static func removeUnreferenced(directory: String, manifest: Manifest) {
        let keep = Set(manifest.segments.flatMap { $0.files.keys })
        for name in FileIO.listDirectory(directory) where name.hasPrefix("seg-") || name.hasSuffix(".tmp") {
            if !keep.contains(name) { FileIO.remove(directory + "/" + name) }
        }
    }
}
