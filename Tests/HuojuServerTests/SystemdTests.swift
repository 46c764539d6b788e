import Foundation
import HuojuTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `huojud serve` under systemd (issue #14 item 5): a socket passed on descriptor 3 with
/// LISTEN_FDS/LISTEN_PID, as socket activation passes it, and SIGHUP reopening --log-file.
@Suite(.serialized, .timeLimit(.minutes(10))) struct SystemdTests {
    @Test func servesTheSocketPassedOnDescriptor3AndSighupReopensTheLog() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("huojud-sd-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/activated.sock", log = folder + "/huojud.log", output = folder + "/output"
        // What huojud.socket does: bind and listen before the daemon runs.
        let listening = try Self.listen(path)
        let index = folder + "/idx"
        let daemon = try Self.spawnActivated(
            ["serve", "--corpus", SharedCorpus.directory!.path, "--index", index, "--log-file", log, "--log-level", "debug"],
            descriptor3: listening, output: output)
        close(listening)  // the daemon holds it now, as systemd's copy would
        var stopped = false
        defer {
            if !stopped { kill(daemon, SIGKILL); _ = Self.wait(daemon, within: 60) }
        }
        // Asked at once: the connection waits in the backlog while the daemon builds its index.
        let viaSocket = try run("huoju", ["search", "--socket", path, "--json", "--limit", "20", "科研助理"])
        #expect(viaSocket.status == 0, "\(viaSocket.stderr) \(Self.text(log)) \(Self.text(output))")
        let inProcess = try run("huojud", ["search", "--index", index, "--json", "--limit", "20", "科研助理"])
        let a = try JSONSerialization.jsonObject(with: Data(viaSocket.stdout.utf8)) as? [String: Any]
        let b = try JSONSerialization.jsonObject(with: Data(inProcess.stdout.utf8)) as? [String: Any]
        #expect(a?["total"] as? Int == b?["total"] as? Int && (a?["total"] as? Int ?? 0) > 0, "\(viaSocket.stdout)")
        #expect(Self.text(log).contains("from=systemd"), "\(Self.text(log))")

        // logrotate moves the log away; SIGHUP makes the daemon write a new one by the same name.
        try FileManager.default.moveItem(atPath: log, toPath: log + ".1")
        kill(daemon, SIGHUP)
        #expect(eventually { Self.text(log).contains("SIGHUP") }, "no new log after SIGHUP: \(Self.text(log + ".1").suffix(2000))")
        #expect(!Self.text(log + ".1").contains("SIGHUP"))
        #expect(try run("huoju", ["ping", "--socket", path]).status == 0)

        kill(daemon, SIGTERM)
        let status = Self.wait(daemon, within: 60)
        stopped = status != nil
        #expect(status == 0, "daemon ended with wait status \(String(describing: status)): \(Self.text(log).suffix(4000))")
        // The socket file is the unit's: it stays for the next activation.
        #expect(FileManager.default.fileExists(atPath: path))
        for file in [log, log + ".1", output] {
            #expect(sanitizerReports(Self.text(file)).isEmpty, "\(file): \(Self.text(file).suffix(8000))")
        }
    }

    @Test func refusesADescriptor3ThatIsNotAListeningUnixSocket() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("huojud-sd-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let notASocket = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { close(notASocket) }
        let output = folder + "/output"
        let daemon = try Self.spawnActivated(["serve", "--corpus", SharedCorpus.directory!.path, "--index", folder + "/idx"],
                                             descriptor3: notASocket, output: output)
        let status = Self.wait(daemon, within: 120)
        if status == nil { kill(daemon, SIGKILL); _ = Self.wait(daemon, within: 60) }
        #expect(status != nil && status != 0)
        #expect(Self.text(output).contains("not a listening Unix stream socket"), "\(Self.text(output))")
    }

    // MARK: Doing what systemd does

    /// A Unix stream socket bound at `path` with mode 0600 and listening, on a descriptor
    /// above the standard ones (so that placing it on 3 in the child is a real dup2).
    static func listen(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        let bound = withUnixAddress(path) { bind(fd, $0, $1) }
        guard fd >= 0, bound == 0, chmod(path, 0o600) == 0, Glibc.listen(fd, 64) == 0 else {
            throw Daemon.Failure(message: "cannot listen on \(path): \(String(cString: strerror(errno)))")
        }
        let high = fcntl(fd, F_DUPFD_CLOEXEC, 100)
        close(fd)
        return high
    }

    /// Starts huojud with `descriptor` on 3, LISTEN_FDS=1 and LISTEN_PID its own pid (set by a
    /// shell that then execs, keeping its pid), standard output and error into `output`.
    static func spawnActivated(_ arguments: [String], descriptor3 descriptor: Int32, output: String) throws -> pid_t {
        let out = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer { close(out) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out, 1)
        posix_spawn_file_actions_adddup2(&actions, out, 2)
        posix_spawn_file_actions_adddup2(&actions, descriptor, 3)
        let argv = ["/bin/sh", "-c", #"LISTEN_PID=$$ LISTEN_FDS=1 exec "$@""#, "sh", binDirectory + "/huojud"] + arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, "/bin/sh", &actions, nil, &cArguments, environ)
        guard result == 0 else { throw Daemon.Failure(message: "posix_spawn failed: \(String(cString: strerror(result)))") }
        return pid
    }

    /// The wait status once the process ended (0: it exited with 0), or nil while it still runs
    /// after `seconds`.
    static func wait(_ pid: pid_t, within seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { return status }
            usleep(20_000)
        }
        return nil
    }

    static func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
}
