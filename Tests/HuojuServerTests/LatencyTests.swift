@testable import HuojuServer
import HuojuProtocol
import Testing

/// `status` latencies (issue #14 item 4): per operation, from a histogram.
@Suite struct LatencyTests {
    @Test func percentilesOfAKnownDistributionPerOperation() {
        let latencies = OperationLatencies()
        // 1 ms … 1000 ms, one each: the p-th percentile is p × 10 ms.
        for milliseconds in 1...1000 { latencies.record(.search, nanoseconds: UInt64(milliseconds) * 1_000_000) }
        latencies.record(.ping, nanoseconds: 80_000)
        let summaries = latencies.summaries()
        #expect(Set(summaries.keys) == ["search", "ping"], "operations never asked for are left out")
        let search = try! #require(summaries["search"])
        #expect(search.count == 1000)
        for (value, expected) in [(search.p50Ms, 500.0), (search.p90Ms, 900), (search.p99Ms, 990), (search.p999Ms, 999), (search.maxMs, 1000)] {
            #expect(abs(value - expected) <= expected * 0.001, "\(value) ms, expected \(expected) (3 significant digits)")
        }
        #expect(summaries["ping"] == LatencySummary(count: 1, p50Ms: 0.08, p90Ms: 0.08, p99Ms: 0.08, p999Ms: 0.08, maxMs: 0.08))
    }

    @Test func aRequestSlowerThanAMinuteCountsAsAMinute() {
        let latencies = OperationLatencies()
        latencies.record(.reindex, nanoseconds: 3_600_000_000_000)
        let reindex = latencies.summaries()["reindex"]
        #expect(reindex?.count == 1 && abs((reindex?.maxMs ?? 0) - 60_000) <= 60, "\(String(describing: reindex))")
    }
}
