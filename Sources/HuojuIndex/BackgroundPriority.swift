#if canImport(Glibc)
import Glibc
#endif

/// How far background work in the daemon steps back for searches on the same cores. On Linux
/// niceness is per thread (the thread id comes from `/proc/thread-self`); only threads that
/// end with their work are lowered, since raising a priority back needs privileges.
public enum BackgroundPriority: Int32, Sendable {
    /// Nice 10 (a search thread gets about nine times the CPU): small incremental passes, so a
    /// new issue is still searchable promptly on a busy machine.
    case prompt = 10
    /// Nice 19 (about seventy times): rebuilds and merges, bulk work nobody waits for.
    case bulk = 19

    public func applyToCurrentThread() {
        var link = [UInt8](repeating: 0, count: 64)
        let count = readlink("/proc/thread-self", &link, link.count)
        guard count > 0, let tid = String(decoding: link.prefix(count), as: UTF8.self).split(separator: "/").last.flatMap({ id_t($0) }) else { return }
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid, rawValue)
    }
}
