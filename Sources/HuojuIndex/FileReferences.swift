import Synchronization

/// Which index files the open snapshots of this process still use, and which files a commit
/// has retired: a retired file is deleted once no open snapshot holds it.
///
/// A snapshot pins every file its manifest names when it opens and unpins them when it is
/// released; the writer retires the files a commit stopped naming. So a query keeps reading
/// the generation it started on, however many commits happen meanwhile, and the files of an
/// old generation disappear with its last reader. Only the writer retires files, and it never
/// retires files it has not yet committed. (Readers in other processes cannot pin; they retry
/// from a fresh manifest when a file vanished, see `IndexSnapshot.open`.)
final class FileReferences: Sendable {
    static let shared = FileReferences()

    private struct Folder {
        var pins: [String: Int] = [:]
        var retired: Set<String> = []
    }

    /// Keyed by the index folder's canonical path.
    private let folders = Mutex<[String: Folder]>([:])

    func pin(_ names: some Sequence<String>, in directory: String) {
        let key = FileIO.canonical(directory)
        folders.withLock { for name in names { $0[key, default: Folder()].pins[name, default: 0] += 1 } }
    }

    func unpin(_ names: some Sequence<String>, in directory: String) {
        let key = FileIO.canonical(directory)
        folders.withLock { folders in
            for name in names {
                guard let count = folders[key]?.pins[name] else { continue }
                if count > 1 { folders[key]!.pins[name] = count - 1; continue }
                folders[key]!.pins[name] = nil
                if folders[key]!.retired.remove(name) != nil { FileIO.remove(directory + "/" + name) }
            }
        }
    }

    /// Deletes the files now, or when their last snapshot goes.
    func retire(_ names: some Sequence<String>, in directory: String) {
        let key = FileIO.canonical(directory)
        folders.withLock { folders in
            for name in names {
                if folders[key]?.pins[name] != nil {
                    folders[key, default: Folder()].retired.insert(name)
                } else {
                    FileIO.remove(directory + "/" + name)
                }
            }
        }
    }

    func isPinned(_ name: String, in directory: String) -> Bool {
        let key = FileIO.canonical(directory)
        return folders.withLock { $0[key]?.pins[name] != nil }
    }
}
