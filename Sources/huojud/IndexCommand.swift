import ArgumentParser
import Foundation
import HuojuCorpus
import HuojuIndex
import HuojuServer
import HuojuText
import Synchronization

/// `huojud index --corpus DIR [--index DIR] [--rebuild]`: brings the index up to date with an
/// archive folder, then merges segments as the merge policy asks.
struct Index: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Index the issue files of a corpus folder: what changed since the last run, or everything with --rebuild.",
        discussion: """
        New and changed files are indexed and the articles of changed and removed files deleted, in one commit; \
        then segments are merged in the background until the merge policy is satisfied. --rebuild writes a fresh \
        index in new files and swaps it in at once. Progress and merges are reported on standard error.
        """
    )

    @Option(help: "The archive folder (subfolders included).")
    var corpus: String

    @OptionGroup var options: IndexOptions

    @Option(help: "Threads for reading and analysis.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: ArgumentHelp("Memory for in-memory inversion, all threads together (MB): segments are written as it fills.",
                               discussion: "A file larger than about 1/20 of one thread's share is refused; raise this to index it."))
    var bufferMB: Int = CorpusIndexer.defaultBufferMB

    @Flag(help: "Build a fresh index instead of applying what changed.")
    var rebuild = false

    @OptionGroup var merging: MergeOptions
    @OptionGroup var zones: ZonesOption

    func run() throws {
        // The same lock a serving daemon holds: never write an index a daemon is serving.
        let lock: Int32
        do throws(SocketGuard.Failure) { lock = try SocketGuard.lockIndex(options.index) } catch {
            throw RuntimeError(error.indexInUse ? "\(error); ask that daemon to reindex with `huoju reindex`" : error.description)
        }
        defer { close(lock) }
        let corpus = absolute(self.corpus)
        let gazetteer = try zones.gazetteer()
        let writer: IndexWriter
        do throws(IndexError) {
            writer = try IndexWriter(directory: options.index, corpus: corpus, analyzer: Analyzer.version, gazetteer: (gazetteer.serialized, gazetteer.fingerprint),
                                     replacing: rebuild, policy: merging.policy,
                                     onMerge: Self.report)
        } catch {
            throw options.offlineFailure(error, corpus: corpus)
        }
        var indexer = CorpusIndexer(corpus: corpus, writer: writer, gazetteer: gazetteer)
        indexer.threads = max(1, threads)
        indexer.bufferBytes = max(1, bufferMB) << 20
        let progress = isatty(2) != 0 ? ProgressBar() : nil
        let summary: CorpusIndexer.Summary
        do throws(IndexError) {
            summary = try indexer.update(rebuild ? .rebuild : .incremental) { done, total, bytes in
                progress?.update(done: done, total: total, bytes: bytes)
            }
        } catch {
            progress?.finish()
            throw options.offlineFailure(error, corpus: corpus)
        }
        progress?.finish()
        // Unbuffered: the commit is done, and a script watching the output may need to know now.
        FileHandle.standardOutput.write(Data((Self.describe(summary, index: options.index) + "\n").utf8))
        writer.startMerges()
        writer.waitForMerges()
        let merges = writer.mergeStats
        if let error = merges.lastError { throw RuntimeError("merging failed: \(error)") }
        if merges.completed > 0 {
            let manifest = writer.manifest
            print("merged \(merges.completed) times: \(manifest.segments.count) segments, generation \(manifest.generation)")
        }
    }

    static func describe(_ summary: CorpusIndexer.Summary, index: String) -> String {
        let mb = Double(summary.bytes) / 1_000_000
        var line: String
        if let generation = summary.generation {
            line = String(format: "indexed %d files, %d articles, %.1f MB in %.2f s (%.1f MB/s) into %@, generation %d",
                          summary.files, summary.articles, mb, summary.seconds, summary.megabytesPerSecond, index, generation)
            if summary.mode == .incremental {
                line += "; \(summary.added) added, \(summary.changed) changed, \(summary.removed) removed files"
            }
        } else {
            line = String(format: "%@ is up to date (checked in %.2f s)", index, summary.seconds)
        }
        if !summary.skipped.isEmpty {
            line += "; skipped \(summary.skipped.count): " + summary.skipped.map { "\($0.path) (\($0.reason))" }.joined(separator: "; ")
        }
        return line
    }

    /// Merge progress on standard error (the crash test reads it to tell where a kill landed).
    @Sendable static func report(_ event: IndexWriter.MergeEvent) {
        let line: String
        switch event {
        case .started(let segments, let documents): line = "merging \(segments) segments (\(documents) documents)"
        case .committed(let record):
            line = String(format: "merged into generation %d: %d documents, %d deleted reclaimed, %.2f s",
                          record.generation, record.documents, record.reclaimed, record.seconds)
        case .abandoned: line = "merge abandoned"
        case .failed(let error): line = "merge failed: \(error)"
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
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
