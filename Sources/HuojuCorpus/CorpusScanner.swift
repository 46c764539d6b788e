#if canImport(Glibc)
import Glibc
#endif

/// Lists the issue files of an archive folder, subfolders included.
///
/// Hidden files and folders are skipped; symbolic links are followed once, with loops and
/// dangling links reported rather than followed forever. Every file that cannot be taken is
/// reported with its reason.
public enum CorpusScanner {
    public struct Listing: Sendable {
        public var files: [String]
        public var skipped: [(path: String, reason: String)]
    }

    /// Names ending like this are never issue text.
    static let ignoredSuffixes = [".tmp", ".swp", ".part", "~"]

    /// Hidden files and folders are never walked.
    public static func isHidden(_ name: String) -> Bool { name.hasPrefix(".") }

    /// A file the scanner leaves out: hidden, or a temporary or backup name.
    public static func isIgnoredFile(_ name: String) -> Bool {
        isHidden(name) || ignoredSuffixes.contains(where: name.hasSuffix)
    }

    /// `skipping` names folders left out silently: the index folder, when it lies inside
    /// the corpus (its files are not issues, and indexing them would write more of them).
    public static func scan(_ root: String, skipping: [String] = []) -> Listing {
        var listing = Listing(files: [], skipped: [])
        var visited = Set<String>()  // device:inode of directories, to stop link loops
        walk(root, &listing, &visited, skipping: Set(skipping.compactMap(identity)), depth: 0)
        listing.files.sort()
        return listing
    }

    /// A folder's device and inode, which name it however it is reached.
    public static func identity(_ path: String) -> String? {
        var info = stat()
        return stat(path, &info) == 0 ? "\(info.st_dev):\(info.st_ino)" : nil
    }

    private static func walk(_ directory: String, _ listing: inout Listing, _ visited: inout Set<String>, skipping: Set<String>, depth: Int) {
        var info = stat()
        guard stat(directory, &info) == 0 else {
            listing.skipped.append((directory, String(cString: strerror(errno))))
            return
        }
        let identity = "\(info.st_dev):\(info.st_ino)"
        guard !skipping.contains(identity) else { return }
        guard depth < 64, visited.insert(identity).inserted else {
            listing.skipped.append((directory, "directory already visited (symbolic link loop)"))
            return
        }
        guard let handle = opendir(directory) else {
            listing.skipped.append((directory, String(cString: strerror(errno))))
            return
        }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if !isHidden(name) { names.append(name) }
        }
        closedir(handle)
        for name in names.sorted() {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            var entryInfo = stat()
            guard stat(path, &entryInfo) == 0 else {
                let reason = errno == ELOOP ? "symbolic link loop" : String(cString: strerror(errno))
                listing.skipped.append((path, reason))
                continue
            }
            switch entryInfo.st_mode & S_IFMT {
            case S_IFDIR: walk(path, &listing, &visited, skipping: skipping, depth: depth + 1)
            case S_IFREG:
                if !isIgnoredFile(name) { listing.files.append(path) }
            default: listing.skipped.append((path, "not a regular file"))
            }
        }
    }
}
