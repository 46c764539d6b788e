import ArgumentParser
import Foundation
import HuojuCorpus
import HuojuIndex
import HuojuServer
import Synchronization

/// `huojud index --corpus DIR [--index DIR]`: builds the index from an archive folder.
struct Index: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the index from the issue files of a corpus folder."
    )

    @Option(help: "The archive folder (subfolders included).")
    var corpus: String

    @OptionGroup var options: IndexOptions

    @Option(help: "Threads for reading and analysis.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup var zones: ZonesOption

    func run() throws {
        // The same lock a serving daemon holds: never write an index a daemon is serving.
        let lock: Int32
        do { lock = try SocketGuard.lockIndex(options.index) } catch {
            throw RuntimeError("\(error); ask the daemon to rebuild it with `huoju reindex`")
        }
        defer { close(lock) }
        var indexer = CorpusIndexer(corpus: corpus, index: options.index, gazetteer: try zones.gazetteer())
        indexer.threads = max(1, threads)
        let progress = isatty(2) != 0 ? ProgressBar() : nil
        let summary: CorpusIndexer.Summary
        do {
            summary = try indexer.rebuild { done, total, bytes in progress?.update(done: done, total: total, bytes: bytes) }
        } catch {
            progress?.finish()
            throw RuntimeError(error.description)
        }
        progress?.finish()
        let mb = Double(summary.bytes) / 1_000_000
        var line = String(format: "indexed %d files, %d articles, %.1f MB in %.2f s (%.1f MB/s) into %@",
                          summary.files, summary.articles, mb, summary.seconds, summary.megabytesPerSecond, options.index)
        if !summary.skipped.isEmpty {
            line += "; skipped \(summary.skipped.count): " + summary.skipped.map { "\($0.path) (\($0.reason))" }.joined(separator: "; ")
        }
        print(line)
    }
}

/// A one-line progress bar on standard error, redrawn in place (workers report from
/// several threads, hence the lock).
final class ProgressBar: Sendable {
    private let last = Mutex(0.0)

    func update(done: Int, total: Int, bytes: Int) {
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let redraw = last.withLock { last -> Bool in
            guard fraction - last >= 0.01 || done == total else { return false }
            last = fraction
            return true
        }
        guard redraw else { return }
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        let text = String(format: "\r[%@] %3.0f%%  %d/%d files  %.1f MB", bar, fraction * 100, done, total, Double(bytes) / 1_000_000)
        FileHandle.standardError.write(Data(text.utf8))
    }

    func finish() { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
}
