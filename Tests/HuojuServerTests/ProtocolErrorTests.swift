import Foundation
import HuojuServer
import Logging
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Every protocol error code a client can meet (docs/protocol.md), each with the request's id
/// echoed: a client that pipelines finds which request failed by its id.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ProtocolErrorTests {
    static func ask(_ client: LineClient, _ line: String) throws -> [String: Any] {
        #expect(client.send(line), "the daemon closed the connection before \(line)")
        return try #require(client.readReply(), "no reply to \(line)")
    }

    static func code(_ reply: [String: Any]) -> String? { (reply["error"] as? [String: Any])?["code"] as? String }

    @Test func rangesCountingAndMalformedFieldsAreBadRequestsWithTheirId() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let client = try LineClient(path: daemon.socket)
        // (request fields, the error code, or nil for success): each range's both edges.
        let cases: [(fields: String, code: String?)] = [
            (#""op":"search","query":"人才","limit":0"#, nil), (#""op":"search","query":"人才","limit":1000"#, nil),
            (#""op":"search","query":"人才","limit":1001"#, "bad_request"), (#""op":"search","query":"人才","limit":-1"#, "bad_request"),
            (#""op":"search","query":"人才","offset":100000"#, nil), (#""op":"search","query":"人才","offset":100001"#, "bad_request"),
            (#""op":"search","query":"人才","offset":-1"#, "bad_request"),
            (#""op":"search","query":"人才","groupBy":"zone","groupHits":100"#, nil),
            (#""op":"search","query":"人才","groupBy":"zone","groupHits":101"#, "bad_request"),
            (#""op":"search","query":"人才","counting":"topK""#, nil), (#""op":"search","query":"人才","counting":"exact""#, nil),
            (#""op":"search","query":"人才","counting":"fast""#, "bad_request"), (#""op":"search","query":"人才","counting":1"#, "bad_request"),
            (#""op":"search","query":"人才","limit":"10""#, "bad_request"), (#""op":"search""#, "bad_request"),
            (#""op":"zones","query":"人才","limit":1000"#, nil), (#""op":"zones","query":"人才","limit":1001"#, "bad_request"),
            (#""op":"search","query":"(人才""#, "invalid_query"), (#""op":"zones","query":"\"人才""#, "invalid_query"),
            (#""op":"status","v":2"#, "unsupported_version"), (#""op":"frobnicate""#, "unknown_op"),
        ]
        for (number, (fields, code)) in cases.enumerated() {
            let id = "case-\(number)"
            let reply = try Self.ask(client, #"{"id":"\#(id)",\#(fields)}"#)
            #expect(reply["id"] as? String == id, "\(fields): \(reply)")
            if let code {
                #expect(reply["ok"] as? Bool == false && Self.code(reply) == code, "\(fields): \(reply)")
            } else {
                #expect(reply["ok"] as? Bool == true, "\(fields): \(reply)")
            }
        }
    }

    /// A second rebuild asked for while one runs is refused as busy; the refusal carries the
    /// id of the request it answers (two pipelined requests may be worked on in either order).
    @Test func aSecondRebuildWhileOneRunsIsBusyWithItsId() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let client = try LineClient(path: daemon.socket)
        client.send(#"{"op":"reindex","id":"first","rebuild":true}"# + "\n" + #"{"op":"reindex","id":"second","rebuild":true}"#)
        let replies = [try #require(client.readReply()), try #require(client.readReply())]
        #expect(replies.map { $0["id"] as? String } == ["first", "second"])
        let busy = replies.filter { Self.code($0) == "busy" }
        #expect(busy.count == 1 && replies.contains { $0["ok"] as? Bool == true }, "\(replies)")
    }

    /// Damage under a running daemon (the stored documents overwritten in place, where the
    /// daemon reads them) is an index error for the search that meets it, not a crash.
    @Test func damageMetBySearchIsAnIndexErrorWithTheId() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let client = try LineClient(path: daemon.socket)
        #expect(try Self.ask(client, #"{"op":"search","id":1,"query":"科研助理"}"#)["ok"] as? Bool == true)
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: daemon.index).first { $0.hasSuffix(".doc") })
        let url = URL(fileURLWithPath: daemon.index + "/" + name)
        var bytes = try [UInt8](Data(contentsOf: url))
        for i in 16..<(bytes.count - 8) { bytes[i] = 0xFF }
        let handle = try FileHandle(forWritingTo: url)  // in place: no new file, no truncation
        try handle.write(contentsOf: bytes)
        try handle.close()
        let reply = try Self.ask(client, #"{"op":"search","id":"damaged","query":"科研助理"}"#)
        #expect(reply["id"] as? String == "damaged" && Self.code(reply) == "index_error", "\(reply)")
        let message = (reply["error"] as? [String: Any])?["message"] as? String ?? ""
        // The remedy is the client's: `huojud index` may not write an index a daemon serves.
        #expect(message.contains(name) && message.contains("huoju reindex --rebuild") && !message.contains("huojud index"), "\(reply)")
        #expect(try Self.ask(client, #"{"op":"ping","id":2}"#)["ok"] as? Bool == true)
    }

    /// Before its index is open, and with no corpus folder known, the service answers
    /// `not_available` (the daemon opens the index before it listens, so this is the service).
    @Test func withoutAnOpenIndexOrACorpusRequestsAreNotAvailableWithTheirId() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("huojud-na-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "test")
        let service = QueryService(index: LiveIndex(directory: directory, corpus: nil, logger: logger), ownerUID: getuid(), logger: logger)
        let peer = Peer(pid: getpid(), uid: getuid(), gid: getgid())
        for (id, line) in [(7, #"{"op":"search","id":7,"query":"人才"}"#), (8, #"{"op":"zones","id":8,"query":"人才"}"#),
                           (9, #"{"op":"zones","id":9,"unlisted":true}"#), (10, #"{"op":"reindex","id":10}"#)] {
            let reply = try JSONSerialization.jsonObject(with: Data(service.respond(to: Array(line.utf8), from: peer).reply)) as? [String: Any]
            #expect(reply?["id"] as? Int == id && Self.code(reply ?? [:]) == "not_available", "\(line): \(String(describing: reply))")
        }
    }
}
