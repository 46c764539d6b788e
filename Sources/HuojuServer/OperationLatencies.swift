import Histogram
import HuojuProtocol
import NIOConcurrencyHelpers

/// Every request's latency since the daemon started, one histogram per operation: exact
/// percentiles to 3 significant digits at any count, in constant memory, where a window of
/// recent samples forgot the tail. A lock per operation (NIOLockedValueBox, which
/// ThreadSanitizer sees through) keeps pings from waiting on searches.
final class OperationLatencies: Sendable {
    /// Microseconds; slower requests (a minute and more) count as a minute.
    static let highest: UInt64 = 60_000_000
    private let histograms: [RequestOp: NIOLockedValueBox<Histogram<UInt64>>]

    init() {
        histograms = Dictionary(uniqueKeysWithValues: RequestOp.allCases.map {
            ($0, NIOLockedValueBox(Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: Self.highest, numberOfSignificantValueDigits: .three)))
        })
    }

    func record(_ operation: RequestOp, nanoseconds: UInt64) {
        let microseconds = min(Self.highest, max(1, (nanoseconds + 500) / 1000))
        histograms[operation]?.withLockedValue { _ = $0.record(microseconds) }
    }

    /// The operations asked for at least once, by name.
    func summaries() -> [String: LatencySummary] {
        var result: [String: LatencySummary] = [:]
        for (operation, box) in histograms {
            let histogram = box.withLockedValue { $0 }
            guard histogram.totalCount > 0 else { continue }
            func ms(_ microseconds: UInt64) -> Double { Double(microseconds) / 1000 }
            result[operation.rawValue] = LatencySummary(
                count: Int(histogram.totalCount), p50Ms: ms(histogram.valueAtPercentile(50)), p90Ms: ms(histogram.valueAtPercentile(90)),
                p99Ms: ms(histogram.valueAtPercentile(99)), p999Ms: ms(histogram.valueAtPercentile(99.9)), maxMs: ms(histogram.max))
        }
        return result
    }
}
