import Foundation

/// Test support shared by the test targets.
///
/// Locates `../shared/corpus` (the real sample issues; never copied into the repository).
/// `HUOJU_SHARED` may point at the `shared` folder; otherwise every ancestor of this file is tried.
public enum SharedCorpus {
    public static let directory: URL? = {
        if let shared = ProcessInfo.processInfo.environment["HUOJU_SHARED"] {
            return URL(fileURLWithPath: shared).appendingPathComponent("corpus")
        }
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            for candidate in [url.appendingPathComponent("shared/corpus"), url.deletingLastPathComponent().appendingPathComponent("shared/corpus")]
            where FileManager.default.fileExists(atPath: candidate.path) {
                return candidate
            }
            url.deleteLastPathComponent()
        }
        return nil
    }()

    /// The sample files, sorted by name. Fails loudly when the corpus is missing: CI has it.
    public static func files() throws -> [URL] {
        guard let directory else { throw MissingCorpus() }
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "txt" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    public static func texts() throws -> [(name: String, text: String)] {
        try files().map { ($0.lastPathComponent, try String(contentsOf: $0, encoding: .utf8)) }
    }

    public struct MissingCorpus: Error, CustomStringConvertible {
        public var description: String { "../shared/corpus not found (set HUOJU_SHARED to the shared folder)" }
    }
}
