/// Sorted, duplicate-free document ids of one segment, with the set operations a boolean
/// query needs. Evaluating a whole clause at a time keeps boolean logic simple and makes
/// exact match counts (and exact phrase document frequencies) fall out for free.
struct DocSet: Equatable {
    var docs: [UInt32]

    static let empty = DocSet(docs: [])

    static func all(_ count: Int) -> DocSet { DocSet(docs: (0..<UInt32(count)).map { $0 }) }

    func intersection(_ other: DocSet) -> DocSet {
        var result: [UInt32] = []
        var i = 0, j = 0
        while i < docs.count, j < other.docs.count {
            if docs[i] < other.docs[j] { i += 1 } else if docs[i] > other.docs[j] { j += 1 } else {
                result.append(docs[i]); i += 1; j += 1
            }
        }
        return DocSet(docs: result)
    }

    func union(_ other: DocSet) -> DocSet {
        var result: [UInt32] = []
        result.reserveCapacity(docs.count + other.docs.count)
        var i = 0, j = 0
        while i < docs.count || j < other.docs.count {
            if j == other.docs.count || (i < docs.count && docs[i] < other.docs[j]) { result.append(docs[i]); i += 1 }
            else if i == docs.count || other.docs[j] < docs[i] { result.append(other.docs[j]); j += 1 }
            else { result.append(docs[i]); i += 1; j += 1 }
        }
        return DocSet(docs: result)
    }

    func subtracting(_ other: DocSet) -> DocSet {
        var result: [UInt32] = []
        var j = 0
        for doc in docs {
            while j < other.docs.count, other.docs[j] < doc { j += 1 }
            if j == other.docs.count || other.docs[j] != doc { result.append(doc) }
        }
        return DocSet(docs: result)
    }
}
