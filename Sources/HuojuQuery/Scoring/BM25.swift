import Foundation
import HuojuIndex

/// BM25 exactly as Lucene ≥ 8 defines it (`BM25Similarity`): no (k1 + 1) factor in the
/// numerator, exact (not byte-quantized) field lengths.
///
///     idf  = ln(1 + (N − n + 0.5) / (n + 0.5))
///     tf'  = tf / (tf + k1 · (1 − b + b · dl / avgdl))
///     score = boost · idf · tf'
public struct BM25: Sendable {
    public static let k1 = 1.2
    public static let b = 0.75

    public static func idf(docCount: Int, docFreq: Int) -> Double {
        log(1 + (Double(docCount) - Double(docFreq) + 0.5) / (Double(docFreq) + 0.5))
    }

    public static func tfNorm(tf: Int, length: Int, averageLength: Double) -> Double {
        let tf = Double(tf)
        let norm = averageLength > 0 ? (1 - b + b * Double(length) / averageLength) : 1
        return tf / (tf + k1 * norm)
    }
}

/// Per-field weights. A title match is worth more than a body match: Huoju sums per-field
/// BM25 (each field with its own lengths and statistics, as Lucene does for a multi-field
/// query) multiplied by these boosts. See docs/query-syntax.md, "Ranking".
public enum FieldBoost {
    public static func of(_ field: Field) -> Double {
        switch field {
        case .title: 2.0
        case .body: 1.0
        default: 0.5
        }
    }
}
