import Foundation
import HuojuTestSupport
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The daemon under damage, abuse and exhaustion (issue #7): it refuses a damaged index,
/// answers bad queries with errors, sheds idle, slow and excess clients without stalling
/// the others, and serves nobody but its owner.
@Suite(.serialized, .timeLimit(.minutes(10))) struct HardeningTests {
    // MARK: Integrity

    @Test func damagedIndexIsRefusedWithHowToRebuildUnlessRepairRebuildsIt() throws {
        let built = try Daemon()
        defer { built.stop() }
        built.stop(keepFolder: true)
        let corpus = SharedCorpus.directory!.path
        let victim = try #require(try FileManager.default.contentsOfDirectory(atPath: built.index).first { $0.hasSuffix(".doc") })
        let path = built.index + "/" + victim
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let verify = try run("huojud", ["verify", "--index", built.index])
        #expect(verify.status != 0 && verify.stderr.contains(victim), "\(verify.stderr)")
        let refused = try run("huojud", ["serve", "--corpus", corpus, "--index", built.index, "--socket", built.socket])
        #expect(refused.status != 0)
        for words in ["refusing to serve a damaged index", victim, "checksum", "huojud serve --repair --corpus \(corpus)"] {
            #expect(refused.stderr.contains(words), "refusal does not say '\(words)': \(refused.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: built.socket) || !Daemon.listening(built.socket))

        let repaired = try Daemon(directory: built.directory, arguments: ["--repair"])
        defer { repaired.stop() }
        #expect(repaired.logText.contains("rebuilding it from the corpus"), "\(repaired.logText)")
        let search = try run("huoju", ["search", "--socket", repaired.socket, "--json", "科研助理"])
        #expect(search.status == 0, "\(search.stderr)")
        #expect(try run("huojud", ["verify", "--index", repaired.index]).status == 0)
    }

    // MARK: Bad input files

    /// A folder of bad files beside good ones, indexed by `huojud index` as a user who is not
    /// root (nobody, through setpriv, when the tests run as root: root reads everything): every
    /// bad file is reported with its path and reason, every good one is indexed. The 50 MB
    /// version of the single-line file is in scripts/load (release build).
    @Test func badFilesAreReportedByPathAndReasonWhileGoodOnesAreIndexed() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("huoju-bad-\(UUID().uuidString.prefix(8))").path
        let corpus = root + "/corpus", index = root + "/index"
        try FileManager.default.createDirectory(atPath: corpus + "/sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let text = try String(contentsOf: try SharedCorpus.files().first!, encoding: .utf8)
        func write(_ name: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: URL(fileURLWithPath: corpus + "/" + name)) }
        try write("good_utf8.txt", Array(text.utf8))
        try write("good_gb18030.txt", iconvEncode(text, to: "GB18030"))
        try write("sub/good_utf16le.txt", [0xFF, 0xFE] + iconvEncode(text, to: "UTF-16LE"))
        try write("sub/good_utf16be.txt", [0xFE, 0xFF] + iconvEncode(text, to: "UTF-16BE"))
        // 2 MB on one line, no line break at all.
        let line = String(repeating: "超长单行测试文件记录国家高新区创新发展情况，", count: 2_000_000 / 63)
        try write("single_line.txt", Array(line.utf8))
        try write("empty.txt", [])
        try write("blank.txt", Array("  \n\n\u{3000}\n".utf8))
        try write("binary.dat", [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + (0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 151 &+ 3) })
        try write("unreadable.txt", Array(text.utf8))
        chmod(corpus + "/unreadable.txt", 0)
        try FileManager.default.createSymbolicLink(atPath: corpus + "/sub/loop", withDestinationPath: corpus)
        try FileManager.default.createSymbolicLink(atPath: corpus + "/dangling.txt", withDestinationPath: corpus + "/nowhere.txt")
        #expect(mkfifo(corpus + "/pipe.txt", 0o644) == 0)
        chmod(root, 0o777)

        let asOther = geteuid() == 0
        if asOther { try #require(Self.canSwitchUser, "running as root needs /usr/bin/setpriv to read as another user") }
        let arguments = ["index", "--corpus", corpus, "--index", index]
        let result = asOther
            ? try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", binDirectory + "/huojud"] + arguments)
            : try run("huojud", arguments)
        #expect(result.status == 0, "\(result.stderr)")
        let expected: [(String, String)] = [
            ("unreadable.txt", "Permission denied"), ("empty.txt", "empty file"), ("blank.txt", "empty file"),
            ("binary.dat", "binary file"), ("sub/loop", "link loop"), ("dangling.txt", "No such file or directory"),
            ("pipe.txt", "not a regular file"),
        ]
        let reported = result.stdout.components(separatedBy: "; ")
        for (name, reason) in expected {
            let entry = reported.first { $0.hasPrefix("\(corpus)/\(name) (") || $0.contains("skipped \(expected.count): \(corpus)/\(name) (") }
            #expect(entry?.contains(reason) == true, "\(name) not reported with '\(reason)': \(result.stdout)")
        }
        #expect(result.stdout.contains("indexed 5 files"), "\(result.stdout)")
        #expect(result.stdout.contains("skipped \(expected.count):"), "\(result.stdout)")
        let found = try run("huojud", ["search", "--index", index, "--json", "--limit", "100", "超长单行测试"])
        let hits = (try JSONSerialization.jsonObject(with: Data(found.stdout.utf8)) as? [String: Any])?["hits"] as? [[String: Any]]
        #expect(hits?.contains { ($0["path"] as? String)?.hasSuffix("/single_line.txt") == true } == true, "\(found.stdout.prefix(500))")
        let encoded = try run("huojud", ["search", "--index", index, "--json", "--limit", "100", "高新区"])
        let paths = Set(((try JSONSerialization.jsonObject(with: Data(encoded.stdout.utf8)) as? [String: Any])?["hits"] as? [[String: Any]] ?? [])
            .compactMap { ($0["path"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent } })
        #expect(paths.isSuperset(of: ["good_utf8.txt", "good_gb18030.txt", "good_utf16le.txt", "good_utf16be.txt"]), "\(paths)")
    }

    // MARK: Bad queries

    @Test func hostileQueriesGetErrorRepliesAndTheConnectionKeepsAnswering() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let client = try LineClient(path: daemon.socket)
        func request(_ query: String) -> [UInt8] {
            Array(try! JSONSerialization.data(withJSONObject: ["op": "search", "id": 1, "query": query]))
        }
        let nested = String(repeating: "(", count: 5000) + "高新区" + String(repeating: ")", count: 5000)
        let cases: [(name: String, line: [UInt8], errors: Set<String>)] = [
            ("10,000 characters", request(String(repeating: "高新区", count: 3334)), ["invalid_query"]),
            ("10,000 Latin characters", request(String(repeating: "a", count: 10_000)), ["invalid_query"]),
            ("deeply nested", request(nested), ["invalid_query"]),
            ("unbalanced (", request("((((高新区 人才"), ["invalid_query"]),
            ("unbalanced )", request("高新区)))) 人才"), ["invalid_query"]),
            ("only operators", request("OR | - ( ) \" ：："), ["invalid_query"]),
            ("only punctuation", request("。，、！？；：“”《》……——"), ["invalid_query"]),
            ("only ASCII punctuation", request("!@#$%^&*_+=[]{};'<>,./?~`"), ["invalid_query"]),
            ("only stop characters", request("的 了 是 和"), []),
            ("field without value", request("title: zone:"), ["invalid_query"]),
            ("invalid UTF-8", Array(#"{"op":"search","id":1,"query":""#.utf8) + [0xC3, 0x28, 0xF0, 0x9F, 0xFF] + Array(#""}"#.utf8), ["bad_request"]),
            ("lone surrogate escape", Array(#"{"op":"search","id":1,"query":"\ud800\udfff\ud800"}"#.utf8), ["bad_request", "invalid_query"]),
            ("NUL and controls", request("高新区\u{0}\u{1}\u{1B}[31m"), []),
        ]
        for (name, line, errors) in cases {
            #expect(client.send(line + [10]), "\(name): the daemon closed the connection")
            let reply = try #require(client.readReply(), "no reply for \(name)")
            if let code = (reply["error"] as? [String: Any])?["code"] as? String {
                #expect(errors.contains(code), "\(name): error \(code)")
            } else {
                #expect(reply["ok"] as? Bool == true && errors.isEmpty, "\(name): \(reply)")
            }
            client.send(#"{"op":"ping","id":99}"#)
            #expect(client.readReply()?["id"] as? Int == 99, "connection unusable after \(name)")
        }
    }

    // MARK: Idle, slow and excess clients

    @Test func idleSlowAndNeverReadingClientsAreDisconnectedWithoutStallingOthers() throws {
        let daemon = try Daemon(arguments: ["--idle-timeout", "2", "--request-timeout", "3"])
        defer { daemon.stop() }
        let started = Date()
        let idle = try LineClient(path: daemon.socket)
        let slow = try LineClient(path: daemon.socket)
        let flood = try LineClient(path: daemon.socket)
        let slowCut = Mutex<Double?>(nil)
        let slowThread = Thread {
            // One byte every 200 ms of a request that never ends.
            for byte in Array(#"{"op":"search","query":"高新区 人才 科研助理 孵化器 众创空间 石嘴山","id":1,"limit":"#.utf8) + Array(repeating: UInt8(ascii: "9"), count: 100) {
                if !slow.send([byte]) { slowCut.withLock { $0 = Date().timeIntervalSince(started) }; return }
                usleep(200_000)
            }
        }
        slowThread.start()
        let floodDone = Mutex(false)
        let floodThread = Thread {
            // Pipelines requests and never reads a reply: blocks once the buffers are full.
            let line = Array(#"{"op":"search","query":"高新区","limit":50}"#.utf8) + [10]
            for _ in 0..<20_000 where flood.send(line) {}
            floodDone.withLock { $0 = true }
        }
        floodThread.start()

        // Meanwhile a well-behaved client gets every answer (how promptly is scripts/load's to
        // measure, on a release build with the machine to itself).
        // It asks every 200 ms for 5 s: past the idle timeout, while the abusers are being cut.
        let client = try LineClient(path: daemon.socket)
        for round in 0..<25 {
            client.send(#"{"op":"search","id":\#(round),"query":"科研助理","limit":5}"#)
            let reply = client.readReply()
            #expect(reply?["id"] as? Int == round && reply?["ok"] as? Bool == true)
            usleep(200_000)
        }

        // Each abuser is cut off: waited for as events, with a deadline that only guards against a hang.
        func closedWithin(_ seconds: Double, _ client: LineClient) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if client.isClosedByPeer() { return true }
                usleep(50_000)
            }
            return client.isClosedByPeer()
        }
        #expect(closedWithin(120, idle), "idle client still connected after 120 s (idle timeout 2 s)")
        // The flood client is watched through its sender (its sends fail once it is cut): reading
        // its replies here would make it a client that reads.
        let deadline = Date().addingTimeInterval(120)
        while !floodDone.withLock({ $0 }), Date() < deadline { usleep(50_000) }
        #expect(floodDone.withLock { $0 } && flood.isClosedByPeer(), "never-reading client still connected after 120 s (idle timeout 2 s)")
        while slowCut.withLock({ $0 }) == nil, Date() < deadline { usleep(50_000) }
        let cut = try #require(slowCut.withLock { $0 }, "slow client still connected after 120 s (request timeout 3 s)")
        // Not cut by the idle timeout: it was sending a byte every 200 ms for longer than that.
        #expect(cut > 2, "slow client cut after \(cut) s, before any timeout could apply")
        #expect(try run("huoju", ["ping", "--socket", daemon.socket]).status == 0)
    }

    /// A client that pipelines far more work than the timeouts and reads every reply is not
    /// mistaken for an idle or slow one while its requests wait their turn. The sender keeps
    /// pipelining until the burst has lasted three times the timeouts, so the test is never
    /// vacuous, however fast the daemon answers.
    @Test func aLongPipelinedBurstIsAnsweredInFullDespiteShortTimeouts() throws {
        let daemon = try Daemon(arguments: ["--idle-timeout", "1", "--request-timeout", "1"])
        defer { daemon.stop() }
        let client = try LineClient(path: daemon.socket)
        let sent = Atomic<Int>(0)
        let started = Date()
        let sender = Thread {
            var count = 0
            while Date().timeIntervalSince(started) < 3 {
                let chunk = (count..<count + 200).map { #"{"op":"search","id":\#($0),"query":"高新区 人才","limit":3}"# }
                guard client.send(Array((chunk.joined(separator: "\n") + "\n").utf8)) else { break }
                count += 200
            }
            sent.store(count, ordering: .releasing)
            client.send(#"{"op":"ping","id":"end"}"#)
        }
        sender.start()
        var answered = 0
        while let reply = client.readReply(), reply["id"] as? String != "end" {
            #expect(reply["id"] as? Int == answered && reply["ok"] as? Bool == true)
            answered += 1
        }
        #expect(answered > 0 && answered == sent.load(ordering: .acquiring),
                "connection closed after \(answered) of \(sent.load(ordering: .acquiring)) replies")
    }

    /// Each write completes one request and starts the next, 0.6 s apart: no line is ever
    /// incomplete for the request timeout (2 s), though some line always is, for over 4 s. The
    /// client is sending, not trickling, and must be answered in full.
    @Test func requestsStraddlingWritesAreNotCutWhileEachLineArrivesInTime() throws {
        let daemon = try Daemon(arguments: ["--idle-timeout", "10", "--request-timeout", "2"])
        defer { daemon.stop() }
        let client = try LineClient(path: daemon.socket)
        let lines = (0..<7).map { #"{"op":"search","id":\#($0),"query":"科研助理","limit":1}"# + "\n" }
        let half = lines[0].utf8.count / 2
        #expect(client.send(Array(lines[0].utf8.prefix(half))))
        for i in 1..<lines.count {
            usleep(600_000)  // the client's pace: each line completes 0.6 s after it started
            #expect(client.send(Array(lines[i - 1].utf8.dropFirst(half)) + Array(lines[i].utf8.prefix(half))), "cut before write \(i)")
        }
        #expect(client.send(Array(lines[lines.count - 1].utf8.dropFirst(half))))
        for i in lines.indices {
            let reply = client.readReply()
            #expect(reply?["id"] as? Int == i && reply?["ok"] as? Bool == true, "request \(i): \(String(describing: reply))")
        }
    }

    @Test func connectionsBeyondTheLimitAreRefusedAndLogged() throws {
        let daemon = try Daemon(arguments: ["--max-connections", "4"])
        defer { daemon.stop() }
        var held: [LineClient] = []
        for i in 0..<4 {
            let client = try LineClient(path: daemon.socket)
            client.send(#"{"op":"ping","id":\#(i)}"#)
            #expect(client.readReply()?["ok"] as? Bool == true)
            held.append(client)
        }
        let excess = try LineClient(path: daemon.socket)
        let reply = try #require(excess.readReply())
        #expect((reply["error"] as? [String: Any])?["code"] as? String == "busy")
        #expect(excess.readReply() == nil, "refused connection left open")
        #expect(daemon.logText.contains("refused connection: too many connections"), "\(daemon.logText)")
        held.removeFirst()  // closes it: the daemon takes a new connection once it has seen that
        #expect(eventually { (try? run("huoju", ["ping", "--socket", daemon.socket]).status) == 0 }, "no connection accepted after one closed")
        #expect(held.count == 3)
    }

    /// `ulimit -n 64`: connections beyond what the descriptors allow are refused, a reindex
    /// still has the descriptors it needs, and the daemon keeps serving.
    @Test func fileDescriptorLimitRefusesConnectionsNotTheDaemon() throws {
        let daemon = try Daemon(fileLimit: 64)
        defer { daemon.stop() }
        var served: [LineClient] = [], refused = 0
        for i in 0..<60 {
            let client = try LineClient(path: daemon.socket, timeoutSeconds: 5)
            client.send(#"{"op":"ping","id":\#(i)}"#)
            let reply = client.readReply()
            if reply?["ok"] as? Bool == true { served.append(client) } else {
                #expect((reply?["error"] as? [String: Any])?["code"] as? String == "busy", "\(String(describing: reply))")
                refused += 1
            }
        }
        #expect(served.count >= 16 && refused > 0, "served \(served.count), refused \(refused)")
        #expect(daemon.logText.contains("too many connections"))
        // A reindex while every connection slot is taken (asked on a connection already held).
        let owner = served[0]
        owner.send(#"{"op":"reindex","id":"r"}"#)
        #expect(owner.readReply()?["ok"] as? Bool == true)
        var state: String?
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            owner.send(#"{"op":"status","id":"s"}"#)
            let last = (owner.readReply()?["result"] as? [String: Any])?["lastReindex"] as? [String: Any]
            state = last?["state"] as? String
            if state != "running" { break }
            usleep(100_000)
        }
        #expect(state == "done")
        served.removeAll()
        #expect(daemon.process.isRunning)
        #expect(eventually { (try? run("huoju", ["search", "--socket", daemon.socket, "科研助理"]).status) == 0 })
    }

    /// A daemon allowed more connections than it has descriptors for: accepting fails with
    /// EMFILE, which is logged and backed off from, and the waiting clients are served once
    /// descriptors are free again.
    @Test func runningOutOfDescriptorsIsLoggedAndRecovered() throws {
        let daemon = try Daemon(arguments: ["--max-connections", "200"], fileLimit: 48)
        defer { daemon.stop() }
        var clients: [LineClient] = []
        for _ in 0..<60 { clients.append(try LineClient(path: daemon.socket, timeoutSeconds: 0.2)) }
        for (i, client) in clients.enumerated() { client.send(#"{"op":"ping","id":\#(i)}"#) }
        #expect(eventually { daemon.logText.contains("cannot accept connections") }, "\(daemon.logText.suffix(2000))")
        let answered = clients.filter { $0.readReply()?["ok"] as? Bool == true }.count
        #expect(answered < 60, "no descriptor shortage happened")
        clients.removeAll()
        #expect(daemon.process.isRunning)
        #expect(eventually { (try? run("huoju", ["ping", "--socket", daemon.socket]).status) == 0 }, "not served once descriptors were free")
    }

    // MARK: Access

    static let canSwitchUser = geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")

    /// Runs `huoju ARGS` as uid 65534 (nobody) with the given group options of setpriv.
    func asNobody(_ groups: [String], _ arguments: [String]) throws -> ProcessOutput {
        try run("/usr/bin/setpriv", ["--reuid=65534"] + groups + [binDirectory + "/huoju"] + arguments)
    }

    @Test(.enabled(if: canSwitchUser, "needs root and /usr/bin/setpriv to run a client as another user"))
    func otherUsersAreRefusedAndOnlyTheOwnerMayShutDownOrReindex() throws {
        // Owner only (0600): the kernel refuses another user at connect.
        let private_ = try Daemon()
        defer { private_.stop() }
        chmod(private_.directory, 0o755)
        let denied = try asNobody(["--regid=65534", "--clear-groups"], ["ping", "--socket", private_.socket])
        #expect(denied.status != 0 && denied.stderr.contains("Permission denied"), "\(denied.status) \(denied.stderr)")

        // Group access (0660): a user who can open the socket through a supplementary group,
        // but whose own group is not the daemon's, is refused by the daemon (SO_PEERCRED).
        let shared = try Daemon(arguments: ["--socket-mode", "0660"])
        defer { shared.stop() }
        chmod(shared.directory, 0o755)
        var info = stat()
        #expect(stat(shared.socket, &info) == 0 && info.st_mode & 0o777 == 0o660)
        let stranger = try asNobody(["--regid=65534", "--groups=\(getegid())"], ["ping", "--socket", shared.socket])
        #expect(stranger.status != 0 && stranger.stderr.contains("serves only its owner"), "\(stranger.status) \(stranger.stderr)")
        #expect(shared.logText.contains("refused connection") && shared.logText.contains("uid 65534"))

        // A member of the daemon's group may search, but not shut it down or reindex.
        let member = ["--regid=\(getegid())", "--clear-groups"]
        #expect(try asNobody(member, ["ping", "--socket", shared.socket]).status == 0)
        #expect(try asNobody(member, ["search", "--socket", shared.socket, "科研助理"]).status == 0)
        for op in ["shutdown", "reindex"] {
            let attempt = try asNobody(member, [op, "--socket", shared.socket])
            #expect(attempt.status != 0 && attempt.stderr.contains("only the daemon's owner"), "\(op): \(attempt.stderr)")
        }
        #expect(shared.process.isRunning)
        #expect(try run("huoju", ["ping", "--socket", shared.socket]).status == 0)
    }

    @Test func socketIsNeverWorldAccessible() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("huojud-mode-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for mode in ["0666", "0606", "0644", "0777", "0604"] {
            let attempt = try run("huojud", ["serve", "--index", directory + "/idx", "--socket", directory + "/s.sock", "--socket-mode", mode])
            #expect(attempt.status != 0 && attempt.stderr.contains("--socket-mode"), "\(mode): \(attempt.stderr)")
        }
    }
}
