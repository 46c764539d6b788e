import HuojuTestSupport
import Testing
@testable import HuojuText

/// A reference phrase matcher over one analysis: does the query's chain of grams (or its
/// Latin words) stand at consecutive positions? The index's matcher must agree with it.
private struct PositionMap {
    var positions: [String: Set<Int32>] = [:]

    init(_ analysis: Analysis) {
        for token in analysis.tokens { positions[key(token.kind, token.text), default: []].insert(token.position) }
    }

    func contains(_ query: Analysis) -> Bool {
        // Required terms at offsets relative to the first unit of the query.
        var required: [(String, Int32)] = []
        var previousCJK: Int32?
        for token in query.tokens {
            switch token.kind {
            case .gram where token.text.unicodeScalars.count == 2:
                required.append((key(.gram, token.text), token.position)); previousCJK = token.position
            case .gram:
                // A lone CJK unit (no bigram starts or ends there) is matched by its unigram.
                if previousCJK != token.position - 1, !query.tokens.contains(where: { $0.kind == .gram && $0.position == token.position && $0.text.unicodeScalars.count == 2 }) {
                    required.append((key(.gram, token.text), token.position))
                }
            case .word where !token.text.unicodeScalars.contains(where: Analyzer.isCJK):
                required.append((key(.word, token.text), token.position))
            case .word: break
            }
        }
        guard let (firstTerm, firstOffset) = required.first, let starts = positions[firstTerm] else { return false }
        return starts.contains { start in
            required.allSatisfy { positions[$0.0]?.contains(start - firstOffset + $0.1) == true }
        }
    }

    private func key(_ kind: Token.Kind, _ text: String) -> String { "\(kind.rawValue):\(text)" }
}

@Suite struct AnalyzerTests {
    let analyzer = Analyzer()

    @Test func keepsCharacterRecallWhereICUSplitsOddly() {
        let analysis = analyzer.analyze("石嘴山高新区")
        let map = PositionMap(analysis)
        for query in ["石嘴山", "山高", "新区", "高新区", "石", "区", "嘴山高新"] {
            #expect(map.contains(analyzer.analyze(query)), "\(query) not found in 石嘴山高新区")
        }
        #expect(!map.contains(analyzer.analyze("石山")))
        #expect(!map.contains(analyzer.analyze("高新区区")))
    }

    @Test func punctuationAndSpaceBreakAdjacency() {
        let map = PositionMap(analyzer.analyze("科研,助理 人才"))
        #expect(!map.contains(analyzer.analyze("科研助理")))
        #expect(!map.contains(analyzer.analyze("助理人才")))
        #expect(map.contains(analyzer.analyze("助理")))
    }

    @Test func latinWordsAndNumbersAreUnits() {
        let analysis = analyzer.analyze("５Ｇ应用达到2022年3.2%，共1,280人次，R&D")
        let words = analysis.tokens.filter { $0.kind == .word }.map(\.text)
        for expected in ["5g", "2022", "3.2", "1,280", "r", "d"] { #expect(words.contains(expected), "missing \(expected) in \(words)") }
        let map = PositionMap(analysis)
        for query in ["5G应用", "2022年", "1,280人次", "ｒ＆ｄ", "5g"] {
            #expect(map.contains(analyzer.analyze(query)), "\(query) not matched")
        }
    }

    @Test func icuWordsCarryRankingWeight() {
        let words = analyzer.analyze("乌鲁木齐高新区积极开发科研助理岗").tokens.filter { $0.kind == .word }.map(\.text)
        #expect(words.contains("乌鲁木齐"))
        #expect(words.contains("科研"))
    }

    @Test func unitRangesPointAtOriginalText() {
        let original = "ＡＢ 高新區"
        let analysis = analyzer.analyze(original, offsets: true)
        let bytes = Array(original.utf8)
        let texts = analysis.unitRanges.map { String(decoding: bytes[$0], as: UTF8.self) }
        #expect(texts == ["ＡＢ", "", "高", "新", "區"])
    }

    /// The guarantee: if the folded text contains the folded query, the query matches.
    /// Thousands of random CJK substrings of the real samples, plus traditional and full-width
    /// spellings of them, plus every Latin word and number.
    @Test func everySubstringOfTheSamplesMatches() throws {
        let seed = TestSeed.value(default: 89)
        var generator = SplitMix(seed: seed)
        var checked = 0
        for (name, text) in try SharedCorpus.texts() {
            let analysis = analyzer.analyze(text)
            let map = PositionMap(analysis)
            let folded = Array(analysis.folded.unicodeScalars)
            let cjkStarts = folded.indices.filter { Analyzer.isCJK(folded[$0]) }
            for _ in 0..<800 {
                let start = cjkStarts.randomElement(using: &generator)!
                var end = start
                let length = Int.random(in: 1...8, using: &generator)
                while end < folded.count, end - start < length, Analyzer.isCJK(folded[end]) { end += 1 }
                var query = String.UnicodeScalarView()
                query.append(contentsOf: folded[start..<end])
                #expect(map.contains(analyzer.analyze(String(query))), "\(String(query)) not matched in \(name) (HUOJU_TEST_SEED=\(seed))")
                checked += 1
            }
            for word in analysis.tokens where word.kind == .word && !word.text.unicodeScalars.contains(where: Analyzer.isCJK) {
                #expect(map.contains(analyzer.analyze(word.text)), "\(word.text) not matched in \(name)")
            }
        }
        #expect(checked >= 3000)
        // Traditional and full-width spellings fold onto the simplified text.
        let map = PositionMap(analyzer.analyze("苏州高新区:千名应届毕业生签约科研助理岗,5G"))
        for query in ["蘇州高新區", "畢業生簽約", "科研助理崗", "５Ｇ"] { #expect(map.contains(analyzer.analyze(query)), "\(query)") }
    }
}
