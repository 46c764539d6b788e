/// Term ids of the grams of a segment being built, by packed integer key: open addressing with
/// linear probing, so finding a term costs one multiply and usually one probe, no allocation.
struct GramIDs {
    /// Key and id side by side, so a probe touches one cache line.
    private struct Entry {
        /// 0 marks an empty slot; keys are never 0 (they hold a scalar count of 1 or 2).
        var key: UInt64
        var id: UInt32
    }

    private var entries = [Entry](repeating: Entry(key: 0, id: 0), count: 1 << 12)
    private var count = 0

    /// The id of `key`, or `make()`'s id, recorded for it.
    @inline(__always)
    mutating func id(_ key: UInt64, make: () -> UInt32) -> UInt32 {
        let mask = entries.count - 1
        var slot = Self.slot(key, mask)
        while entries[slot].key != 0 {
            if entries[slot].key == key { return entries[slot].id }
            slot = (slot + 1) & mask
        }
        let id = make()
        entries[slot] = Entry(key: key, id: id)
        count += 1
        if count * 2 > entries.count { grow() }
        return id
    }

    /// Bytes held, for the builder's memory estimate.
    var memory: Int { entries.count * MemoryLayout<Entry>.stride }

    @inline(__always)
    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    private mutating func grow() {
        let old = entries
        entries = [Entry](repeating: Entry(key: 0, id: 0), count: old.count * 2)
        let mask = entries.count - 1
        for entry in old where entry.key != 0 {
            var slot = Self.slot(entry.key, mask)
            while entries[slot].key != 0 { slot = (slot + 1) & mask }
            entries[slot] = entry
        }
    }
}

/// Term ids of words and keywords by their term bytes (`[field][layer][UTF-8]`), kept in one
/// arena: a hash of the bytes and one comparison find a term without building a String.
struct WordIDs {
    private struct Entry {
        var hash: UInt32
        /// Term id + 1; 0 marks an empty slot.
        var id: UInt32
        var start: UInt32
        var count: UInt32
    }

    private var entries = [Entry](repeating: Entry(hash: 0, id: 0, start: 0, count: 0), count: 1 << 10)
    private var arena: [UInt8] = []
    private var count = 0

    /// The id of the term `[field][layer][text]`, or `make()`'s id, recorded for it.
    @inline(__always)
    mutating func id(_ field: UInt8, _ layer: UInt8, _ text: UnsafeBufferPointer<UInt8>, make: () -> UInt32) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        hash = (hash ^ UInt32(field)) &* 0x0100_0193
        hash = (hash ^ UInt32(layer)) &* 0x0100_0193
        for byte in text { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        let mask = entries.count - 1
        var slot = Int(hash) & mask
        while entries[slot].id != 0 {
            let entry = entries[slot]
            if entry.hash == hash && Int(entry.count) == text.count + 2 && matches(entry, field, layer, text) { return entry.id - 1 }
            slot = (slot + 1) & mask
        }
        let id = make()
        entries[slot] = Entry(hash: hash, id: id + 1, start: UInt32(arena.count), count: UInt32(text.count + 2))
        arena.append(field)
        arena.append(layer)
        arena.append(contentsOf: text)
        count += 1
        if count * 2 > entries.count { grow() }
        return id
    }

    /// Bytes held, for the builder's memory estimate.
    var memory: Int { arena.capacity + entries.count * MemoryLayout<Entry>.stride }

    private func matches(_ entry: Entry, _ field: UInt8, _ layer: UInt8, _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = Int(entry.start)
        guard arena[start] == field, arena[start + 1] == layer else { return false }
        for (i, byte) in text.enumerated() where arena[start + 2 + i] != byte { return false }
        return true
    }

    private mutating func grow() {
        let old = entries
        entries = [Entry](repeating: Entry(hash: 0, id: 0, start: 0, count: 0), count: old.count * 2)
        let mask = entries.count - 1
        for entry in old where entry.id != 0 {
            var slot = Int(entry.hash) & mask
            while entries[slot].id != 0 { slot = (slot + 1) & mask }
            entries[slot] = entry
        }
    }
}
