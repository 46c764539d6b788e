import ArgumentParser
import HuojuIndex

/// `huojud verify [--index DIR]`: checks every file's checksum and walks every posting list.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the index: file checksums, sizes against the manifest, and every posting list."
    )

    @OptionGroup var options: IndexOptions

    func run() throws {
        do {
            let snapshot = try IndexSnapshot.open(directory: options.index)
            for segment in snapshot.segments { try segment.verifyPostings() }
            print("index \(options.index) is intact: generation \(snapshot.manifest.generation), \(snapshot.segments.count) segments, \(snapshot.docCount) documents")
        } catch {
            throw RuntimeError(error.description)
        }
    }
}
