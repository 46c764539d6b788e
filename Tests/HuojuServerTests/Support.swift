import Foundation
import HuojuTestSupport
import Testing
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

/// Collects one pipe's output on a thread of its own, so a process can fill both pipes.
private final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ pipe: Pipe) {
        Thread.detachNewThread { [self] in
            data = pipe.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }
    }

    var text: String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Sanitizer reports (ThreadSanitizer, AddressSanitizer, LeakSanitizer, UBSan) in a process's
/// output: a report written late, or at exit, must fail the test that started the process.
func sanitizerReports(_ output: String) -> [String] {
    output.split(separator: "\n").filter {
        $0.contains("WARNING: ThreadSanitizer") || $0.contains("ERROR: AddressSanitizer") || $0.contains("ERROR: LeakSanitizer")
            || $0.contains("SUMMARY: UndefinedBehaviorSanitizer") || $0.contains(": runtime error: ")
    }.map(String.init)
}

/// Runs a built executable (or, given an absolute path, any program) to completion. A process
/// still running after `timeLimit` seconds is killed and the call throws: a regression in a
/// refusal path (a second daemon that serves instead of exiting) fails instead of hanging.
func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], timeLimit: Double = 300,
         sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : binDirectory + "/" + executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    try process.run()
    let stdout = PipeReader(out), stderr = PipeReader(err)
    if exited.wait(timeout: .now() + timeLimit) == .timedOut {
        kill(process.processIdentifier, SIGKILL)
        exited.wait()
        throw Daemon.Failure(message: "\(executable) \(arguments.prefix(4)) still running after \(timeLimit) s: \(stderr.text.suffix(2000))")
    }
    let output = ProcessOutput(status: process.terminationStatus, stdout: stdout.text, stderr: stderr.text)
    let reports = sanitizerReports(output.stderr)
    #expect(reports.isEmpty, "\(executable) \(arguments.prefix(4)): sanitizer report: \(output.stderr.suffix(4000))", sourceLocation: sourceLocation)
    return output
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
    /// extra `serve` arguments, under `ulimit -n fileLimit` when given, unable to write
    /// files past `sizeLimit` bytes when given (a write there fails with EFBIG, "File too large"),
    /// and with at most `inotifyWatches` inotify watches when given (a user namespace of its
    /// own, whose `max_inotify_watches` it may lower for itself: then adding one more watch
    /// fails with ENOSPC, as past `fs.inotify.max_user_watches`).
    init(directory: String? = nil, corpus: String? = nil, index: String? = nil, arguments: [String] = [], fileLimit: Int? = nil,
         sizeLimit: Int? = nil, inotifyWatches: Int? = nil) throws {
        self.directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("huojud-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        socket = self.directory + "/huoju.sock"
        self.index = index ?? self.directory + "/idx"
        // A log of its own: a daemon restarted in the same folder must not truncate the first one's.
        log = URL(fileURLWithPath: self.directory + "/log-\(UUID().uuidString.prefix(8))")
        try Data().write(to: log)
        let serve = [binDirectory + "/huojud", "serve", "--corpus", corpus ?? SharedCorpus.directory!.path, "--index", self.index, "--socket", socket,
                     "--log-level", "debug"] + arguments
        if fileLimit != nil || sizeLimit != nil || inotifyWatches != nil {
            // SIGXFSZ ignored (an ignored signal stays ignored across exec), so that a write past
            // the size limit returns EFBIG instead of killing the daemon; `ulimit -f` counts 512-byte blocks.
            let limits = (fileLimit.map { ["ulimit -n \($0)"] } ?? []) + (sizeLimit.map { ["trap '' XFSZ", "ulimit -f \($0 / 512)"] } ?? [])
                + (inotifyWatches.map { ["echo \($0) > /proc/sys/user/max_inotify_watches"] } ?? [])
            let shell = ["/bin/sh", "-c", (limits + ["exec \"$@\""]).joined(separator: " && "), "sh"] + serve
            let command = inotifyWatches == nil ? shell : ["/usr/bin/unshare", "--user", "--map-root-user"] + shell
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
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
            guard process.isRunning, Date() < deadline else {
                if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
                throw Failure(message: "daemon did not start: \(logText)")
            }
            usleep(20_000)
        }
    }

    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// The signal a test sent on purpose (`kill(_:)`); the daemon must then have ended by it.
    private var killedWith: Int32?

    /// Sends `signal` and waits for the daemon to exit (a minute at most, then SIGKILL).
    func kill(_ signal: Int32, sourceLocation: SourceLocation = #_sourceLocation) {
        killedWith = signal
        Glibc.kill(process.processIdentifier, signal)
        if !waitForExit(within: 60) {
            Issue.record("daemon still running 60 s after signal \(signal): \(logText.suffix(4000))", sourceLocation: sourceLocation)
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func waitForExit(within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        return !process.isRunning
    }

    /// Stops the daemon with SIGTERM (unless the test ended it), requires that it exit 0 (or by
    /// the signal the test sent with `kill(_:)`) and that its log hold no sanitizer report, then
    /// deletes its folder (unless `keepFolder`, for a daemon started next in the same folder).
    /// The log is printed with any failure, so a late report is never lost.
    func stop(keepFolder: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) {
        if process.isRunning {
            killedWith = killedWith ?? SIGTERM
            Glibc.kill(process.processIdentifier, SIGTERM)
            if !waitForExit(within: 60) {
                Glibc.kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                Issue.record("daemon still running 60 s after SIGTERM: \(logText.suffix(4000))", sourceLocation: sourceLocation)
            }
        }
        if killedWith == nil || killedWith == SIGTERM || killedWith == SIGINT {
            #expect(process.terminationReason == .exit && process.terminationStatus == 0,
                    "daemon ended with \(process.terminationReason == .exit ? "status" : "signal") \(process.terminationStatus): \(logText.suffix(4000))",
                    sourceLocation: sourceLocation)
        } else {
            #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == killedWith,
                    "daemon did not end by signal \(killedWith!): \(process.terminationStatus) \(logText.suffix(4000))", sourceLocation: sourceLocation)
        }
        let reports = sanitizerReports(logText)
        #expect(reports.isEmpty, "sanitizer report in the daemon's log: \(logText.suffix(8000))", sourceLocation: sourceLocation)
        if !keepFolder { try? FileManager.default.removeItem(atPath: directory) }
    }

    static func listening(_ path: String) -> Bool { (try? LineClient(path: path)) != nil }

    /// True when a daemon can be given an inotify watch limit of its own (`inotifyWatches`):
    /// user namespaces are allowed here.
    static let canLimitInotifyWatches: Bool = {
        guard let output = try? run("/usr/bin/unshare", ["--user", "--map-root-user", "/bin/sh", "-c", "echo 1 > /proc/sys/user/max_inotify_watches"])
        else { return false }
        return output.status == 0
    }()

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
        let result = withUnixAddress(path) { connect(fd, $0, $1) }
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

/// Polls until `condition` holds (true) or `seconds` pass (false): waiting for an event, with a
/// deadline that only guards against a hang.
func eventually(within seconds: Double = 60, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(50_000)
    }
    return condition()
}

/// Calls `body` with the address of the Unix socket at `path` (for connect or bind).
func withUnixAddress(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes); $0[bytes.count] = 0 }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
}
