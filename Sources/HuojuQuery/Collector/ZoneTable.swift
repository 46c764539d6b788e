import HuojuIndex
import HuojuZones

/// The zone columns (`ZoneColumns`, stored with every segment) of a snapshot, under one
/// numbering of zones: facets and zone rankings read a few integers per matching document.
///
/// Built once per snapshot from each segment's zone names only (thousands, not the
/// documents): the per-document columns are read in place.
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
        /// Holds the mapped columns alive.
        let reader: SegmentReader
        /// The segment's zone ids → the table's.
        let ids: [Int32]

        /// The table's id of `doc`'s primary zone, or -1.
        func primary(_ doc: UInt32) -> Int32 {
            let local = reader.zones.primary(doc)
            return local < 0 ? -1 : ids[local]
        }
    }

    init(_ snapshot: IndexSnapshot, gazetteer: Gazetteer) {
        var ids: [String: Int32] = [:]
        var names: [String] = []
        var segments: [Segment] = []
        for reader in snapshot.segments {
            let local = reader.zones.names().map { name in
                if let id = ids[name] { return id }
                ids[name] = Int32(names.count)
                names.append(name)
                return Int32(names.count - 1)
            }
            segments.append(Segment(reader: reader, ids: local))
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
        let columns = table.reader.zones
        table.ids.withUnsafeBufferPointer { ids in
            for (index, doc) in matches.enumerated() {
                let primary = columns.primary(doc)
                columns.forEachZone(of: doc) { zone, mentions in visit(index, Int(ids[zone]), mentions, zone == primary) }
            }
        }
    }
}
