import Foundation

/// A segment as listed in the manifest.
public struct SegmentInfo: Codable, Sendable, Equatable {
    public var id: String
    public var docCount: Int
    /// Sum of field lengths (units) per text field, in `Field.text` order: avgdl comes from here.
    public var fieldLengthSums: [UInt64]
    /// File name → size in bytes.
    public var files: [String: Int]
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

/// The root of an index: which segments form the current snapshot.
///
/// It is replaced atomically (write `manifest.json.tmp`, fsync, rename, fsync the directory),
/// so a reader sees either the previous commit or the next one, never a mix.
public struct Manifest: Codable, Sendable, Equatable {
    public static let formatVersion = 1
    public static let fileName = "manifest.json"

    public var formatVersion: Int
    public var analyzer: String
    public var generation: Int
    public var segments: [SegmentInfo]
    /// The corpus folder the index was built from, when known.
    public var corpus: String?
    /// Nil for indexes built before zones were recognised.
    public var zones: GazetteerInfo?
    public var committedAt: String

    public var docCount: Int { segments.reduce(0) { $0 + $1.docCount } }

    static func read(directory: String) throws(IndexError) -> Manifest {
        let path = directory + "/" + fileName
        guard FileIO.exists(path) else {
            throw .missing("no index at \(directory) (build one with `huojud index --corpus DIR --index \(directory)`)")
        }
        let bytes = try FileIO.readAll(path)
        let manifest: Manifest
        do { manifest = try JSONDecoder().decode(Manifest.self, from: Data(bytes)) } catch {
            throw .corrupt(file: fileName, "not a valid manifest (\(error))")
        }
        guard manifest.formatVersion == formatVersion else {
            throw .incompatible("the index at \(directory) has format version \(manifest.formatVersion); this huojud reads version \(formatVersion)")
        }
        return manifest
    }

    func write(directory: String) throws(IndexError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do { data = try encoder.encode(self) } catch { throw .io("cannot encode manifest: \(error)") }
        let temporary = directory + "/" + Self.fileName + ".tmp"
        try FileIO.writeDurably(Array(data), to: temporary)
        try FileIO.rename(temporary, directory + "/" + Self.fileName)
        try FileIO.fsyncDirectory(directory)
    }
}
