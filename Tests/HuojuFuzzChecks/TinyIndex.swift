import Foundation
import HuojuCorpus
import HuojuIndex
import HuojuText

/// A small synthetic index (two segments, 240 documents) for the harnesses that search or
/// damage an index: deterministic, so a crash input reproduces against the same index.
public enum TinyIndex {
    static let words = ["高新区", "人才", "科研助理", "孵化器", "众创空间", "石嘴山", "光谷", "新材料", "产业", "创新",
                        "企業", "5G", "AI", "芯片", "研发", "园区", "政策", "技术", "合作", "發展", "2022", "v3.2", "——", "，", "。"]
    static let zones = ["中关村", "武汉东湖", "苏州工业园区", "石嘴山高新区"]

    /// Frequent words occur in well over 128 documents, so their postings span several blocks.
    public static func documents() -> [IndexDocument] {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func pick(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        func text(_ count: Int) -> String { (0..<count).map { _ in words[pick(words.count)] }.joined() }
        return (0..<240).map { i in
            IndexDocument(path: "/tiny/\(i / 8).txt", ordinal: i % 8, title: text(2 + pick(3)),
                          section: pick(3) == 0 ? "【园区动态】" : nil, source: pick(4) == 0 ? "科技部火炬中心" : nil,
                          byline: pick(5) == 0 ? "本报记者 叶伟" : nil, body: text(6 + pick(12)),
                          issueYear: 2020 + pick(4), issueNumber: 1 + pick(24), issueCumulative: 500 + i / 8,
                          date: String(format: "20%02d-%02d-%02d", 20 + pick(4), 1 + pick(12), 1 + pick(28)),
                          zones: pick(2) == 0 ? [ZoneCount(zone: zones[pick(zones.count)], mentions: 1 + pick(3))] : [], primaryZone: nil)
        }
    }

    /// Builds the index into `directory` (created if needed).
    public static func build(at directory: String) throws {
        let analyzer = Analyzer()
        let writer = try IndexWriter(directory: directory, corpus: nil, analyzer: Analyzer.version)
        // Several small segments, so damage can hit any of them.
        var segments: [SegmentInfo] = []
        var builder = SegmentBuilder()
        for document in documents() {
            builder.add(document, analyzer: analyzer)
            if builder.docCount == 60 {
                segments.append(try writer.writeSegment(builder))
                builder = SegmentBuilder()
            }
        }
        if builder.docCount > 0 { segments.append(try writer.writeSegment(builder)) }
        try writer.commit(IndexWriter.Change(segments: segments))
    }

    /// A fresh folder for this process, in memory when /dev/shm exists (harnesses write per input).
    static func scratchDirectory(_ name: String) -> String {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = "\(base)/huoju-fuzz-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: path)
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
