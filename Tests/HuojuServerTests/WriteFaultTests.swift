import Foundation
import HuojuTestSupport
import Testing

/// A pass that cannot write (a full disk, a file-size limit) changes nothing: searches stay on
/// the previous generation, `status` shows the error, nothing half-written stays in the index
/// folder, and the pass is retried with backoff until it succeeds.
@Suite(.serialized) struct WriteFaultTests {
    /// Index files of the samples (and the daemon's log, a file too) stay far below this; the
    /// segment of `bigIssue` does not.
    static let sizeLimit = 2 << 20

    /// An issue whose one article holds 1.5 MB of random CJK text: its segment's files (most of
    /// all the term dictionary of its half a million distinct bigrams) go past `sizeLimit`.
    static func bigIssue() throws -> Data {
        var random = SplitMix(seed: 12)
        let noise = String(String.UnicodeScalarView((0..<500_000).map { _ in Unicode.Scalar(0x4E00 + UInt32(random.next() % 0x5000))! }))
        let text = try String(decoding: LiveIndexTests.issue("zqxhuge"), as: UTF8.self)
        let stop = text.firstIndex(of: "。")!
        return Data((text[...stop] + noise + "。" + text[text.index(after: stop)...]).utf8)
    }

    /// Files of the index folder that no commit names (partial segments, `*.tmp`).
    static func leftovers(_ index: String) throws -> [String] {
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: index + "/manifest.json"))) as! [String: Any]
        var named: Set<String> = ["manifest.json"]
        for segment in manifest["segments"] as! [[String: Any]] {
            named.formUnion((segment["files"] as! [String: Any]).keys)
            if let deletes = segment["deletes"] as? [String: Any] { named.insert(deletes["file"] as! String) }
        }
        if let zones = manifest["zones"] as? [String: Any] { named.insert(zones["file"] as! String) }
        return try FileManager.default.contentsOfDirectory(atPath: index)
            .filter { ($0.hasPrefix("seg-") || $0.hasSuffix(".tmp") || $0.hasPrefix("zones-")) && !named.contains($0) }.sorted()
    }

    /// Each pass over the big file takes a while in a debug build on a busy machine: the waits
    /// allow 4 minutes.
    @Test(.timeLimit(.minutes(15)))
    func aPassThatCannotWriteKeepsThePreviousGenerationAndIsRetriedUntilItSucceeds() throws {
        let (directory, corpus) = try LiveIndexTests.makeFolder()
        // No watcher: after the `reindex` below, only the daemon's retries start passes.
        let daemon = try Daemon(directory: directory, corpus: corpus, arguments: ["--no-watch"], sizeLimit: Self.sizeLimit)
        defer { daemon.stop() }
        let client = try LineClient(path: daemon.socket)
        #expect(LiveIndexTests.passDone(client, trigger: "start"))
        let generation = try #require(LiveIndexTests.status(client)["generation"] as? Int)
        let before = try #require(LiveIndexTests.paths(client, "高新区"))
        #expect(!before.isEmpty)

        try Self.bigIssue().write(to: URL(fileURLWithPath: corpus + "/big.txt"))
        client.send(#"{"op":"reindex"}"#)
        #expect(client.readReply()?["ok"] as? Bool == true)

        // The pass fails and is retried: status says why and when, nothing else changed.
        var failure: [String: Any] = [:]
        #expect(eventually(within: 240) {
            failure = LiveIndexTests.status(client)["passFailure"] as? [String: Any] ?? [:]
            return failure["retryAt"] != nil
        }, "no pass failure in status: \(daemon.logText)")
        #expect((failure["message"] as? String ?? "").contains("File too large"), "\(failure)")
        #expect(failure["at"] is String && (failure["failures"] as? Int ?? 0) >= 1, "\(failure)")
        #expect(LiveIndexTests.status(client)["generation"] as? Int == generation)
        #expect(LiveIndexTests.paths(client, "高新区") == before)
        #expect(LiveIndexTests.paths(client, "zqxhuge") == [])
        #expect(eventually { daemon.logText.contains("failed; retrying") && daemon.logText.contains("File too large") })

        // Between two attempts (status the same before and after looking, no pass or merge
        // running), the folder holds only what the manifest names.
        var stray: [String]? = nil
        #expect(eventually(within: 240) {
            let first = LiveIndexTests.status(client)
            guard (first["lastReindex"] as? [String: Any])?["state"] as? String == "failed", first["merging"] as? Bool == false,
                  let files = try? Self.leftovers(daemon.index) else { return false }
            let second = LiveIndexTests.status(client)
            guard NSDictionary(dictionary: first["passFailure"] as? [String: Any] ?? [:]).isEqual(second["passFailure"] as? [String: Any] ?? [:]),
                  (second["lastReindex"] as? [String: Any])?["state"] as? String == "failed", second["merging"] as? Bool == false else { return false }
            stray = files
            return true
        })
        #expect(stray == [], "left in the index folder: \(stray ?? [])")

        // What blocked the pass goes away (the big file is replaced by a small one, written
        // aside and moved in): the next retry commits it.
        let replacement = corpus + "/.replacement.tmp"
        try LiveIndexTests.issue("zqxsmall").write(to: URL(fileURLWithPath: replacement))
        try FileManager.default.removeItem(atPath: corpus + "/big.txt")
        try FileManager.default.moveItem(atPath: replacement, toPath: corpus + "/small.txt")
        #expect(eventually(within: 240) { LiveIndexTests.paths(client, "zqxsmall") == [corpus + "/small.txt"] },
                "the retry did not index the new file: \(daemon.logText)")
        // The pass reports after its commit: wait for its report before reading the status.
        #expect(LiveIndexTests.passDone(client, trigger: "retry"))
        #expect(LiveIndexTests.status(client)["passFailure"] == nil)
        let after = try #require(LiveIndexTests.paths(client, "高新区"))
        #expect(Set(after) == Set(before + [corpus + "/small.txt"]))
        #expect(try Self.leftovers(daemon.index) == [])
    }
}
