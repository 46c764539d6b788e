#if canImport(Glibc)
import Glibc
#endif

/// One request/reply exchange over the daemon's Unix socket, with plain POSIX calls: the
/// client stays free of SwiftNIO and starts fast.
enum DaemonConnection {
    enum Failure: Error, CustomStringConvertible {
        case notListening(String)
        case io(String)

        var description: String {
            switch self {
            case .notListening(let why), .io(let why): why
            }
        }
    }

    static let replyTimeoutSeconds = 120

    static func exchange(path: String, request: [UInt8]) throws(Failure) -> [UInt8] {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .io("cannot create a socket: \(errorText())") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw .io("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            if errno == ENOENT || errno == ECONNREFUSED { throw .notListening(errorText()) }
            throw .io("cannot connect to \(path): \(errorText())")
        }
        var timeout = timeval(tv_sec: replyTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var message = request
        message.append(UInt8(ascii: "\n"))
        var sent = 0
        var sendFailure: String?
        while sent < message.count {
            let count = message.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0 {
                if errno == EINTR { continue }
                // A daemon that refuses a connection (busy, not the owner) says why and closes
                // at once: read that reply rather than report the broken pipe.
                guard errno == EPIPE || errno == ECONNRESET else { throw .io("cannot send the request: \(errorText())") }
                sendFailure = "cannot send the request: \(errorText())"
                break
            }
            sent += count
        }
        var reply: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                if let sendFailure { throw .io(sendFailure) }
                throw .io(errno == EAGAIN ? "no reply within \(replyTimeoutSeconds) s" : "cannot read the reply: \(errorText())")
            }
            if count == 0 { break }
            if let newline = chunk[0..<count].firstIndex(of: UInt8(ascii: "\n")) {
                reply.append(contentsOf: chunk[0..<newline])
                return reply
            }
            reply.append(contentsOf: chunk[0..<count])
        }
        guard !reply.isEmpty else { throw .io(sendFailure ?? "the daemon closed the connection without a reply") }
        return reply
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
