#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import HuojuCorpus
import Synchronization

/// Watches a corpus folder, subfolders included, with inotify and calls `onChange` once a
/// burst of changes has settled: 200 ms without a new event, or 1 s after the first one.
///
/// It does not work out what changed (the incremental pass compares the folder with the
/// source table); it says when to look, and which files are still being written. A file is
/// complete when it is closed after writing or moved in; until then (`IN_CREATE`,
/// `IN_MODIFY`) it is in progress and passes leave it alone, unless it saw no write for 5 s
/// (a hard link, a writer that stalled). New folders are watched as they appear; a queue
/// overflow rewatches everything; a root that vanishes is watched again when it is back.
/// Every pass rescans the whole folder anyway.
/// Hidden files and folders and the temporary names the scanner skips are ignored.
///
/// When inotify's limits leave folders unwatched (`fs.inotify.max_user_watches`, or no
/// instance at all: `max_user_instances`), changes there would be missed: it says so
/// (`onLimit` with the reason) and calls `onChange` every `rescanInterval` seconds instead,
/// trying to watch everything again each time; `onLimit(nil)` once that succeeds.
public final class CorpusWatcher: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let root: String
    private let fd: Int32
    /// Path → when a write to it was last seen (uptime nanoseconds).
    private let writing = Mutex<[String: UInt64]>([:])

    static let quiet: UInt64 = 200_000_000
    static let maximumDelay: UInt64 = 1_000_000_000
    static let stalled: UInt64 = 5_000_000_000

    private static let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MODIFY
                                     | IN_DELETE_SELF | IN_MOVE_SELF) | UInt32(IN_ONLYDIR)

    /// `skipping` names folders not to watch (the index folder, when it lies in the corpus).
    public init(root: String, skipping: [String] = [], rescanInterval: Double, onLimit: @escaping @Sendable (String?) -> Void,
                onChange: @escaping @Sendable () -> Void) throws(Failure) {
        self.root = root
        fd = inotify_init1(Int32(IN_CLOEXEC))
        var watches = Watches(fd: fd, root: root, skipping: Set(skipping.compactMap(CorpusScanner.identity)))
        if fd < 0 {
            guard [EMFILE, ENFILE, ENOMEM].contains(errno) else {
                throw Failure(description: "cannot start watching \(root): \(String(cString: strerror(errno)))")
            }
            watches.limited = "no inotify instance left (\(String(cString: strerror(errno)))); raise fs.inotify.max_user_instances"
        } else {
            watches.add(root)
            guard !watches.paths.isEmpty || watches.limited != nil else {
                close(fd)
                throw Failure(description: "cannot watch \(root): \(String(cString: strerror(errno)))")
            }
        }
        let interval = UInt64(max(0.01, rescanInterval) * 1e9)
        Thread.detachNewThread { [self, watches] in run(watches, rescanInterval: interval, onLimit: onLimit, onChange: onChange) }
    }

    /// Files being written right now.
    public func inProgress() -> Set<String> {
        let now = DispatchTime.now().uptimeNanoseconds
        return writing.withLock { Set($0.filter { now - $0.value < Self.stalled }.keys) }
    }

    private func run(_ initial: Watches, rescanInterval: UInt64, onLimit: @Sendable (String?) -> Void, onChange: @Sendable () -> Void) {
        var watches = initial
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var burst: (first: UInt64, last: UInt64)?
        /// While folders are unwatched: when the next periodic rescan is due.
        var nextRescan: UInt64?
        if let reason = watches.limited {
            onLimit(reason)
            nextRescan = DispatchTime.now().uptimeNanoseconds + rescanInterval
        }
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            var deadline: UInt64? = burst.map { min($0.last + Self.quiet, $0.first + Self.maximumDelay) }
            if let stall = writing.withLock({ $0.values.min() }).map({ $0 + Self.stalled }) { deadline = min(deadline ?? stall, stall) }
            if let rescan = nextRescan { deadline = min(deadline ?? rescan, rescan) }
            // A root that vanished is looked for every second; when it is back, it is rescanned.
            let rootWatched = fd < 0 || watches.paths.values.contains(root)
            if !rootWatched { deadline = min(deadline ?? now + Self.maximumDelay, now + Self.maximumDelay) }
            let timeout = deadline.map { Int32(clamping: ($0 > now ? $0 - now : 0) / 1_000_000 + 1) } ?? -1
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, timeout) > 0 {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0, handle(buffer[0..<count], &watches) {
                    let now = DispatchTime.now().uptimeNanoseconds
                    burst = (burst?.first ?? now, now)
                }
            }
            if !rootWatched {
                watches.add(root)
                if watches.paths.values.contains(root) {
                    let now = DispatchTime.now().uptimeNanoseconds
                    burst = (burst?.first ?? now, now)
                }
            }
            let after = DispatchTime.now().uptimeNanoseconds
            let expired = writing.withLock { writing -> Bool in
                let before = writing.count
                writing = writing.filter { after - $0.value < Self.stalled }
                return writing.count < before
            }
            if expired { burst = (burst?.first ?? after, burst?.last ?? after) }
            var rescan = false
            if let due = nextRescan, after >= due {
                rescan = true
                // Limits raised, or folders gone: try to watch everything again.
                if fd >= 0 {
                    watches.limited = nil
                    watches.add(root)
                }
            }
            if (watches.limited != nil) != (nextRescan != nil) { onLimit(watches.limited) }
            if watches.limited == nil { nextRescan = nil } else if rescan || nextRescan == nil { nextRescan = after + rescanInterval }
            if rescan || burst.map({ after >= min($0.last + Self.quiet, $0.first + Self.maximumDelay) }) == true {
                burst = nil
                onChange()
            }
        }
    }

    /// Applies a batch of events; true when the corpus may have changed.
    private func handle(_ bytes: ArraySlice<UInt8>, _ watches: inout Watches) -> Bool {
        var changed = false
        var offset = bytes.startIndex
        let now = DispatchTime.now().uptimeNanoseconds
        while offset + 16 <= bytes.endIndex {
            let (wd, mask, length) = bytes.withUnsafeBytes { raw in
                (raw.loadUnaligned(fromByteOffset: offset - bytes.startIndex, as: Int32.self),
                 raw.loadUnaligned(fromByteOffset: offset - bytes.startIndex + 4, as: UInt32.self),
                 Int(raw.loadUnaligned(fromByteOffset: offset - bytes.startIndex + 12, as: UInt32.self)))
            }
            let name = String(decoding: bytes[(offset + 16)..<min(bytes.endIndex, offset + 16 + length)].prefix { $0 != 0 }, as: UTF8.self)
            offset += 16 + length
            if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                watches.add(root)
                changed = true
                continue
            }
            guard let directory = watches.paths[wd] else { continue }
            if mask & UInt32(IN_IGNORED) != 0 {
                watches.paths[wd] = nil
                continue
            }
            if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
                if directory == root {
                    watches.remove(under: root)
                    watches.add(root)
                }
                changed = true
                continue
            }
            let isDirectory = mask & UInt32(IN_ISDIR) != 0
            guard !name.isEmpty, !(isDirectory ? CorpusScanner.isHidden(name) : CorpusScanner.isIgnoredFile(name)) else { continue }
            let path = directory + "/" + name
            if isDirectory {
                if mask & UInt32(IN_MOVED_FROM) != 0 { watches.remove(under: path) }
                if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 { watches.add(path) }
                changed = true
            } else if mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE) != 0 {
                writing.withLock { $0[path] = nil }
                changed = true
            } else if mask & UInt32(IN_CREATE | IN_MODIFY) != 0 {
                var info = stat()
                if mask & UInt32(IN_CREATE) != 0, lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
                    watches.add(path)  // a link to a folder is walked like one
                    changed = true
                } else {
                    writing.withLock { $0[path] = now }
                }
            }
        }
        return changed
    }

    /// The watched folders: watch descriptor → path.
    private struct Watches {
        let fd: Int32
        let root: String
        /// Device:inode of folders left out.
        let skipping: Set<String>
        var paths: [Int32: String] = [:]
        /// Why some folder could not be watched (inotify's limits), since this was last cleared.
        var limited: String?

        init(fd: Int32, root: String, skipping: Set<String>) {
            self.fd = fd
            self.root = root
            self.skipping = skipping
        }

        /// Watches `path` and every folder under it the scanner would walk.
        mutating func add(_ path: String) {
            var visited = skipping
            add(path, depth: 0, &visited)
        }

        private mutating func add(_ path: String, depth: Int, _ visited: inout Set<String>) {
            var info = stat()
            guard depth < 64, stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR,
                  visited.insert("\(info.st_dev):\(info.st_ino)").inserted else { return }
            let wd = inotify_add_watch(fd, path, CorpusWatcher.mask)
            guard wd >= 0 else {
                // Other failures (a folder gone meanwhile, no permission) leave it out as the scanner does.
                if errno == ENOSPC || errno == ENOMEM {
                    limited = "inotify watches ran out at \(path) (\(paths.count) folders watched); raise fs.inotify.max_user_watches"
                }
                return
            }
            paths[wd] = path
            guard let handle = opendir(path) else { return }
            var names: [String] = []
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != ".", name != "..", !CorpusScanner.isHidden(name) { names.append(name) }
            }
            closedir(handle)
            for name in names { add(path + "/" + name, depth: depth + 1, &visited) }
        }

        /// Stops watching a folder that left (or is leaving) the tree, and everything under it.
        mutating func remove(under path: String) {
            for (wd, watched) in paths where watched == path || watched.hasPrefix(path + "/") {
                inotify_rm_watch(fd, wd)
                paths[wd] = nil
            }
        }
    }
}
