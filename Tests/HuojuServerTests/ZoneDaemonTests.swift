import Foundation
import HuojuTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Zones through the real daemon and client binaries.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ZoneDaemonTests {
    func json(_ output: ProcessOutput) throws -> [String: Any] {
        #expect(output.status == 0, "\(output.stderr)")
        return try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as! [String: Any]
    }

    @Test func zonesRankingOverTheClient() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let reply = try json(try run("huoju", ["zones", "--socket", daemon.socket, "--json", "科研助理"]))
        let zones = try #require(reply["zones"] as? [[String: Any]])
        #expect(Set(zones.prefix(3).compactMap { $0["zone"] as? String }) == ["乌鲁木齐高新区", "苏州高新区", "枣庄高新区"])
        for zone in zones {
            #expect(zone["articles"] is Int && zone["score"] is Double)
            #expect(((zone["best"] as? [String: Any])?["title"] as? String)?.isEmpty == false)
        }
        // The same as in-process.
        let inProcess = try json(try run("huojud", ["zones", "--index", daemon.index, "--json", "科研助理"]))
        #expect((inProcess["zones"] as? [[String: Any]])?.compactMap { $0["zone"] as? String } == zones.compactMap { $0["zone"] as? String })

        // On a terminal (forced here with --color always) each score is a bar; piped, plain lines.
        let bars = try run("huoju", ["zones", "--socket", daemon.socket, "--color", "always", "--limit", "4", "科研助理"])
        #expect(bars.status == 0 && bars.stdout.contains("█") && bars.stdout.contains("\u{1B}["), "\(bars.stdout)")
        let barLines = bars.stdout.split(separator: "\n").prefix(4)
        #expect(barLines.count == 4 && barLines.allSatisfy { $0.contains("about it") || $0.contains("article") })
        let plain = try run("huoju", ["zones", "--socket", daemon.socket, "--color", "never", "--limit", "4", "科研助理"])
        #expect(plain.status == 0 && !plain.stdout.contains("█") && !plain.stdout.contains("\u{1B}["))
        #expect(plain.stdout.contains("苏州高新区") && plain.stdout.contains("best: 苏州高新区:千名应届毕业生签约科研助理岗"))

        let unlisted = try json(try run("huoju", ["zones", "--socket", daemon.socket, "--unlisted", "--json"]))
        #expect((unlisted["zones"] as? [Any])?.isEmpty == true)
        #expect(try run("huoju", ["zones", "--socket", daemon.socket]).status != 0, "a query or --unlisted is needed")
        let client = try LineClient(path: daemon.socket)
        client.send(#"{"op":"zones","id":1}"#)
        #expect(((client.readReply()?["error"]) as? [String: Any])?["code"] as? String == "bad_request")
        client.send(#"{"op":"zones","id":2,"query":"\"unterminated"}"#)
        #expect(((client.readReply()?["error"]) as? [String: Any])?["code"] as? String == "invalid_query")
    }

    @Test func searchRepliesCarryZoneFacetsAndGroupByZone() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let result = try json(try run("huoju", ["search", "--socket", daemon.socket, "--json", "zone:光谷 人才"]))
        let facets = try #require((result["facets"] as? [String: Any])?["zones"] as? [[String: Any]])
        #expect(facets.first?["zone"] as? String == "武汉东湖高新区")
        #expect(facets.first?["articles"] as? Int == result["total"] as? Int)
        let human = try run("huoju", ["search", "--socket", daemon.socket, "--color", "never", "科研助理"])
        #expect(human.stdout.split(separator: "\n").last?.hasPrefix("zones: 上海张江高新区 3") == true, "\(human.stdout)")

        let grouped = try json(try run("huoju", ["search", "--socket", daemon.socket, "--json", "--group-by", "zone", "--group-hits", "2",
                                                 "--limit", "3", "科研助理"]))
        let groups = try #require(grouped["groups"] as? [[String: Any]])
        #expect(groups.count == 3 && (grouped["hits"] as? [Any])?.isEmpty == true)
        #expect(groups.allSatisfy { (($0["hits"] as? [Any])?.count ?? 0) >= 1 && (($0["hits"] as? [Any])?.count ?? 0) <= 2 })
        let inProcess = try json(try run("huojud", ["search", "--index", daemon.index, "--json", "--group-by", "zone", "--group-hits", "2",
                                                    "--limit", "3", "科研助理"]))
        #expect((inProcess["groups"] as? [[String: Any]])?.compactMap { $0["zone"] as? String } == groups.compactMap { $0["zone"] as? String })
        let humanGroups = try run("huoju", ["search", "--socket", daemon.socket, "--color", "never", "--group-by", "zone", "--limit", "2", "科研助理"])
        #expect(humanGroups.stdout.hasPrefix("1. 乌鲁木齐高新区  score "), "\(humanGroups.stdout)")
        #expect(humanGroups.stdout.contains("\n  - 苏州高新区:千名应届毕业生签约【科研助理】岗"))

        let client = try LineClient(path: daemon.socket)
        client.send(#"{"op":"search","id":1,"query":"人才","groupBy":"date"}"#)
        #expect(((client.readReply()?["error"]) as? [String: Any])?["code"] as? String == "bad_request")
    }

    /// A daemon started with another gazetteer than its index was built with serves the old
    /// index and rebuilds it in the background.
    @Test func anotherGazetteerRebuildsTheIndex() throws {
        let first = try Daemon()
        let zones = first.directory + "/zones.tsv"
        let count = try json(try run("huoju", ["search", "--socket", first.socket, "--json", "zone:金凤实验室"]))["total"] as? Int
        #expect(count == 0)
        first.stop(keepFolder: true)
        try "canonical\tkind\tprovince\tcity\taliases\tlist_names\n金凤实验室\t其他\t重庆\t重庆\t\t\n"
            .write(toFile: zones, atomically: true, encoding: .utf8)

        let second = try Daemon(directory: first.directory, arguments: ["--zones", zones])
        defer { second.stop() }
        let deadline = Date().addingTimeInterval(60)
        var total = 0
        while Date() < deadline {
            let status = try json(try run("huoju", ["status", "--socket", second.socket, "--json"]))
            if (status["lastReindex"] as? [String: Any])?["state"] as? String == "done" {
                total = try json(try run("huoju", ["search", "--socket", second.socket, "--json", "zone:金凤实验室"]))["total"] as? Int ?? 0
                break
            }
            usleep(100_000)
        }
        #expect(second.logText.contains("another zone gazetteer"), "\(second.logText)")
        #expect(total == 1)
    }

    /// A zone name no gazetteer has, in an issue written here, is listed as unlisted and found
    /// with `zone:` through the binaries.
    @Test func anUnseenZoneIsListedAndSearchable() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("huojud-unseen-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/corpus", withIntermediateDirectories: true)
        for file in try SharedCorpus.files() {
            try FileManager.default.copyItem(atPath: file.path, toPath: root + "/corpus/" + file.lastPathComponent)
        }
        try "\n\n某某高新区启动科研助理岗位开发\n\n本报讯 近日,某某高新区发布科研助理岗位80个,面向应届毕业生招聘。\n"
            .write(toFile: root + "/corpus/900_new.txt", atomically: true, encoding: .utf8)
        let daemon = try Daemon(directory: root + "/daemon", corpus: root + "/corpus")
        defer { daemon.stop() }
        let unlisted = try json(try run("huoju", ["zones", "--socket", daemon.socket, "--unlisted", "--json"]))
        let zones = try #require(unlisted["zones"] as? [[String: Any]])
        #expect(zones.count == 1 && zones.first?["zone"] as? String == "某某高新区" && zones.first?["articles"] as? Int == 1)
        let found = try json(try run("huoju", ["search", "--socket", daemon.socket, "--json", "zone:某某高新区"]))
        #expect(found["total"] as? Int == 1)
        #expect(((found["hits"] as? [[String: Any]])?.first?["title"] as? String) == "某某高新区启动科研助理岗位开发")
        let ranked = try json(try run("huoju", ["zones", "--socket", daemon.socket, "--json", "科研助理"]))
        let entry = (ranked["zones"] as? [[String: Any]])?.first { $0["zone"] as? String == "某某高新区" }
        #expect(entry?["unlisted"] as? Bool == true && entry?["primary"] as? Int == 1)
        let text = try run("huoju", ["zones", "--socket", daemon.socket, "--unlisted"])
        #expect(text.stdout.contains("某某高新区") && text.stdout.contains("zones.tsv"))
    }
}
