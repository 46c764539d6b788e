import HuojuIndex
import HuojuZones

/// Per document, the zones it names (with mentions) and its primary zone: the `zone` and
/// `primaryZone` postings of a snapshot turned around once, so facets and zone rankings cost
/// a few array reads per matching document.
///
/// Intersecting every zone term's postings with each query's matches costs a postings
/// iterator per zone term and segment, whatever the matches: thousands of terms once
/// unlisted zones accumulate (about 10 ms per search on 100 MB). Reading the postings once
/// per snapshot, never stored documents, keeps the per-search cost proportional to the
/// matches instead.
struct ZoneTable: Sendable {
    /// Zone names as the index stores them (folded); a zone id indexes this.
    let names: [String]
    /// Per zone id: the name a reply shows (the gazetteer's canonical name, else the stored
    /// one), whether the gazetteer lists it, and the rank of that name in ascending order,
    /// so per-search sorting compares integers instead of strings.
    let labels: [String]
    let listed: [Bool]
    let labelRank: [Int32]
    let segments: [Segment]

    struct Segment: Sendable {
        /// The zones of local doc d are `zones[starts[d]..<starts[d + 1]]`.
        var starts: [Int32]
        var zones: [Int32]
        var mentions: [Int32]
        /// Per local doc: the zone id of its primary zone, or -1.
        var primary: [Int32]
    }

    init(_ snapshot: IndexSnapshot, gazetteer: Gazetteer) throws(IndexError) {
        var ids: [String: Int32] = [:]
        var names: [String] = []
        func id(_ name: String) -> Int32 {
            if let id = ids[name] { return id }
            ids[name] = Int32(names.count)
            names.append(name)
            return Int32(names.count - 1)
        }
        var segments: [Segment] = []
        for reader in snapshot.segments {
            var docs: [UInt32] = [], zones: [Int32] = [], mentions: [Int32] = []
            for (name, info) in try reader.keywordTerms(.zone) {
                let zone = id(name)
                var postings = try reader.postings(info)
                while postings.doc != PostingsIterator.end {
                    docs.append(postings.doc)
                    zones.append(zone)
                    mentions.append(Int32(postings.termFrequency))
                    try postings.next()
                }
            }
            var primary = [Int32](repeating: -1, count: reader.docCount)
            for (name, info) in try reader.keywordTerms(.primaryZone) {
                let zone = id(name)
                var postings = try reader.postings(info)
                while postings.doc != PostingsIterator.end {
                    primary[Int(postings.doc)] = zone
                    try postings.next()
                }
            }
            // Counting sort of the (doc, zone) pairs by doc.
            var starts = [Int32](repeating: 0, count: reader.docCount + 1)
            for doc in docs { starts[Int(doc) + 1] += 1 }
            for d in 0..<reader.docCount { starts[d + 1] += starts[d] }
            var cursor = starts
            var byDocZones = [Int32](repeating: 0, count: docs.count), byDocMentions = [Int32](repeating: 0, count: docs.count)
            for (i, doc) in docs.enumerated() {
                let slot = Int(cursor[Int(doc)])
                byDocZones[slot] = zones[i]
                byDocMentions[slot] = mentions[i]
                cursor[Int(doc)] += 1
            }
            segments.append(Segment(starts: starts, zones: byDocZones, mentions: byDocMentions, primary: primary))
        }
        self.names = names
        self.segments = segments
        let canonical = names.map { gazetteer.canonical(folded: $0) }
        labels = zip(names, canonical).map { $1 ?? $0 }
        listed = canonical.map { $0 != nil }
        var rank = [Int32](repeating: 0, count: names.count)
        for (position, id) in labels.indices.sorted(by: { [labels] in labels[$0] < labels[$1] }).enumerated() { rank[id] = Int32(position) }
        labelRank = rank
    }

    /// Calls `visit(match index, zone id, mentions, is primary)` for every zone each match
    /// names; `matches` are one segment's exact matches (local ids).
    @inline(__always)
    func forEachZone(of matches: [UInt32], in segment: Int, _ visit: (Int, Int, Int, Bool) -> Void) {
        let table = segments[segment]
        for (index, doc) in matches.enumerated() {
            let primary = table.primary[Int(doc)]
            for entry in Int(table.starts[Int(doc)])..<Int(table.starts[Int(doc) + 1]) {
                let zone = table.zones[entry]
                visit(index, Int(zone), Int(table.mentions[entry]), zone == primary)
            }
        }
    }
}
