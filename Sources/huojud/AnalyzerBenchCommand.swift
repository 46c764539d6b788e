import ArgumentParser
import Dispatch
import Foundation
import HuojuCorpus
import HuojuText

/// `huojud bench-analyzer --corpus DIR`: single-core throughput of the text pipeline
/// (fold + ICU word break + both token layers) against ICU word break alone.
struct BenchAnalyzer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-analyzer",
        abstract: "Measure analysis throughput (MB/s, one core) against ICU word break alone."
    )

    @Option(help: "The archive folder whose files are analyzed (read into memory first).")
    var corpus: String

    func run() throws {
        let texts = CorpusScanner.scan(corpus).files.compactMap { try? CorpusFile.read($0).get().text }
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }
        let analyzer = Analyzer()
        let folded = texts.map { Folder.shared.fold($0).text }

        func time(_ body: () -> Int) -> (seconds: Double, count: Int) {
            let start = DispatchTime.now().uptimeNanoseconds
            let count = body()
            return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, count)
        }
        let icu = time { folded.reduce(0) { $0 + analyzer.segmentOnly($1) } }
        let fold = time { texts.reduce(0) { $0 + Folder.shared.fold($1).text.utf8.count } }
        let full = time { texts.reduce(0) { $0 + analyzer.analyze($1).tokens.count } }
        let mb = Double(bytes) / 1_000_000
        print(String(format: "corpus: %.1f MB in %d files", mb, texts.count))
        print(String(format: "ICU word break alone:            %6.1f MB/s (%d segments)", mb / icu.seconds, icu.count))
        print(String(format: "fold alone:                      %6.1f MB/s", mb / fold.seconds))
        print(String(format: "fold + word break + both layers: %6.1f MB/s (%d tokens), %.2f× ICU alone", mb / full.seconds, full.count, icu.seconds / full.seconds))
    }
}
