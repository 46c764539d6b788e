import Foundation

/// Decides which segments to merge, after Lucene's `TieredMergePolicy`.
///
/// Segments are sized by their bytes pro-rated to their live documents. The index may hold
/// `segmentsPerTier` segments per size tier (tiers grow by `mergeFactor`, the first one at
/// least `floorBytes`); above that budget, the policy merges up to `mergeFactor` segments of
/// similar size: the candidate with the smallest skew (largest / total, sizes below
/// `floorBytes` counted as `floorBytes`, so a stream of one-issue segments is merged
/// eagerly) wins, lightly favouring small merges and merges that reclaim deletes. Within the budget, a segment whose deleted share
/// exceeds `deletesAllowed` is rewritten on its own to reclaim them. Each merge writes every
/// live document once more, so a document is rewritten about log_mergeFactor(N) times in all.
public struct TieredMergePolicy: Sendable, Equatable {
    public var mergeFactor = 10
    public var segmentsPerTier = 10
    public var floorBytes = 2 << 20
    /// Merges stop growing at this size; bigger segments only shed deletes.
    public var maxSegmentBytes = 2 << 30
    public var deletesAllowed = 0.25

    public init(mergeFactor: Int = 10) {
        self.mergeFactor = max(2, mergeFactor)
        segmentsPerTier = self.mergeFactor
    }

    /// Live bytes: what the segment will weigh once its deletes are gone.
    func size(_ segment: SegmentInfo) -> Double {
        guard segment.docCount > 0 else { return 0 }
        return Double(segment.byteSize) * Double(segment.liveCount) / Double(segment.docCount)
    }

    private func floored(_ segment: SegmentInfo) -> Double { max(size(segment), Double(floorBytes)) }

    /// How many segments an index of these segments may hold: `segmentsPerTier` per tier,
    /// the first tier as big as the smallest segment (at least `floorBytes`).
    func allowedSegmentCount(_ segments: [SegmentInfo]) -> Int {
        var remaining = segments.reduce(0) { $0 + size($1) }
        var tierSize = max(segments.map(size).min() ?? 0, Double(floorBytes))
        var allowed = 0
        while true {
            let count = remaining / tierSize
            if count < Double(segmentsPerTier) || tierSize >= Double(maxSegmentBytes) {
                allowed += Int(count.rounded(.up))
                return max(allowed, segmentsPerTier)
            }
            allowed += segmentsPerTier
            remaining -= Double(segmentsPerTier) * tierSize
            tierSize = min(Double(maxSegmentBytes), tierSize * Double(mergeFactor))
        }
    }

    /// The ids of the segments to merge next, or nil when the index is fine as it is.
    public func findMerge(_ segments: [SegmentInfo]) -> [String]? {
        let candidates = segments.filter { $0.liveCount > 0 }.sorted { size($0) > size($1) }
        let eligible = candidates.filter { size($0) < Double(maxSegmentBytes) / 2 }
        if candidates.count > allowedSegmentCount(candidates), eligible.count >= 2 {
            var best: (ids: [String], score: Double)?
            for start in eligible.indices {
                var window: [SegmentInfo] = []
                var total = 0.0
                var hitTooLarge = false
                for segment in eligible[start...] where window.count < mergeFactor {
                    guard total + size(segment) <= Double(maxSegmentBytes) else { hitTooLarge = true; continue }
                    window.append(segment)
                    total += size(segment)
                }
                // A short window at the tail only offers smaller, less even merges.
                if best != nil, !hitTooLarge, window.count < mergeFactor { break }
                guard window.count >= 2 else { continue }
                let score = self.score(window, hitTooLarge: hitTooLarge)
                if best.map({ score < $0.score }) ?? true { best = (window.map(\.id), score) }
            }
            if let best { return best.ids }
        }
        let wasteful = candidates.filter { Double($0.deletedCount) > deletesAllowed * Double($0.docCount) }
        return wasteful.max { Double($0.deletedCount) / Double($0.docCount) < Double($1.deletedCount) / Double($1.docCount) }.map { [$0.id] }
    }

    /// Lower is better: even merges first, then bigger ones, then ones that reclaim deletes.
    /// A merge capped by `maxSegmentBytes` counts as even (it is as big as merges get).
    private func score(_ window: [SegmentInfo], hitTooLarge: Bool) -> Double {
        let flooredSizes = window.map(floored)
        let total = flooredSizes.reduce(0, +)
        let skew = hitTooLarge ? 1.0 / Double(mergeFactor) : flooredSizes.max()! / total
        let written = window.reduce(0.0) { $0 + Double($1.byteSize) }
        let live = window.reduce(0.0) { $0 + size($1) }
        let liveRatio = written > 0 ? live / written : 1
        return skew * pow(total, 0.05) * liveRatio * liveRatio
    }
}
