#if canImport(Glibc)
import Glibc
#endif

/// A listening socket handed over by systemd (socket activation, `sd_listen_fds(3)`): the
/// socket unit binds it, so the daemon can be started on the first connection and restarted
/// without a moment in which clients find no socket.
public struct SocketActivation: Sendable {
    /// The passed descriptor: always 3, `SD_LISTEN_FDS_START`.
    public let descriptor: Int32
    /// The socket file the unit bound (`ListenStream=`), for the log and the access check.
    public let path: String
    /// Its permission bits (`SocketMode=`): with group bits, the daemon's group may connect too.
    public let mode: mode_t

    /// The socket passed to this process, nil when none was (`LISTEN_PID` unset or another
    /// process's), or why it cannot be served. The variables are removed either way, as
    /// `sd_listen_fds(1)` does, so nothing the daemon starts takes them for its own.
    public static func fromEnvironment() throws(SocketGuard.Failure) -> SocketActivation? {
        let pid = getenv("LISTEN_PID").map { String(cString: $0) }
        let count = getenv("LISTEN_FDS").map { String(cString: $0) }
        for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(name) }
        guard let pid, Int32(pid) == getpid() else { return nil }
        guard let count, let fds = Int(count), fds >= 1 else { return nil }
        guard fds == 1 else {
            throw SocketGuard.Failure(description: "systemd passed \(fds) sockets (LISTEN_FDS); huojud serves one: give huojud.socket a single ListenStream=")
        }
        let fd: Int32 = 3
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        guard option(fd, SO_DOMAIN) == AF_UNIX, option(fd, SO_TYPE) == Int32(SOCK_STREAM.rawValue), option(fd, SO_ACCEPTCONN) == 1 else {
            throw SocketGuard.Failure(description: "descriptor 3 from systemd is not a listening Unix stream socket: huojud.socket needs ListenStream=/path/to/huoju.sock")
        }
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let path = withUnsafeBytes(of: address.sun_path) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        var info = stat()
        guard named == 0, path.hasPrefix("/"), stat(path, &info) == 0 else {
            throw SocketGuard.Failure(description: "the socket from systemd has no file (\(path.isEmpty ? "abstract or unnamed" : path)); huojud checks access by the file's mode: use ListenStream=/path/to/huoju.sock")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o007 == 0, mode & 0o600 == 0o600 else {
            throw SocketGuard.Failure(description: "the socket \(path) from systemd has mode \(String(mode, radix: 8)); set SocketMode=0600 (or 0660 to share it with the group) in huojud.socket")
        }
        return SocketActivation(descriptor: fd, path: path, mode: mode)
    }

    private static func option(_ fd: Int32, _ name: Int32) -> Int32 {
        var value: Int32 = -1
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, name, &value, &length) == 0 ? value : -1
    }
}
