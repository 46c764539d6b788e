#if canImport(Glibc)
import Glibc
#endif

/// The file-system side of serving: one daemon per index (an flock on `huojud.lock` in the
/// index folder, held for the life of the process), and a socket path that is either free,
/// stale (nobody listening: replaced), or live (another daemon: refuse to start).
public enum SocketGuard {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        /// The index lock is held by a serving daemon: the caller knows what to suggest instead.
        public var indexInUse = false
    }

    /// Locks the index folder, creating it and its missing parents; the returned descriptor
    /// must stay open while serving.
    public static func lockIndex(_ directory: String) throws(Failure) -> Int32 {
        try makeDirectories(directory)
        let path = directory + "/huojud.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw Failure(description: "another huojud already serves the index \(directory) (lock \(path) is held)", indexInUse: true)
        }
        return fd
    }

    /// `mkdir -p`: the folder and whichever of its parents are missing.
    private static func makeDirectories(_ path: String) throws(Failure) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw Failure(description: "\(path) exists and is not a folder") }
            return
        }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex { try makeDirectories(String(path[..<slash])) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw Failure(description: "cannot create the index folder \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Makes `path` free for a new socket: removes a stale socket, refuses a live one or a
    /// path that is not a socket.
    public static func claimSocketPath(_ path: String) throws(Failure) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }  // nothing there
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw Failure(description: "\(path) exists and is not a socket; remove it or choose another --socket")
        }
        if isListening(path) {
            throw Failure(description: "a huojud is already listening on \(path); stop it first (huoju shutdown) or choose another --socket")
        }
        guard unlink(path) == 0 else {
            throw Failure(description: "cannot remove the stale socket \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// True when something accepts connections on the Unix socket at `path`.
    public static func isListening(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return result == 0
    }
}
