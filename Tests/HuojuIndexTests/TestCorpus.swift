import Foundation
@testable import HuojuIndex
@testable import HuojuText
import HuojuCorpus

/// Test documents committed as if they came from corpus files.
struct TestCorpus {
    let analyzer = Analyzer()

    /// Writes one segment holding `files` (each file's articles, in order) and returns the
    /// change that adds them, each file with a source entry (its hash made from its articles).
    func change(_ files: [(path: String, documents: [IndexDocument])], writer: IndexWriter) throws -> IndexWriter.Change {
        let builder = SegmentBuilder()
        var sources: [SourceFile] = []
        for (path, documents) in files {
            sources.append(SourceFile(path: path, hash: "test:\(documents.map(\.body).joined().hashValue)", size: 1, mtime: 1,
                                      segment: nil, firstDoc: Int(builder.docCount), docCount: documents.count))
            for document in documents { builder.add(document, analyzer: analyzer) }
        }
        let segment = try writer.writeSegment(builder)
        for i in sources.indices { sources[i].segment = segment.id }
        return IndexWriter.Change(segments: [segment], sources: sources)
    }

    /// `count` one-article files named `<prefix>N.txt`.
    static func files(_ prefix: String, count: Int, body: String = "科研助理岗位开发") -> [(path: String, documents: [IndexDocument])] {
        (0..<count).map { i in
            let path = "/corpus/\(prefix)\(i).txt"
            return (path, [IndexDocument(path: path, ordinal: 0, title: "\(prefix)第\(i)篇", body: body + String(repeating: "人才", count: i % 7))])
        }
    }
}
