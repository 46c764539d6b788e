import ArgumentParser
import Dispatch
import Foundation
import HuojuIndex
import HuojuQuery

/// `huojud bench`: in-process query latency, measured after a warm-up, for scripts/bench.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure in-process query latency (p50/p99) for each QUERY; prints one JSON line per query."
    )

    @OptionGroup var options: IndexOptions

    @Option(name: .customLong("repeat"), help: "Timed runs per query (after a tenth as many warm-up runs).")
    var runs: Int = 200

    @Option(help: "Hits per query.")
    var limit: Int = 10

    @Flag(help: "Top-k counting: skip what cannot rank; the total is a lower bound.")
    var topK = false

    @Argument(help: "Queries to time.")
    var queries: [String]

    func run() throws {
        let searcher = try options.openSearcher()
        for query in queries {
            let request = SearchRequest(query: query, limit: limit, counting: topK ? .topK : .exact)
            var result = try searcher.search(request)
            for _ in 0..<max(1, runs / 10) { result = try searcher.search(request) }
            var samples: [Double] = []
            for _ in 0..<max(1, runs) {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try searcher.search(request)
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            samples.sort()
            let p50 = samples[samples.count / 2], p99 = samples[min(samples.count - 1, samples.count * 99 / 100)]
            print(String(format: "{\"query\":\"%@\",\"total\":%d,\"totalIsExact\":%@,\"p50Ms\":%.4f,\"p99Ms\":%.4f}",
                         query, result.total, result.totalIsExact ? "true" : "false", p50, p99))
        }
    }
}
