import Foundation
import HuojuCorpus
import HuojuIndex
import HuojuParser
import HuojuQuery
import HuojuServer
import HuojuText
import HuojuZones
import Logging

/// What each fuzz target checks for one input. The libFuzzer harnesses of Fuzz/ call these,
/// and so do the regression tests that replay every crash input, so a fixed crash stays fixed
/// under exactly the check that found it. A violated property stops the process
/// (`precondition`), which libFuzzer records as a crash.
///
/// Not thread-safe: libFuzzer and the replay tests call one check at a time.
public final class FuzzChecks: @unchecked Sendable {
    public static let targets = ["protocol", "query", "issue", "segment"]

    private let index: String
    private lazy var service: QueryService = {
        let live = LiveIndex(directory: index, corpus: nil, logger: Logger(label: "fuzz"))
        try! live.open(watch: false)
        return QueryService(index: live, ownerUID: 0, logger: Logger(label: "fuzz"))
    }()
    private lazy var searcher = try! Searcher(snapshot: try! IndexSnapshot.open(directory: index, analyzer: Analyzer.version))
    private lazy var analyzer = Analyzer()
    private lazy var recognizer = ZoneRecognizer(gazetteer: .builtIn)
    private lazy var damage = SegmentDamage(template: index)

    /// Builds the tiny index the checks search (once per process).
    public init() {
        index = TinyIndex.scratchDirectory("index")
        try! TinyIndex.build(at: index)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: index)
    }

    /// Builds what `target` uses (index, service, searcher, damage copy) before the first
    /// input, so that setup is not timed as an input.
    public func prepare(_ target: String) {
        switch target {
        case "protocol": _ = service
        case "query": _ = searcher
        case "issue": _ = (analyzer, recognizer)
        case "segment": _ = damage
        default: preconditionFailure("unknown fuzz target \(target)")
        }
    }

    public func run(_ target: String, _ input: UnsafeBufferPointer<UInt8>) {
        switch target {
        case "protocol": requestLine(input)
        case "query": query(input)
        case "issue": issueFile(input)
        case "segment": damagedIndex(input)
        default: preconditionFailure("unknown fuzz target \(target)")
        }
    }

    /// Any request line: the answer is exactly one line holding a JSON object with `ok`. The
    /// peer is not the owner, so `reindex` and `shutdown` are refused and have no effect.
    public func requestLine(_ line: UnsafeBufferPointer<UInt8>) {
        let (reply, effect) = service.respond(to: line, from: Peer(pid: 1, uid: 4242, gid: 4242))
        precondition(effect == .none, "a non-owner request had an effect")
        precondition(reply.last == UInt8(ascii: "\n") && !reply.dropLast().contains(UInt8(ascii: "\n")), "reply is not one line")
        let object = try? JSONSerialization.jsonObject(with: Data(reply.dropLast())) as? [String: Any]
        precondition(object?["ok"] is Bool, "reply is not a protocol object: \(String(decoding: reply, as: UTF8.self))")
    }

    /// Any query text (after an options byte): a result within the limit, or an error.
    public func query(_ bytes: UnsafeBufferPointer<UInt8>) {
        let options = bytes.first ?? 0
        let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
        _ = try? QueryParser.parse(text)
        let request = SearchRequest(query: text, limit: Int(options & 0x0F), offset: Int(options >> 6),
                                    exact: options & 0x10 != 0, explain: options & 0x20 != 0,
                                    zone: options & 0x30 == 0x30 ? "中关村" : nil)
        if let result = try? searcher.search(request) {
            precondition(result.hits.count <= request.limit, "more hits than the limit")
            precondition(result.hits.count <= result.total + result.partialTotal, "more hits than matches")
        }
    }

    /// Any file content: decoding fails with a reason or gives text; parsing and analysing that
    /// text never crash, and every token lies inside its text.
    public func issueFile(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let decoded = try? InputDecoder.decode(Array(bytes)) else { return }
        let parsed = IssueParser.parse(decoded.text)
        for (ordinal, article) in parsed.articles.enumerated() {
            let document = IndexDocument(article: article, ordinal: ordinal, issue: parsed.issue, path: "/fuzz.txt", recognizer: recognizer)
            for field in Field.text {
                guard let text = document.text(of: field), !text.isEmpty else { continue }
                let analysis = analyzer.analyze(text)
                precondition(analysis.tokens.allSatisfy { $0.position >= 0 && Int($0.position) < max(1, analysis.positions) },
                             "token position outside the analysed text")
            }
        }
    }

    /// A damaged index (see `SegmentDamage`): an error, never a crash or a hang.
    public func damagedIndex(_ input: UnsafeBufferPointer<UInt8>) {
        guard let snapshot = damage.apply(input) else { return }
        defer { damage.restore() }
        guard let searcher = try? Searcher(snapshot: snapshot) else { return }
        for query in ["高新区", "科研助理 人才", "\"新材料产业\"", "孵化器 OR 光谷 -芯片", "title:创新", "zone:中关村 研发",
                      "issue:7", "date:2021-01-01..2022-12-31 园区", "5G", "AI 政策", "发展"] {
            _ = try? searcher.search(SearchRequest(query: query, limit: 20, explain: true))
        }
        for segment in snapshot.segments { try? segment.verify() }
        for global in stride(from: 0, to: snapshot.docCount, by: 17) { _ = try? snapshot.document(global: global) }
    }

    /// True when the input leaves an index that opens.
    public func segmentInputOpens(_ input: UnsafeBufferPointer<UInt8>) -> Bool {
        guard damage.apply(input) != nil else { return false }
        damage.restore()
        return true
    }

    /// The seeds of the segment target: every file of the tiny index, as an input that
    /// replaces it unchanged (flags 3).
    public func segmentSeeds() -> [(name: String, bytes: [UInt8])] {
        damage.names.enumerated().map { index, name in
            (name, [UInt8(index), 3] + Array(FileManager.default.contents(atPath: self.index + "/" + name)!))
        }
    }

    /// Writes the segment seeds into `directory` (`Fuzz/Seeds/segment` after a format change).
    public func writeSegmentSeeds(to directory: String) {
        for seed in segmentSeeds() {
            precondition(FileManager.default.createFile(atPath: directory + "/" + seed.name, contents: Data(seed.bytes)))
        }
    }
}

/// Applies one input to a copy of an intact index.
///
/// Byte 0 picks a file (a segment file or the manifest), byte 1 holds flags, the rest replaces
/// the file's bytes. Flag 1 re-seals a segment file's CRC footer and flag 2 records its new
/// size in the manifest (re-sealing it): without them nearly every mutation stops at a
/// checksum, with them the decoders behind the checksums are fuzzed too.
final class SegmentDamage {
    let template: String
    let names: [String]
    private let work = TinyIndex.scratchDirectory("damaged")
    private var touched: [String] = []

    deinit { try? FileManager.default.removeItem(atPath: work) }

    init(template: String) {
        self.template = template
        names = (try! FileManager.default.contentsOfDirectory(atPath: template)).filter { $0.hasPrefix("seg-") || $0 == Manifest.fileName }.sorted()
        for name in names { try! FileManager.default.copyItem(atPath: template + "/" + name, toPath: work + "/" + name) }
    }

    func apply(_ input: UnsafeBufferPointer<UInt8>) -> IndexSnapshot? {
        guard input.count >= 2 else { return nil }
        let name = names[Int(input[0]) % names.count]
        var bytes = Array(input[2...])
        if input[1] & 1 != 0, name != Manifest.fileName, bytes.count >= 8 {
            let crc = CRC32.of(bytes[..<(bytes.count - 8)])
            withUnsafeBytes(of: crc.littleEndian) { bytes.replaceSubrange((bytes.count - 8)..<(bytes.count - 4), with: $0) }
        }
        replace(name, with: bytes)
        if input[1] & 2 != 0, name != Manifest.fileName,
           var manifest = try? JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: template + "/" + Manifest.fileName))) {
            for s in manifest.segments.indices where manifest.segments[s].files[name] != nil { manifest.segments[s].files[name] = bytes.count }
            manifest.checksum = manifest.contentChecksum
            replace(Manifest.fileName, with: Array(try! JSONEncoder().encode(manifest)))
        }
        guard let snapshot = try? IndexSnapshot.open(directory: work, analyzer: Analyzer.version) else { restore(); return nil }
        return snapshot
    }

    /// Puts the intact files back. A new inode each time: a mapping of the damaged file may
    /// still be alive.
    func restore() {
        for name in touched {
            try? FileManager.default.removeItem(atPath: work + "/" + name)
            try! FileManager.default.copyItem(atPath: template + "/" + name, toPath: work + "/" + name)
        }
        touched = []
    }

    private func replace(_ name: String, with bytes: [UInt8]) {
        try? FileManager.default.removeItem(atPath: work + "/" + name)
        precondition(FileManager.default.createFile(atPath: work + "/" + name, contents: Data(bytes)), "cannot write \(name)")
        touched.append(name)
    }
}

/// CRC-32 (zlib's polynomial), to re-seal a mutated file the way the index writer does.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func of(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
