import Foundation
import Synchronization

/// The one writer of an index folder: writes new segments, commits changes, and merges
/// segments in the background.
///
/// Nothing on disk is ever modified in place. New segments and deletion files are written
/// under fresh names and fsynced; a commit then replaces `manifest.json` atomically, so a crash
/// at any moment leaves the previous or the next commit. Files a commit stops naming are
/// retired (deleted once no snapshot of this process holds them); files left by a crashed
/// run are removed when the next writer opens the folder.
///
/// Commits (`commit`, and the merge thread's commits) are serialized; segments can be written
/// from any thread meanwhile. One process at a time may write a folder (the daemon and
/// `huojud index` take `huojud.lock` for this).
public final class IndexWriter: Sendable {
    /// What one commit changes.
    public struct Change: Sendable {
        /// New segments, written with `writeSegment`.
        public var segments: [SegmentInfo] = []
        /// New and changed corpus files: a file already known has its old articles deleted.
        public var sources: [SourceFile] = []
        /// Paths of corpus files that are gone: their articles are deleted.
        public var removed: [String] = []
        /// A rebuild: the result holds exactly `segments` and `sources`.
        public var replacesAll = false

        public init(segments: [SegmentInfo] = [], sources: [SourceFile] = [], removed: [String] = [], replacesAll: Bool = false) {
            self.segments = segments
            self.sources = sources
            self.removed = removed
            self.replacesAll = replacesAll
        }

        var isEmpty: Bool { segments.isEmpty && sources.isEmpty && removed.isEmpty && !replacesAll }
    }

    public struct MergeRecord: Sendable, Equatable {
        public var segments: Int
        public var documents: Int
        /// Deleted documents the merge dropped.
        public var reclaimed: Int
        public var seconds: Double
        public var generation: Int
    }

    public enum MergeEvent: Sendable {
        case started(segments: Int, documents: Int)
        case committed(MergeRecord)
        /// A commit (a rebuild, or deletes that emptied a segment) removed an input meanwhile.
        case abandoned
        case failed(IndexError)
    }

    public struct MergeStats: Sendable, Equatable {
        public var running = false
        public var completed = 0
        public var reclaimed = 0
        public var last: MergeRecord?
        public var lastError: String?
    }

    public let directory: String
    public let corpus: String?
    /// The analyzer identity (`Analyzer.version`) the caller builds segments with: an index
    /// built with another one is started anew, since its terms would not match.
    public let analyzer: String
    /// The serialized zone gazetteer the documents are tagged with; committed beside the
    /// segments whenever the index does not hold this one yet.
    private let gazetteer: (text: String, fingerprint: String)?
    public let policy: TieredMergePolicy
    /// The priority of the merge thread; nil keeps the caller's (`huojud index`).
    public let mergePriority: BackgroundPriority?
    private let onCommit: (@Sendable (Manifest) -> Void)?
    private let onMerge: (@Sendable (MergeEvent) -> Void)?
    private let state: Mutex<State>
    /// Apart from `state`, so that reading it never waits for a commit. Changes of `running`
    /// happen under `state`'s lock too, so no commit's merges are missed.
    private let merges = Mutex(MergeStats())
    private let mergeThreads = DispatchGroup()

    private struct State {
        var manifest: Manifest
        var nextSegment: Int
        /// Files whose size or mtime changed but not their content: recorded with the next commit.
        var refreshed: [String: SourceFile] = [:]
        /// Segments being written or waiting for their commit: `removeLeftovers` keeps their files.
        var inFlight: Set<String> = []
    }

    /// Opens the folder for writing (creating it when needed) and removes what a crashed run
    /// left. A missing index, or one of another format or analyzer, starts out empty; so does
    /// a damaged manifest when `replacing` (the caller is about to rebuild).
    ///
    /// `onCommit` runs after every commit with the new manifest, in commit order, while the
    /// next commit waits: the place to open the new snapshot. It must not call the writer.
    public init(directory: String, corpus: String?, analyzer: String, gazetteer: (text: String, fingerprint: String)? = nil, replacing: Bool = false,
                policy: TieredMergePolicy = TieredMergePolicy(), mergePriority: BackgroundPriority? = nil,
                onCommit: (@Sendable (Manifest) -> Void)? = nil, onMerge: (@Sendable (MergeEvent) -> Void)? = nil) throws(IndexError) {
        self.directory = directory
        self.corpus = corpus
        self.analyzer = analyzer
        self.gazetteer = gazetteer
        self.policy = policy
        self.mergePriority = mergePriority
        self.onCommit = onCommit
        self.onMerge = onMerge
        try FileIO.makeDirectory(directory)
        var manifest: Manifest
        do throws(IndexError) {
            manifest = try Manifest.read(directory: directory)
            if manifest.analyzer != analyzer { throw IndexError.incompatible("analyzer \(manifest.analyzer)") }
        } catch {
            switch error {
            case .missing, .incompatible: break
            case .corrupt, .io: if !replacing { throw error }
            }
            let counters = Manifest.Counters.read(directory: directory)
            manifest = .empty(analyzer: analyzer, generation: counters?.generation ?? 0,
                              nextSegment: counters?.nextSegment ?? 0, corpus: corpus)
        }
        // New segments are numbered past every file on disk too, so no name a crashed run used
        // is written again: each file is written once.
        var nextSegment = manifest.nextSegment
        for name in Self.removeUnnamed(in: directory, keeping: manifest.files, inFlight: []) {
            if let number = Int(name.dropFirst(4).prefix { $0.isNumber }) { nextSegment = max(nextSegment, number + 1) }
        }
        state = Mutex(State(manifest: manifest, nextSegment: nextSegment))
    }

    /// Deletes the index files of `directory` (`seg-*`, `sources-*.json`, `zones-*.tsv`, `*.tmp`)
    /// that `keep` does not name, no open snapshot pins and no segment in `inFlight` owns.
    /// Returns every such file seen, deleted or not.
    private static func removeUnnamed(in directory: String, keeping keep: Set<String>, inFlight: Set<String>) -> [String] {
        let names = FileIO.listDirectory(directory).filter {
            $0.hasPrefix("seg-") || $0.hasSuffix(".tmp") || ($0.hasPrefix("zones-") && $0.hasSuffix(".tsv"))
                || ($0.hasPrefix("sources-") && $0.hasSuffix(".json"))
        }
        for name in names where !keep.contains(name) && !FileReferences.shared.isPinned(name, in: directory)
            && !inFlight.contains(String(name.prefix { $0 != "." })) {
            FileIO.remove(directory + "/" + name)
        }
        return names
    }

    /// Removes what a failed pass or merge left (a partial segment file, `manifest.json.tmp`):
    /// every index file the last commit does not name, except those of segments still being
    /// written or waiting for their commit.
    public func removeLeftovers() {
        state.withLock { state in
            _ = Self.removeUnnamed(in: directory, keeping: state.manifest.files, inFlight: state.inFlight)
        }
    }

    /// The last commit.
    public var manifest: Manifest { state.withLock { $0.manifest } }

    /// The committed source table by path, with refreshed metadata not yet committed.
    public var sources: [String: SourceFile] {
        state.withLock { state in
            var table = Dictionary(uniqueKeysWithValues: state.manifest.sources.map { ($0.path, $0) })
            for (path, entry) in state.refreshed { table[path] = entry }
            return table
        }
    }

    /// Records new size and mtime for files whose content did not change. That alone makes no
    /// commit (the index did not change); it is written with the next one.
    public func refresh(_ entries: [SourceFile]) {
        state.withLock { state in
            for entry in entries { state.refreshed[entry.path] = entry }
        }
    }

    /// Writes a segment under a new name. Invisible until a commit names it; nothing of it is
    /// left when writing fails (a full disk).
    public func writeSegment(_ builder: SegmentBuilder) throws(IndexError) -> SegmentInfo {
        let id = newSegmentID()
        do throws(IndexError) { return try builder.write(directory: directory, id: id) } catch {
            removeSegment(id)
            throw error
        }
    }

    /// Removes segments that were written but will not be committed.
    public func discard(_ segments: [SegmentInfo]) {
        for segment in segments {
            for name in segment.allFiles { FileIO.remove(directory + "/" + name) }
            settle([segment.id])
        }
    }

    /// Removes whatever files of segment `id` were written.
    private func removeSegment(_ id: String) {
        for kind in SegmentFiles.Kind.allCases { FileIO.remove(directory + "/" + SegmentFiles.name(id, kind)) }
        settle([id])
    }

    /// The segments are committed or gone: no longer in flight.
    private func settle(_ ids: [String]) {
        state.withLock { state in state.inFlight.subtract(ids) }
    }

    private func newSegmentID() -> String {
        state.withLock { state in
            defer { state.nextSegment += 1 }
            let id = String(format: "seg-%08d", state.nextSegment)
            state.inFlight.insert(id)
            return id
        }
    }

    /// Commits a change: new segments, and the deletes of the articles of changed and removed
    /// files, in one manifest swap. Returns nil (and commits nothing) when nothing changed.
    @discardableResult
    public func commit(_ change: Change) throws(IndexError) -> Manifest? {
        guard !change.isEmpty else { return nil }
        return try state.withLock { state throws(IndexError) -> Manifest in
            var next = state.manifest
            var sources = Dictionary(uniqueKeysWithValues: next.sources.map { ($0.path, $0) })
            var deletes: [String: DeletedDocs] = [:]
            if change.replacesAll {
                next.segments = []
                sources = [:]
            } else {
                for (path, entry) in state.refreshed where sources[path].map({ $0.hash == entry.hash && $0.segment == entry.segment }) ?? false {
                    sources[path] = entry
                }
            }
            func delete(_ old: SourceFile) throws(IndexError) {
                guard let id = old.segment, let segment = next.segments.first(where: { $0.id == id }) else { return }
                var docs: DeletedDocs
                if let pending = deletes[id] { docs = pending } else { docs = try loadDeletes(segment) }
                docs.insert(old.firstDoc..<(old.firstDoc + old.docCount))
                deletes[id] = docs
            }
            for path in change.removed { if let old = sources.removeValue(forKey: path) { try delete(old) } }
            for source in change.sources {
                if let old = sources[source.path] { try delete(old) }
                sources[source.path] = source
            }
            next.segments += change.segments
            next.sources = sources.values.sorted { $0.path < $1.path }
            try publish(&next, deletes: deletes, state: &state)
            state.refreshed = [:]
            return next
        }
    }

    /// Writes the deletion files of `deletes`, drops segments left without a live document,
    /// and swaps in the manifest. Runs under the state lock.
    private func publish(_ next: inout Manifest, deletes: [String: DeletedDocs], state: inout State) throws(IndexError) {
        next.generation += 1
        next.nextSegment = state.nextSegment
        next.corpus = corpus ?? next.corpus
        next.committedAt = ISO8601DateFormatter().string(from: Date())
        var written: [String] = []
        var dropped: [String] = []
        do throws(IndexError) {
            if let gazetteer, next.zones?.fingerprint != gazetteer.fingerprint {
                let name = String(format: "zones-%08d.tsv", next.generation)
                try FileIO.writeDurably(Array(gazetteer.text.utf8), to: directory + "/" + name)
                written.append(name)
                next.zones = GazetteerInfo(file: name, fingerprint: gazetteer.fingerprint)
            }
            for (id, docs) in deletes {
                guard let index = next.segments.firstIndex(where: { $0.id == id }) else { continue }
                if docs.count == docs.docCount {
                    dropped += next.segments.remove(at: index).allFiles
                    continue
                }
                let name = DeletedDocs.fileName(segment: id, generation: next.generation)
                let bytes = docs.encoded()
                try FileIO.writeDurably(bytes, to: directory + "/" + name)
                written.append(name)
                next.segments[index].deletes = DeletesInfo(file: name, count: docs.count, bytes: bytes.count)
            }
            written.append(String(format: "sources-%08d.json", next.generation))
            try next.write(directory: directory)
        } catch {
            for name in written { FileIO.remove(directory + "/" + name) }
            throw error
        }
        FileReferences.shared.retire(state.manifest.files.union(dropped).subtracting(next.files), in: directory)
        state.inFlight.subtract(next.segments.map(\.id))
        state.manifest = next
        onCommit?(next)
    }

    private func loadDeletes(_ segment: SegmentInfo) throws(IndexError) -> DeletedDocs {
        guard let info = segment.deletes else { return DeletedDocs(docCount: segment.docCount) }
        return try DeletedDocs.read(directory: directory, info: info, docCount: segment.docCount)
    }

    // MARK: Merging

    public var mergeStats: MergeStats { merges.withLock { $0 } }

    /// Starts merging in the background when the policy asks for it; one merge at a time, each
    /// committed like any other change, until the policy is satisfied.
    public func startMerges() {
        let start = state.withLock { _ in
            merges.withLock { merges -> Bool in
                guard !merges.running else { return false }
                merges.running = true
                return true
            }
        }
        guard start else { return }
        mergeThreads.enter()
        Thread.detachNewThread { [self] in
            defer { mergeThreads.leave() }
            mergePriority?.applyToCurrentThread()
            while let inputs = nextMerge() {
                do throws(IndexError) {
                    try merge(inputs)
                } catch {
                    state.withLock { _ in merges.withLock { $0.running = false; $0.lastError = error.description } }
                    onMerge?(.failed(error))
                    return
                }
            }
        }
    }

    /// Blocks until the background merges are done.
    public func waitForMerges() { mergeThreads.wait() }

    /// The next merge's inputs, their files pinned so that no commit removes them before the
    /// merge has opened them; or nil, and the merge thread ends.
    private func nextMerge() -> [SegmentInfo]? {
        state.withLock { state in
            guard let ids = policy.findMerge(state.manifest.segments) else {
                merges.withLock { $0.running = false }
                return nil
            }
            let inputs = state.manifest.segments.filter { ids.contains($0.id) }
            FileReferences.shared.pin(inputs.flatMap(\.allFiles), in: directory)
            return inputs
        }
    }

    private func merge(_ inputs: [SegmentInfo]) throws(IndexError) {
        let started = DispatchTime.now().uptimeNanoseconds
        var view = manifest
        view.segments = inputs
        let opened = Result { () throws(IndexError) in try IndexSnapshot.open(directory: directory, manifest: view, analyzer: analyzer) }
        FileReferences.shared.unpin(inputs.flatMap(\.allFiles), in: directory)
        let snapshot = try opened.get()
        onMerge?(.started(segments: inputs.count, documents: view.liveCount))
        let id = newSegmentID()
        // Committed, discarded or never written (no live document): not in flight any more.
        defer { settle([id]) }
        let output: SegmentMerger.Output
        do throws(IndexError) { output = try SegmentMerger.merge(snapshot.segments, directory: directory, id: id) } catch {
            removeSegment(id)
            throw error
        }
        do throws(IndexError) {
            guard let generation = try commitMerge(snapshot.segments, output) else {
                discard(output.segment.map { [$0] } ?? [])
                onMerge?(.abandoned)
                return
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let record = MergeRecord(segments: inputs.count, documents: output.segment?.docCount ?? 0,
                                     reclaimed: view.deletedCount, seconds: seconds, generation: generation)
            merges.withLock { merges in
                merges.completed += 1
                merges.reclaimed += record.reclaimed
                merges.last = record
                merges.lastError = nil
            }
            onMerge?(.committed(record))
        } catch {
            discard(output.segment.map { [$0] } ?? [])
            throw error
        }
    }

    /// Replaces the inputs with the merged segment, carrying over the deletes committed while
    /// the merge ran and renumbering the source table. Nil when an input is gone.
    func commitMerge(_ inputs: [SegmentReader], _ output: SegmentMerger.Output) throws(IndexError) -> Int? {
        try state.withLock { state throws(IndexError) -> Int? in
            var next = state.manifest
            let positions = inputs.map { input in next.segments.firstIndex { $0.id == input.info.id } }
            guard positions.allSatisfy({ $0 != nil }) else { return nil }
            var mergedDeletes = output.segment.map { DeletedDocs(docCount: $0.docCount) }
            for (k, input) in inputs.enumerated() {
                let current = next.segments[positions[k]!]
                guard current.deletes != input.info.deletes else { continue }
                for doc in try loadDeletes(current).subtracting(input.deletes) where output.docMaps[k][Int(doc)] >= 0 {
                    mergedDeletes?.insert(UInt32(output.docMaps[k][Int(doc)]))
                }
            }
            let inputIndex = Dictionary(uniqueKeysWithValues: inputs.enumerated().map { ($1.info.id, $0) })
            for i in next.sources.indices {
                guard let id = next.sources[i].segment, let k = inputIndex[id] else { continue }
                let source = next.sources[i]
                let first = output.docMaps[k][source.firstDoc]
                let last = output.docMaps[k][source.firstDoc + source.docCount - 1]
                guard let merged = output.segment, first >= 0, Int(last) == Int(first) + source.docCount - 1 else {
                    throw .corrupt(file: Manifest.fileName, "\(source.path) owns documents the merge dropped")
                }
                next.sources[i].segment = merged.id
                next.sources[i].firstDoc = Int(first)
            }
            let insertAt = positions.map { $0! }.min()!
            let inputIDs = Set(inputIndex.keys)
            var segments: [SegmentInfo] = []
            for (index, segment) in next.segments.enumerated() {
                if index == insertAt, let merged = output.segment { segments.append(merged) }
                if !inputIDs.contains(segment.id) { segments.append(segment) }
            }
            next.segments = segments
            var deletes: [String: DeletedDocs] = [:]
            if let merged = output.segment, let mergedDeletes, mergedDeletes.count > 0 { deletes[merged.id] = mergedDeletes }
            try publish(&next, deletes: deletes, state: &state)
            return next.generation
        }
    }
}
