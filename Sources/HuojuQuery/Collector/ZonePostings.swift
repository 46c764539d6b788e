import HuojuIndex

/// Which matching documents name which zones, read from the `zone` and `primaryZone` keyword
/// terms of each segment (never from stored documents).
///
/// The interface the zone collectors share: per segment, the exact matches as ascending local
/// ids (`Evaluation.segmentMatches`); out come visits of (zone, segment, index into that
/// segment's matches, mentions, whether it is the document's primary zone).
enum ZonePostings {
    struct Visit {
        /// The zone as the index stores it (folded).
        var zone: String
        var segment: Int
        /// Index into `matches[segment]`.
        var match: Int
        var mentions: Int
        var primary: Bool
    }

    static func walk(_ matches: [[UInt32]], in snapshot: IndexSnapshot, _ visit: (Visit) -> Void) throws(IndexError) {
        for (s, segment) in snapshot.segments.enumerated() where !matches[s].isEmpty {
            let docs = matches[s]
            var primaryOf: [Int: String] = [:]
            for (zone, info) in try segment.keywordTerms(.primaryZone) {
                try intersect(info, in: segment, with: docs) { match, _ in primaryOf[match] = zone }
            }
            for (zone, info) in try segment.keywordTerms(.zone) {
                try intersect(info, in: segment, with: docs) { match, mentions in
                    visit(Visit(zone: zone, segment: s, match: match, mentions: mentions, primary: primaryOf[match] == zone))
                }
            }
        }
    }

    /// Calls `body(index in docs, term frequency)` for every document of `docs` (ascending)
    /// the term's postings hold: a merge that skips postings blocks and gallops over `docs`.
    static func intersect(_ info: TermInfo, in segment: SegmentReader, with docs: [UInt32],
                          _ body: (Int, Int) -> Void) throws(IndexError) {
        var postings = try segment.postings(info)
        var index = 0
        while index < docs.count, postings.doc != PostingsIterator.end {
            let doc = postings.doc
            if doc < docs[index] {
                try postings.advance(to: docs[index])
            } else if doc > docs[index] {
                index = lowerBound(doc, in: docs, from: index)
            } else {
                body(index, postings.termFrequency)
                index += 1
                try postings.next()
            }
        }
    }

    /// The first index at or after `start` whose doc is >= `doc` (exponential, then binary search).
    private static func lowerBound(_ doc: UInt32, in docs: [UInt32], from start: Int) -> Int {
        var step = 1, high = start
        while high < docs.count, docs[high] < doc { high = start + step; step *= 2 }
        var low = start + step / 4, upper = min(high, docs.count)
        low = min(low, upper)
        while low < upper {
            let mid = (low + upper) / 2
            if docs[mid] < doc { low = mid + 1 } else { upper = mid }
        }
        return low
    }
}
