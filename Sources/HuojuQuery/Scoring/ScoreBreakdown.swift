import HuojuIndex
import HuojuProtocol

/// A hit's score as the sum of its BM25 terms.
public struct ScoreBreakdown: Sendable {
    public private(set) var entries: [ExplainEntry] = []
    public private(set) var total: Double = 0

    mutating func add(_ kind: ExplainEntry.Kind, _ text: String, _ field: Field, tf: Int, docFreq: Int, docCount: Int,
                      length: Int, averageLength: Double, boost: Double) {
        let idf = BM25.idf(docCount: docCount, docFreq: docFreq)
        let score = boost * idf * BM25.tfNorm(tf: tf, length: length, averageLength: averageLength)
        entries.append(ExplainEntry(kind: kind, text: text, field: field.name, tf: tf, docFreq: docFreq, docCount: docCount,
                                    length: length, averageLength: averageLength, boost: boost, idf: idf, score: score))
        total += score
    }
}
