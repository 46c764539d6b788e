import HuojuIndex
import HuojuText

struct MatchedDoc {
    var global: Int
    var segment: Int
    var local: UInt32
    var partial: Bool = false
}

/// One query evaluated over one snapshot: the matching documents, and what scoring needs.
final class Evaluation {
    enum Scoring { case phrasesAndWords, wordsOnly }

    let query: CompiledQuery
    let snapshot: IndexSnapshot
    private(set) var exact: [MatchedDoc] = []
    /// [atom][segment][field index in atom.fields]
    private var phraseMatches: [[[FieldMatches]]]
    private var segmentMatches: [DocSet] = []
    private var wordPostings: [String: (docs: [UInt32], freqs: [Int])] = [:]
    private var docFreqs: [TermKey: Int] = [:]
    private var averageLengths: [Field: Double] = [:]

    init(query: CompiledQuery, snapshot: IndexSnapshot) throws(IndexError) {
        self.query = query
        self.snapshot = snapshot
        phraseMatches = Array(repeating: [], count: query.atoms.count)
        for (index, atom) in query.atoms.enumerated() {
            for segment in snapshot.segments {
                var perField: [FieldMatches] = []
                for field in atom.fields { perField.append(try PhraseMatcher.match(atom.plan, field: field, in: segment)) }
                phraseMatches[index].append(perField)
            }
        }
        for (s, segment) in snapshot.segments.enumerated() {
            let matches = try evaluate(query.root, segment: s, reader: segment)
            segmentMatches.append(matches)
            for local in matches.docs {
                exact.append(MatchedDoc(global: snapshot.bases[s] + Int(local), segment: s, local: local))
            }
        }
        for field in Field.text { averageLengths[field] = snapshot.averageLength(field) }
    }

    private func evaluate(_ node: CompiledQuery.Node, segment s: Int, reader: SegmentReader) throws(IndexError) -> DocSet {
        switch node {
        case .atom(let index):
            var docs = DocSet.empty
            for matches in phraseMatches[index][s] { docs = docs.union(DocSet(docs: matches.docs)) }
            return docs
        case .keyword(let term):
            return try postingsDocs(term, in: reader)
        case .issue(let number):
            return DocSet(docs: (0..<UInt32(reader.docCount)).filter {
                reader.issueNumber($0) == Int32(number) || reader.issueCumulative($0) == Int32(number)
            })
        case .dateRange(let from, let to):
            return DocSet(docs: (0..<UInt32(reader.docCount)).filter {
                let date = reader.date($0)
                return date != 0 && from.map { date >= $0 } ?? true && to.map { date <= $0 } ?? true
            })
        case .and(let children):
            var result: DocSet?
            var excluded = DocSet.empty
            for child in children {
                if case .not(let inner) = child {
                    excluded = excluded.union(try evaluate(inner, segment: s, reader: reader))
                } else {
                    let docs = try evaluate(child, segment: s, reader: reader)
                    result = result.map { $0.intersection(docs) } ?? docs
                }
            }
            return (result ?? DocSet.all(reader.docCount)).subtracting(excluded)
        case .or(let children):
            var result = DocSet.empty
            for child in children { result = result.union(try evaluate(child, segment: s, reader: reader)) }
            return result
        case .not(let child):
            return DocSet.all(reader.docCount).subtracting(try evaluate(child, segment: s, reader: reader))
        }
    }

    private func postingsDocs(_ term: TermKey, in reader: SegmentReader) throws(IndexError) -> DocSet {
        guard var iterator = try reader.postings(term) else { return .empty }
        var docs: [UInt32] = []
        while iterator.doc != PostingsIterator.end { docs.append(iterator.doc); try iterator.next() }
        return DocSet(docs: docs)
    }

    /// Documents that miss the exact query but hold some of its words (two-character-plus
    /// CJK words or Latin words), still meeting the query's filters and exclusions.
    func partialMatches() throws(IndexError) -> [MatchedDoc] {
        var result: [MatchedDoc] = []
        for (s, reader) in snapshot.segments.enumerated() {
            var candidates = DocSet.empty
            for atom in query.atoms where atom.positive {
                for word in atom.plan.words {
                    for field in atom.fields { candidates = candidates.union(try postingsDocs(TermKey(field, .word, word), in: reader)) }
                }
            }
            guard !candidates.docs.isEmpty else { continue }
            for filter in query.filterConjuncts {
                if case .not(let inner) = filter {
                    candidates = candidates.subtracting(try evaluate(inner, segment: s, reader: reader))
                } else {
                    candidates = candidates.intersection(try evaluate(filter, segment: s, reader: reader))
                }
            }
            if case .and(let children) = query.root {
                for case .not(let inner) in children where inner.containsAtom {
                    candidates = candidates.subtracting(try evaluate(inner, segment: s, reader: reader))
                }
            }
            for local in candidates.subtracting(segmentMatches[s]).docs {
                result.append(MatchedDoc(global: snapshot.bases[s] + Int(local), segment: s, local: local, partial: true))
            }
        }
        return result
    }

    // MARK: Scoring

    func score(_ global: Int, segment s: Int, local: UInt32, atoms scoring: Scoring) -> ScoreBreakdown {
        var breakdown = ScoreBreakdown()
        let reader = snapshot.segments[s]
        let docCount = snapshot.docCount
        for (index, atom) in query.atoms.enumerated() where atom.positive {
            for (f, field) in atom.fields.enumerated() {
                let length = reader.fieldLength(field, local)
                guard length > 0 else { continue }
                let average = averageLengths[field] ?? 0
                let boost = FieldBoost.of(field)
                if scoring == .phrasesAndWords && atom.plan.terms.count > 0 {
                    let matches = phraseMatches[index][s][f]
                    if let position = matches.docs.binarySearch(local) {
                        let docFreq = phraseMatches[index].reduce(0) { $0 + $1[f].docs.count }
                        breakdown.add(.phrase, atom.plan.text, field, tf: matches.counts[position], docFreq: docFreq,
                                      docCount: docCount, length: length, averageLength: average, boost: boost)
                    }
                }
                for word in atom.plan.words {
                    let term = TermKey(field, .word, word)
                    guard let tf = wordFrequency(term, segment: s, local: local) else { continue }
                    breakdown.add(.word, word, field, tf: tf, docFreq: docFreq(term), docCount: docCount,
                                  length: length, averageLength: average, boost: boost)
                }
            }
        }
        return breakdown
    }

    private func wordFrequency(_ term: TermKey, segment s: Int, local: UInt32) -> Int? {
        let key = "\(s)|\(term.description)"
        if wordPostings[key] == nil {
            var docs: [UInt32] = [], freqs: [Int] = []
            if var iterator = try? snapshot.segments[s].postings(term) {
                while iterator.doc != PostingsIterator.end {
                    docs.append(iterator.doc)
                    freqs.append(iterator.termFrequency)
                    if (try? iterator.next()) == nil { break }
                }
            }
            wordPostings[key] = (docs, freqs)
        }
        let postings = wordPostings[key]!
        return postings.docs.binarySearch(local).map { postings.freqs[$0] }
    }

    private func docFreq(_ term: TermKey) -> Int {
        if let cached = docFreqs[term] { return cached }
        let value = (try? snapshot.docFreq(term)) ?? 0
        docFreqs[term] = value
        return value
    }
}

extension Array where Element == UInt32 {
    func binarySearch(_ value: UInt32) -> Int? {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low < count && self[low] == value ? low : nil
    }
}
