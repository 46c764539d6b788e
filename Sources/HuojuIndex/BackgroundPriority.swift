#if canImport(Glibc)
import Glibc
#endif

/// Lowers the calling thread's scheduling priority to nice 10, so that background indexing
/// and merging give way to searches on the same cores (at equal load the kernel then gives a
/// search thread about nine times the CPU of an indexing thread). On Linux niceness is per
/// thread; the thread id comes from `/proc/thread-self`. Only threads that end with their
/// work are lowered: raising a priority back needs privileges.
public enum BackgroundPriority {
    public static func lowerCurrentThread() {
        var link = [UInt8](repeating: 0, count: 64)
        let count = readlink("/proc/thread-self", &link, link.count)
        guard count > 0, let tid = String(decoding: link.prefix(count), as: UTF8.self).split(separator: "/").last.flatMap({ id_t($0) }) else { return }
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid, 10)
    }
}
