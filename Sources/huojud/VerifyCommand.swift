import ArgumentParser
import HuojuIndex
import HuojuText

/// `huojud verify [--index DIR]`: checks every file's checksum and walks every posting list.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the index: file checksums, sizes against the manifest, every posting list, and that deletes and the source table agree."
    )

    @OptionGroup var options: IndexOptions

    func run() throws {
        do throws(IndexError) {
            let snapshot = try IndexSnapshot.open(directory: options.index, analyzer: Analyzer.version)
            try snapshot.verify()
            let manifest = snapshot.manifest
            print("index \(options.index) is intact: generation \(manifest.generation), \(manifest.segments.count) segments, " +
                  "\(manifest.liveCount) documents (\(manifest.deletedCount) deleted), \(manifest.sourceTable?.count ?? 0) corpus files")
        } catch {
            throw options.offlineFailure(error)
        }
    }
}
