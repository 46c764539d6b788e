import HuojuIndex
import HuojuProtocol

/// A hit's score as the sum of its BM25 terms.
public struct ScoreBreakdown: Sendable {
    public private(set) var entries: [ExplainEntry] = []
    public private(set) var total: Double = 0

    mutating func add(_ entry: ExplainEntry) {
        entries.append(entry)
        total += entry.score
    }
}
