import Foundation
import HuojuCorpus
import HuojuIndex
import HuojuProtocol
import HuojuQuery
import HuojuText
import HuojuZones
import Logging
import Synchronization

/// The daemon's index: the searcher queries run on, and the one writer that keeps the index
/// up to date with the corpus.
///
/// Passes (incremental, or a rebuild) run one at a time on their own thread; what is asked
/// for while one runs is coalesced into one queued pass. Merges run on the writer's merge
/// thread. Every commit, pass or merge, swaps in a searcher on the new generation; a search
/// keeps the searcher it started with, and the files of that generation stay until its last
/// search is done.
///
/// A pass or merge that fails (a full disk, an I/O error) commits nothing, so searches stay on
/// the last generation; what it wrote is removed, and it is retried after a backoff (`Backoff`)
/// until one succeeds.
public final class LiveIndex: Sendable {
    public let directory: String
    private let configuredCorpus: String?
    private let policy: TieredMergePolicy
    /// Tags the articles with zones; a copy is committed with the index.
    private let gazetteer: Gazetteer
    private let threads: Int
    private let logger: Logger
    private let current = Mutex<Searcher?>(nil)
    private let writer = Mutex<IndexWriter?>(nil)
    private let watcher = Mutex<CorpusWatcher?>(nil)
    /// Seconds between passes while the watcher cannot watch every folder.
    private let rescanInterval: Double
    private let rescans = Mutex<RescanReport?>(nil)
    private let passes = Mutex(Passes())
    private let mergeRetry = Mutex(Retry())

    private struct Passes {
        var running: ReindexReport?
        var queued: ReindexReport?
        var last: ReindexReport?
        var retry = Retry()
        /// What the retry runs: a rebuild when a failed rebuild has not been made good yet.
        var retryKind: ReindexReport.Kind = .incremental
    }

    /// Failures in a row of passes or of merges, and the retry scheduled after the last one.
    private struct Retry {
        var failure: FailureReport?
        /// Tells a scheduled retry whether it is still the latest one (a success or a newer
        /// failure moves it on).
        var epoch = 0
    }

    /// Delays before retrying failed work: 1 s after the first failure, doubling up to 60 s.
    enum Backoff {
        static let first = 1.0
        static let limit = 60.0

        static func delay(afterFailures failures: Int) -> Double { min(limit, first * pow(2, Double(min(failures, 32) - 1))) }
    }

    public init(directory: String, corpus: String?, gazetteer: Gazetteer = .builtIn, policy: TieredMergePolicy = TieredMergePolicy(),
                threads: Int = ProcessInfo.processInfo.activeProcessorCount, rescanInterval: Double = 30, logger: Logger) {
        self.directory = directory
        self.rescanInterval = rescanInterval
        configuredCorpus = corpus
        self.gazetteer = gazetteer
        self.policy = policy
        self.threads = max(1, threads)
        self.logger = logger
    }

    /// The folder passes index: `--corpus`, else the one the index was built from.
    public var corpus: String? { configuredCorpus ?? current.withLock { $0?.snapshot.manifest.corpus } }

    public var searcher: Searcher? { current.withLock { $0 } }

    public var isWatching: Bool { watcher.withLock { $0 != nil } }

    /// Set while the watcher falls back to periodic rescans.
    public var rescanReport: RescanReport? { rescans.withLock { $0 } }

    /// Opens the index, building it first when it is missing or was written by another
    /// version; then watches the corpus (when `watch`) and catches up with what changed while
    /// no daemon was running, in the background: a rebuild when the index was tagged with
    /// another zone gazetteer, else an incremental pass. A damaged index (a checksum mismatch, a
    /// missing or unreadable file) is never served: it is an error, unless `repair` asks to
    /// rebuild it from the corpus.
    public func open(watch: Bool, repair: Bool = false) throws {
        var stale = false, repairing = false
        var otherGazetteer = false
        do throws(IndexError) {
            let snapshot = try IndexSnapshot.open(directory: directory, analyzer: Analyzer.version)
            // Opening a snapshot checks sizes and footers only. The daemon checks every byte
            // once, when it starts, so it never serves a damaged index (later snapshots open
            // segments it wrote itself); a repair also walks every posting list.
            if repair { try snapshot.verify() } else { try snapshot.verifyChecksums() }
            let searcher: Searcher
            do { searcher = try Searcher(snapshot: snapshot) } catch {
                guard case .index(let error) = error else { throw IndexError.io(error.description) }
                throw error
            }
            current.withLock { $0 = searcher }
            otherGazetteer = snapshot.manifest.zones?.fingerprint != gazetteer.fingerprint
            logger.info("opened index", metadata: ["index": "\(directory)", "generation": "\(snapshot.manifest.generation)",
                                                   "documents": "\(snapshot.liveCount)"])
        } catch {
            switch error {
            case .missing, .incompatible:
                guard configuredCorpus != nil else { throw error }
                logger.notice("building the index first", metadata: ["reason": "\(error)"])
                stale = true
            case .corrupt, .io:
                guard repair, configuredCorpus != nil else { throw error }
                logger.warning("the index is damaged; rebuilding it from the corpus (--repair)", metadata: ["reason": "\(error)"])
                stale = true
                repairing = true
            }
        }
        let writer = try IndexWriter(
            directory: directory, corpus: corpus, analyzer: Analyzer.version, gazetteer: (gazetteer.serialized, gazetteer.fingerprint), replacing: repairing, policy: policy,
            mergePriority: .bulk,
            onCommit: { [weak self] manifest in self?.committed(manifest) },
            onMerge: { [weak self] event in self?.merged(event) }
        )
        self.writer.withLock { $0 = writer }
        if stale {
            let report = run(ReindexReport(state: .running, kind: .rebuild, trigger: .start, requestedAt: Self.timestamp()))
            passes.withLock { $0.last = report }
            if report.state == .failed { throw IndexError.io(report.message ?? "the first build failed") }
        }
        if watch, let corpus {
            do {
                let watcher = try CorpusWatcher(root: corpus, skipping: [directory], rescanInterval: rescanInterval,
                                                onLimit: { [weak self] reason in self?.watchLimited(reason) }) { [weak self] in
                    _ = self?.request(.incremental, trigger: .watch)
                }
                self.watcher.withLock { $0 = watcher }
                logger.info("watching the corpus", metadata: ["corpus": "\(corpus)"])
            } catch {
                logger.warning("not watching the corpus", metadata: ["reason": "\(error)"])
            }
        }
        if !stale, corpus != nil {
            if otherGazetteer { logger.notice("the index was tagged with another zone gazetteer; rebuilding it in the background") }
            _ = request(otherGazetteer ? .rebuild : .incremental, trigger: .start)
        } else if otherGazetteer {
            logger.warning("the index was tagged with another zone gazetteer; start huojud serve with --corpus to rebuild it")
        }
        writer.startMerges()
    }

    /// The watcher ran into inotify's limits (`reason`), or watches everything again (nil).
    private func watchLimited(_ reason: String?) {
        if let reason {
            rescans.withLock { $0 = RescanReport(reason: reason, since: Self.timestamp(), intervalSeconds: rescanInterval) }
            logger.warning("cannot watch every corpus folder; rescanning the corpus periodically instead",
                           metadata: ["reason": "\(reason)", "intervalSeconds": "\(rescanInterval)"])
        } else {
            rescans.withLock { $0 = nil }
            logger.notice("watching every corpus folder again; periodic rescans stop")
        }
    }

    /// Asks for a pass. It starts now, or after the running one (passes asked for meanwhile
    /// become one; a rebuild wins over an incremental pass).
    public func request(_ kind: ReindexReport.Kind, trigger: ReindexReport.Trigger) -> Result<ReindexReport, ReplyError> {
        guard corpus != nil, writer.withLock({ $0 }) != nil else {
            return .failure(ReplyError(.notAvailable, "no corpus folder known; start huojud serve with --corpus DIR"))
        }
        let requested = ReindexReport(state: .queued, kind: kind, trigger: trigger, requestedAt: Self.timestamp())
        let (reply, start) = passes.withLock { passes -> (Result<ReindexReport, ReplyError>, ReindexReport?) in
            if kind == .rebuild, passes.running?.kind == .rebuild || passes.queued?.kind == .rebuild {
                return (.failure(ReplyError(.busy, "a rebuild is already running or queued")), nil)
            }
            if passes.running == nil {
                var report = requested
                report.state = .running
                report.startedAt = requested.requestedAt
                passes.running = report
                return (.success(report), report)
            }
            if passes.queued == nil { passes.queued = requested } else if kind == .rebuild { passes.queued!.kind = .rebuild }
            return (.success(passes.queued!), nil)
        }
        if let start { Thread.detachNewThread { [self] in drain(start) } }
        return reply
    }

    /// Runs `first`, then whatever was queued meanwhile, until nothing is.
    private func drain(_ first: ReindexReport) {
        BackgroundPriority.prompt.applyToCurrentThread()
        var report = first
        while true {
            let finished = run(report)
            let next = passes.withLock { passes -> ReindexReport? in
                passes.last = finished
                record(finished, &passes)
                passes.running = passes.queued.map { queued in
                    var report = queued
                    report.state = .running
                    report.startedAt = Self.timestamp()
                    return report
                }
                passes.queued = nil
                return passes.running
            }
            guard let next else { return }
            report = next
        }
    }

    private func run(_ started: ReindexReport) -> ReindexReport {
        var report = started
        guard let writer = writer.withLock({ $0 }), let corpus else { return report }
        var indexer = CorpusIndexer(corpus: corpus, writer: writer, gazetteer: gazetteer)
        indexer.threads = threads
        indexer.priority = report.kind == .rebuild ? .bulk : .prompt
        do {
            let summary = try indexer.update(report.kind == .rebuild ? .rebuild : .incremental,
                                             excluding: watcher.withLock { $0 }?.inProgress() ?? [])
            report.state = .done
            report.files = summary.files
            report.added = summary.added
            report.changed = summary.changed
            report.removed = summary.removed
            report.articles = summary.articles
            report.removedArticles = summary.removedArticles
            report.seconds = summary.seconds
            report.generation = summary.generation
            report.skipped = summary.skipped.map { "\($0.path): \($0.reason)" }
            let level: Logger.Level = summary.generation == nil && report.trigger == .watch ? .debug : .notice
            logger.log(level: level, "reindexed", metadata: [
                "kind": "\(report.kind.rawValue)", "trigger": "\(report.trigger.rawValue)", "added": "\(summary.added)",
                "changed": "\(summary.changed)", "removed": "\(summary.removed)", "articles": "\(summary.articles)",
                "generation": "\(summary.generation.map(String.init) ?? "unchanged")",
                "seconds": "\(String(format: "%.3f", summary.seconds))",
            ])
            for skipped in summary.skipped { logger.warning("skipped file", metadata: ["path": "\(skipped.path)", "reason": "\(skipped.reason)"]) }
            writer.startMerges()
        } catch {
            report.state = .failed
            report.message = "\(error)"
            writer.removeLeftovers()
        }
        report.finishedAt = Self.timestamp()
        return report
    }

    /// After a pass: a failure schedules a retry (a rebuild if any failed pass since the last
    /// success was one); a success ends the failures, unless a failed rebuild still waits for
    /// its retry and this pass was incremental. Runs under the `passes` lock.
    private func record(_ finished: ReindexReport, _ passes: inout Passes) {
        switch finished.state {
        case .failed:
            if passes.retry.failure == nil { passes.retryKind = finished.kind } else if finished.kind == .rebuild { passes.retryKind = .rebuild }
            let kind = passes.retryKind
            schedule(&passes.retry, error: finished.message ?? "failed", what: "reindex \(finished.kind.rawValue)",
                     isCurrent: { [weak self] epoch in self?.passes.withLock { $0.retry.epoch == epoch } ?? false },
                     retry: { [weak self] in _ = self?.request(kind, trigger: .retry) })
        case .done where passes.retry.failure != nil && (finished.kind == .rebuild || passes.retryKind == .incremental):
            logger.notice("reindex succeeded after failures", metadata: ["failures": "\(passes.retry.failure!.failures)"])
            passes.retry = Retry(epoch: passes.retry.epoch + 1)
        default: break
        }
    }

    /// Counts a failure, logs it, and runs `retry` after the backoff unless a success or a
    /// newer failure came first (`isCurrent` is false for the epoch it was scheduled in).
    private func schedule(_ state: inout Retry, error: String, what: String, isCurrent: @escaping @Sendable (Int) -> Bool,
                          retry: @escaping @Sendable () -> Void) {
        let failures = (state.failure?.failures ?? 0) + 1
        let delay = Backoff.delay(afterFailures: failures)
        let now = Date()
        state.epoch += 1
        state.failure = FailureReport(message: error, at: Self.timestamp(now), failures: failures,
                                      retryAt: Self.timestamp(now.addingTimeInterval(delay)))
        logger.error("\(what) failed; retrying", metadata: ["error": "\(error)", "failures": "\(failures)",
                                                           "retryIn": "\(String(format: "%.0f", delay)) s"])
        let epoch = state.epoch
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) { if isCurrent(epoch) { retry() } }
    }

    /// A new generation was committed: searches from now on run on it.
    private func committed(_ manifest: Manifest) {
        let previous = current.withLock { $0?.snapshot }
        do {
            let snapshot = try IndexSnapshot.open(directory: directory, manifest: manifest, analyzer: Analyzer.version, reusing: previous)
            let searcher = try Searcher(snapshot: snapshot)
            current.withLock { $0 = searcher }
        } catch {
            logger.error("cannot open the new generation; searches stay on the previous one",
                         metadata: ["generation": "\(manifest.generation)", "error": "\(error)"])
        }
    }

    private func merged(_ event: IndexWriter.MergeEvent) {
        switch event {
        case .started(let segments, let documents):
            logger.debug("merging", metadata: ["segments": "\(segments)", "documents": "\(documents)"])
        case .committed(let record):
            passes.withLock { $0.last?.merges += 1 }
            mergeRetry.withLock { retry in
                if retry.failure != nil { retry = Retry(epoch: retry.epoch + 1) }
            }
            logger.info("merged", metadata: ["segments": "\(record.segments)", "documents": "\(record.documents)",
                                             "reclaimed": "\(record.reclaimed)", "generation": "\(record.generation)",
                                             "seconds": "\(String(format: "%.3f", record.seconds))"])
        case .abandoned:
            logger.debug("merge abandoned: its segments were replaced meanwhile")
        case .failed(let error):
            guard let writer = writer.withLock({ $0 }) else { return }
            writer.removeLeftovers()
            mergeRetry.withLock { retry in
                schedule(&retry, error: "\(error)", what: "merge",
                         isCurrent: { [weak self] epoch in self?.mergeRetry.withLock { $0.epoch == epoch } ?? false },
                         retry: { writer.startMerges() })
            }
        }
    }

    /// While passes fail: the last error and when the next attempt starts.
    public var passFailure: FailureReport? { passes.withLock { $0.retry.failure } }

    /// While merges fail: the last error and when the next attempt starts.
    public var mergeFailure: FailureReport? { mergeRetry.withLock { $0.failure } }

    /// The pass running, else the last one.
    public var lastReport: ReindexReport? { passes.withLock { $0.running ?? $0.last } }

    public var mergeStats: IndexWriter.MergeStats? { writer.withLock { $0 }?.mergeStats }

    static func timestamp(_ date: Date = Date()) -> String { ISO8601DateFormatter().string(from: date) }
}
