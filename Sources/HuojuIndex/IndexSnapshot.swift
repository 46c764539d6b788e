import HuojuText

/// A consistent, read-only view of one committed index generation.
///
/// All statistics (N, per-field average lengths, document frequencies) are computed over this
/// snapshot's segments only, so scores stay consistent while a newer generation is written.
public final class IndexSnapshot: Sendable {
    public let directory: String
    public let manifest: Manifest
    public let segments: [SegmentReader]
    /// Global doc id = base of its segment + local id.
    public let bases: [Int]

    public var docCount: Int { manifest.docCount }

    public static func open(directory: String) throws(IndexError) -> IndexSnapshot {
        let manifest = try Manifest.read(directory: directory)
        guard manifest.analyzer == Analyzer.version else {
            throw .incompatible("the index at \(directory) was built with analyzer \(manifest.analyzer); this huojud uses \(Analyzer.version)")
        }
        var segments: [SegmentReader] = []
        for info in manifest.segments { segments.append(try SegmentReader(directory: directory, info: info)) }
        return IndexSnapshot(directory: directory, manifest: manifest, segments: segments)
    }

    init(directory: String, manifest: Manifest, segments: [SegmentReader]) {
        self.directory = directory
        self.manifest = manifest
        self.segments = segments
        var bases: [Int] = []
        var base = 0
        for segment in segments { bases.append(base); base += segment.docCount }
        self.bases = bases
    }

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
}
