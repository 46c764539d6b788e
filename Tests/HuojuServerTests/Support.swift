import Foundation
import HuojuTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The folder holding the built executables: the test runner lives beside them.
let binDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path

struct ProcessOutput {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a built executable (or, given an absolute path, any program) to completion.
func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : binDirectory + "/" + executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessOutput(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                         stderr: String(decoding: stderr, as: UTF8.self))
}

/// A real `huojud serve` on a temporary socket over the sample corpus.
final class Daemon {
    let directory: String
    let socket: String
    let index: String
    let process = Process()
    let log: URL

    /// Starts a daemon in `directory` (a new temporary folder by default) over `corpus` (the
    /// shared samples by default), with its index in `index` (`idx` in the folder by default),
    /// extra `serve` arguments, under `ulimit -n fileLimit` when given, and unable to write
    /// files past `sizeLimit` bytes when given (a write there fails with EFBIG, "File too large").
    init(directory: String? = nil, corpus: String? = nil, index: String? = nil, arguments: [String] = [], fileLimit: Int? = nil,
         sizeLimit: Int? = nil) throws {
        self.directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("huojud-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        socket = self.directory + "/huoju.sock"
        self.index = index ?? self.directory + "/idx"
        log = URL(fileURLWithPath: self.directory + "/log")
        try Data().write(to: log)
        let serve = [binDirectory + "/huojud", "serve", "--corpus", corpus ?? SharedCorpus.directory!.path, "--index", self.index, "--socket", socket,
                     "--log-level", "debug"] + arguments
        if fileLimit != nil || sizeLimit != nil {
            // SIGXFSZ ignored (an ignored signal stays ignored across exec), so that a write past
            // the size limit returns EFBIG instead of killing the daemon; `ulimit -f` counts 512-byte blocks.
            let limits = (fileLimit.map { ["ulimit -n \($0)"] } ?? []) + (sizeLimit.map { ["trap '' XFSZ", "ulimit -f \($0 / 512)"] } ?? [])
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", (limits + ["exec \"$@\""]).joined(separator: " && "), "sh"] + serve
        } else {
            process.executableURL = URL(fileURLWithPath: serve[0])
            process.arguments = Array(serve.dropFirst())
        }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while !Self.listening(socket) {
            guard process.isRunning, Date() < deadline else { throw Failure(message: "daemon did not start: \(logText)") }
            usleep(20_000)
        }
    }

    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    func stop() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func listening(_ path: String) -> Bool { (try? LineClient(path: path)) != nil }

    struct Failure: Error, CustomStringConvertible { var message: String; var description: String { message } }
}

/// A raw protocol client: send lines, read reply lines, on one connection. One thread may
/// send while another reads (the socket allows it; `pending` belongs to the reader).
final class LineClient: @unchecked Sendable {
    let fd: Int32
    private var pending: [UInt8] = []

    /// Connects before `self.fd` is set: a class whose properties are all set runs `deinit` when
    /// its init throws, and closing the descriptor twice could close another thread's new file.
    init(path: String, timeoutSeconds: Double = 30) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Daemon.Failure(message: "socket failed: \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes); $0[bytes.count] = 0 }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { let error = errno; close(fd); throw Daemon.Failure(message: "connect failed: \(error)") }
        self.fd = fd
        var timeout = timeval(tv_sec: Int(timeoutSeconds), tv_usec: Int(timeoutSeconds.truncatingRemainder(dividingBy: 1) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends everything; false when the connection failed first (e.g. the daemon closed it).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return false }
            sent += count
        }
        return true
    }

    /// True once the daemon closed the connection (EOF or reset); reads and drops any data.
    func isClosedByPeer() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 { continue }
            return count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
        }
    }

    @discardableResult
    func send(_ line: String) -> Bool { send(Array((line + "\n").utf8)) }

    /// The next reply line decoded as a JSON object, or nil when the connection closed.
    func readReply() -> [String: Any]? {
        while true {
            if let newline = pending.firstIndex(of: 10) {
                let line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                return try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return nil }
            pending.append(contentsOf: chunk[0..<count])
        }
    }
}
