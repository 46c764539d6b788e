import Foundation
import Synchronization
import HuojuTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Drives a real `huojud serve` with the real `huoju` binary and raw protocol lines.
@Suite(.serialized, .timeLimit(.minutes(10))) struct DaemonTests {
    @Test func clientResultsEqualInProcessSearchAndSocketIsOwnerOnly() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        var info = stat()
        #expect(stat(daemon.socket, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600, "socket mode \(String(info.st_mode & 0o777, radix: 8))")
        for query in ["科研助理", "高新区 人才", "石嘴山", "孵化器 OR 众创空间", "5G"] {
            let viaDaemon = try run("huoju", ["search", "--socket", daemon.socket, "--json", "--limit", "20", query])
            let inProcess = try run("huojud", ["search", "--index", daemon.index, "--json", "--limit", "20", query])
            #expect(viaDaemon.status == 0, "\(viaDaemon.stderr)")
            let a = try JSONSerialization.jsonObject(with: Data(viaDaemon.stdout.utf8)) as! [String: Any]
            let b = try JSONSerialization.jsonObject(with: Data(inProcess.stdout.utf8)) as! [String: Any]
            #expect(a["total"] as? Int == b["total"] as? Int)
            let hitsA = (a["hits"] as! [[String: Any]]), hitsB = (b["hits"] as! [[String: Any]])
            #expect(hitsA.map { "\($0["path"]!)#\($0["ordinal"]!)" } == hitsB.map { "\($0["path"]!)#\($0["ordinal"]!)" })
            #expect(hitsA.map { $0["score"] as! Double } == hitsB.map { $0["score"] as! Double })
            #expect(hitsA.allSatisfy { ($0["snippet"] as? String)?.isEmpty == false })
        }
        let human = try run("huoju", ["search", "--socket", daemon.socket, "--color", "never", "科研助理"])
        #expect(human.stdout.contains("【科研助理】"))
        #expect(human.stdout.contains("2022年第13期 · 2022-08-15"))
        #expect(human.stdout.contains("matching articles"))
    }

    @Test func badRequestsGetErrorRepliesAndTheConnectionKeepsAnswering() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let client = try LineClient(path: daemon.socket)
        let cases: [(send: [UInt8], code: String)] = [
            (Array("{not json".utf8), "bad_request"),
            (Array("[1,2,3]".utf8), "bad_request"),
            (Array(#"{"op":"search","id":3,"query":42}"#.utf8), "bad_request"),
            ([0x7B, 0x22, 0x6F, 0x70, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D], "bad_request"),  // invalid UTF-8
            (Array(#"{"op":"frobnicate","id":"x"}"#.utf8), "unknown_op"),
            (Array(#"{"op":"ping","v":2}"#.utf8), "unsupported_version"),
            (Array(#"{"op":"search","query":"\"unterminated","id":5}"#.utf8), "invalid_query"),
            (Array(#"{"op":"search","id":6}"#.utf8), "bad_request"),
            (Array(repeating: UInt8(ascii: "a"), count: (1 << 20) + 10), "too_large"),
        ]
        for (bytes, code) in cases {
            client.send(bytes + [10])
            let reply = try #require(client.readReply(), "no reply for \(code)")
            #expect(reply["ok"] as? Bool == false)
            #expect((reply["error"] as? [String: Any])?["code"] as? String == code)
            client.send(#"{"op":"ping","id":99}"#)
            let pong = try #require(client.readReply())
            #expect(pong["ok"] as? Bool == true && pong["id"] as? Int == 99, "connection unusable after \(code)")
        }
        // Unknown-op and invalid-query replies echo the request id.
        client.send(#"{"op":"frobnicate","id":"abc"}"#)
        #expect(client.readReply()?["id"] as? String == "abc")
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let client = try LineClient(path: daemon.socket)
        let queries = ["科研助理", "人才", "石嘴山", "孵化器", "5G", "高新区 人才", "颠覆性", "光谷"]
        client.send(queries.enumerated().map { #"{"op":"search","id":\#($0.offset),"query":"\#($0.element)","limit":3}"# }.joined(separator: "\n") + "\n")
        for index in queries.indices {
            let reply = try #require(client.readReply())
            #expect(reply["id"] as? Int == index)
            #expect(reply["ok"] as? Bool == true)
        }
    }

    @Test func fiftyConcurrentClientsGetCorrectAnswers() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let expected = try run("huojud", ["search", "--index", daemon.index, "--json", "--limit", "5", "科研助理"]).stdout
        let expectedTotal = (try JSONSerialization.jsonObject(with: Data(expected.utf8)) as! [String: Any])["total"] as! Int
        let problems = Mutex<[String]>([])
        let socket = daemon.socket
        DispatchQueue.concurrentPerform(iterations: 50) { i in
            do {
                let client = try LineClient(path: socket)
                for round in 0..<5 {
                    client.send(#"{"op":"search","id":\#(i * 10 + round),"query":"科研助理","limit":5}"#)
                    let reply = client.readReply()
                    let total = (reply?["result"] as? [String: Any])?["total"] as? Int
                    if reply?["id"] as? Int != i * 10 + round || total != expectedTotal {
                        problems.withLock { $0.append("client \(i) round \(round): \(String(describing: reply))") }
                    }
                }
            } catch {
                problems.withLock { $0.append("client \(i): \(error)") }
            }
        }
        let found = problems.withLock { $0 }
        #expect(found.isEmpty, "\(found.prefix(3))")
    }

    @Test func secondDaemonOnTheSameSocketRefusesAndStaleSocketsAreReplaced() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let other = FileManager.default.temporaryDirectory.appendingPathComponent("huojud-other-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: other) }
        let second = try run("huojud", ["serve", "--corpus", SharedCorpus.directory!.path, "--index", other, "--socket", daemon.socket])
        #expect(second.status != 0)
        #expect(second.stderr.contains("already listening"), "\(second.stderr)")
        // The same index is locked even on another socket.
        let third = try run("huojud", ["serve", "--index", daemon.index, "--socket", other + ".sock"])
        #expect(third.status != 0 && third.stderr.contains("already serves the index"), "\(third.stderr)")
        #expect(try run("huoju", ["ping", "--socket", daemon.socket]).status == 0)
        // Nor may an offline build write into it.
        let offline = try run("huojud", ["index", "--corpus", SharedCorpus.directory!.path, "--index", daemon.index])
        #expect(offline.status != 0 && offline.stderr.contains("huoju reindex"), "\(offline.stderr)")

        // SIGKILL leaves a stale socket file; the next daemon replaces it.
        daemon.kill(SIGKILL)
        #expect(FileManager.default.fileExists(atPath: daemon.socket))
        let restarted = try Daemon(directory: daemon.directory)
        defer { restarted.stop() }
        #expect(restarted.socket == daemon.socket)
        #expect(try run("huoju", ["ping", "--socket", restarted.socket]).status == 0)
    }

    /// Issue #14 item 8: `huojud index` creates a nested index folder, and each command's hint
    /// names what that command's user runs next, once.
    @Test func offlineIndexCreatesParentFoldersAndHintsFitTheirCommand() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("huojud-hints-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let corpus = SharedCorpus.directory!.path
        let nested = folder + "/a/b/Index"
        let built = try run("huojud", ["index", "--corpus", corpus, "--index", nested])
        #expect(built.status == 0, "\(built.stderr)")
        #expect(try run("huojud", ["search", "--index", nested, "--json", "科研助理"]).status == 0)

        let missing = folder + "/none"
        let search = try run("huojud", ["search", "--index", missing, "科研助理"])
        #expect(search.status != 0 && search.stderr.contains("huojud index --corpus DIR --index \(missing)"), "\(search.stderr)")
        let serve = try run("huojud", ["serve", "--index", missing, "--socket", folder + "/s.sock"])
        #expect(serve.status != 0 && serve.stderr.contains("give --corpus DIR") && !serve.stderr.contains("huojud index"), "\(serve.stderr)")

        // A damaged manifest: `huojud index` names its own rebuild, with this corpus and index, once.
        try Data("{}".utf8).write(to: URL(fileURLWithPath: nested + "/manifest.json"))
        let damaged = try run("huojud", ["index", "--corpus", corpus, "--index", nested])
        let remedy = "huojud index --rebuild --corpus \(corpus) --index \(nested)"
        #expect(damaged.status != 0 && damaged.stderr.components(separatedBy: "--rebuild").count == 2 && damaged.stderr.contains(remedy),
                "\(damaged.stderr)")
        #expect(!damaged.stderr.contains("huoju reindex"), "\(damaged.stderr)")
        #expect(try run("huojud", ["index", "--rebuild", "--corpus", corpus, "--index", nested]).status == 0)
    }

    @Test func sigtermStopsCleanlyAndRemovesTheSocket() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        daemon.kill(SIGTERM)
        #expect(daemon.process.terminationStatus == 0, "\(daemon.logText)")
        #expect(!FileManager.default.fileExists(atPath: daemon.socket))
        let client = try run("huoju", ["ping", "--socket", daemon.socket])
        #expect(client.status == 3)
        #expect(client.stderr.contains("huojud serve") && client.stderr.split(separator: "\n").count == 1, "\(client.stderr)")
        #expect(client.stdout.isEmpty)
    }

    @Test func shutdownAndStatusOverTheClient() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let status = try run("huoju", ["status", "--socket", daemon.socket, "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [String: Any]
        #expect(json["documents"] as? Int == 34)
        #expect((json["segments"] as? Int ?? 0) >= 1)
        #expect((json["indexBytes"] as? Int ?? 0) > 0)
        // Latency per operation, once asked for: 3 searches and 2 pings before this status.
        for _ in 0..<3 { #expect(try run("huoju", ["search", "--socket", daemon.socket, "--json", "科研助理"]).status == 0) }
        for _ in 0..<2 { #expect(try run("huoju", ["ping", "--socket", daemon.socket]).status == 0) }
        let after = try JSONSerialization.jsonObject(with: Data(try run("huoju", ["status", "--socket", daemon.socket, "--json"]).stdout.utf8)) as! [String: Any]
        let latency = try #require(after["latency"] as? [String: [String: Any]], "\(after)")
        #expect(latency["search"]?["count"] as? Int == 3 && latency["ping"]?["count"] as? Int == 2 && latency["status"]?["count"] as? Int == 1,
                "\(latency)")
        #expect(latency["zones"] == nil)
        let search = try #require(latency["search"]?.mapValues { $0 as? Double ?? 0 })
        let order = ["p50Ms", "p90Ms", "p99Ms", "p999Ms", "maxMs"].map { search[$0] ?? 0 }
        #expect(order[0] > 0 && order == order.sorted(), "\(search)")
        let human = try run("huoju", ["status", "--socket", daemon.socket]).stdout
        let header = try #require(human.split(separator: "\n").first { $0.hasPrefix("latency:") }, "\(human)")
        #expect(header.split(separator: " ") == ["latency:", "ms", "count", "p50", "p90", "p99", "p99.9", "max"], "\(human)")
        #expect(human.split(separator: "\n").contains { $0.split(separator: " ").prefix(2) == ["search", "3"] }, "\(human)")
        #expect(try run("huoju", ["shutdown", "--socket", daemon.socket]).status == 0)
        try #require(daemon.waitForExit(within: 60), "shutdown did not stop the daemon")
        #expect(daemon.process.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: daemon.socket))
    }
}
