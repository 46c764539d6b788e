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

/// The root of an index: which segments form the current snapshot.
///
/// It is replaced atomically (write `manifest.json.tmp`, fsync, rename, fsync the directory),
/// so a reader sees either the previous commit or the next one, never a mix. Like every index
/// file it carries a CRC-32, over `canonicalText` (not the JSON bytes, so that the check does
/// not depend on how a JSON encoder spaces or escapes), verified whenever it is read.
public struct Manifest: Codable, Sendable, Equatable {
    /// 2: the manifest carries `checksum`.
    public static let formatVersion = 2
    public static let fileName = "manifest.json"

    public var formatVersion: Int
    public var analyzer: String
    public var generation: Int
    public var segments: [SegmentInfo]
    /// The corpus folder the index was built from, when known.
    public var corpus: String?
    public var committedAt: String
    /// CRC-32 of `canonicalText`; set when the manifest is written.
    public var checksum: UInt32 = 0

    public var docCount: Int { segments.reduce(0) { $0 + $1.docCount } }

    static func read(directory: String) throws(IndexError) -> Manifest {
        let path = directory + "/" + fileName
        guard FileIO.exists(path) else {
            throw .missing("no index at \(directory) (build one with `huojud index --corpus DIR --index \(directory)`)")
        }
        let bytes = try FileIO.readAll(path)
        // The version first: an older manifest lacks fields this one requires.
        struct Version: Decodable { var formatVersion: Int }
        let version: Version, manifest: Manifest
        do { version = try JSONDecoder().decode(Version.self, from: Data(bytes)) } catch {
            throw .corrupt(file: fileName, "not a valid manifest (\(error))")
        }
        guard version.formatVersion == formatVersion else {
            throw .incompatible("the index at \(directory) has format version \(version.formatVersion); this huojud reads version \(formatVersion)")
        }
        do { manifest = try JSONDecoder().decode(Manifest.self, from: Data(bytes)) } catch {
            throw .corrupt(file: fileName, "not a valid manifest (\(error))")
        }
        guard manifest.checksum == manifest.contentChecksum else {
            throw .corrupt(file: fileName, "checksum mismatch (stored \(String(manifest.checksum, radix: 16)), computed \(String(manifest.contentChecksum, radix: 16)))")
        }
        try manifest.validate()
        return manifest
    }

    /// What the checksum covers: every field but the checksum, one per line.
    var canonicalText: String {
        var lines = ["\(formatVersion)", analyzer, "\(generation)", corpus ?? "", committedAt]
        for segment in segments {
            let files = segment.files.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            lines.append("\(segment.id) \(segment.docCount) \(segment.fieldLengthSums.map(String.init).joined(separator: ",")) \(files.joined(separator: ","))")
        }
        return lines.joined(separator: "\n")
    }

    public var contentChecksum: UInt32 { Array(canonicalText.utf8).withUnsafeBytes { Footer.crc32($0) } }

    /// The shape readers rely on: plain segment names, the five files of each, one length sum
    /// per text field, no negative counts.
    private func validate() throws(IndexError) {
        for segment in segments {
            guard !segment.id.isEmpty, segment.id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                throw .corrupt(file: Self.fileName, "bad segment name '\(segment.id)'")
            }
            let expected = Set(SegmentFiles.Kind.allCases.map { SegmentFiles.name(segment.id, $0) })
            guard Set(segment.files.keys) == expected, segment.files.values.allSatisfy({ $0 >= 0 }),
                  segment.docCount >= 0, segment.docCount <= Int(UInt32.max), segment.fieldLengthSums.count == Field.text.count,
                  segment.fieldLengthSums.allSatisfy({ $0 <= 1 << 52 }) else {
                throw .corrupt(file: Self.fileName, "segment \(segment.id) is not described completely")
            }
        }
    }

    func write(directory: String) throws(IndexError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var sealed = self
        sealed.checksum = contentChecksum
        let data: Data
        do { data = try encoder.encode(sealed) } catch { throw .io("cannot encode manifest: \(error)") }
        let temporary = directory + "/" + Self.fileName + ".tmp"
        try FileIO.writeDurably(Array(data), to: temporary)
        try FileIO.rename(temporary, directory + "/" + Self.fileName)
        try FileIO.fsyncDirectory(directory)
    }
}
