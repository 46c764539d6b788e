import Foundation
import HuojuParser
import HuojuTestSupport
import Testing

/// Inputs the parser has never seen must never crash, hang or lose text.
@Suite struct RobustnessTests {
    @Test(arguments: ["", "   ", "\n\n\r\n\t\u{3000}\r"])
    func emptyInputGivesNoArticlesAndAWarning(_ text: String) {
        let parsed = IssueParser.parse(text)
        #expect(parsed.articles.isEmpty)
        #expect(parsed.issue == nil)
        #expect(!parsed.warnings.isEmpty)
    }

    @Test func unknownLayoutKeepsAllText() {
        let text = """
        项目 | 数量 | 备注
        孵化器 | 12 | 国家级
        众创空间 | 30 | 省级
        This is an English note without any Chinese structure, it goes on and on for a while.
        - item one
        - item two
        """
        let parsed = IssueParser.parse(text)
        #expect(parsed.articles.count >= 1)
        let kept = parsed.keptText
        for line in text.split(separator: "\n") {
            #expect(kept.contains(String(line).withoutWhitespace), "lost: \(line)")
        }
    }

    @Test func singleShortLineIsOneUntitledArticle() {
        let parsed = IssueParser.parse("火炬")
        #expect(parsed.articles == [Article(title: "", body: "火炬")])
    }

    /// 5 MB on one line. The time limit only catches a quadratic parse (hours at this size; a debug
    /// build on a loaded 2-core machine took over 2 minutes);
    /// how fast the parser is belongs to the benchmarks, not to a test.
    @Test(.timeLimit(.minutes(10))) func hugeSingleLineIsOneWholeArticle() {
        let unit = "国家高新区科研助理岗位开发,孵化器人才服务"
        let line = String(repeating: unit, count: 5_000_000 / unit.utf8.count)
        let parsed = IssueParser.parse(line)
        #expect(parsed.articles.count == 1)
        #expect(parsed.articles.first?.body.utf8.count == line.utf8.count)
    }

    /// Every line is a fragment that continues into the next. The time limit only catches a
    /// quadratic join (hours at this size), as above.
    @Test(.timeLimit(.minutes(10))) func longChainOfBrokenLinesIsJoinedWhole() {
        let text = String(repeating: "高新区的\n\n", count: 200_000)
        let parsed = IssueParser.parse(text)
        #expect(parsed.keptText.count == 800_000)
    }

    @Test(arguments: 0..<20)
    func randomBytesNeverCrash(_ seed: Int) {
        var rng = SplitMix(seed: UInt64(seed))
        let bytes = (0..<(1_000 + seed * 3_000)).map { _ -> UInt8 in
            // Bias towards newlines, spaces, ASCII and the lead bytes of CJK punctuation.
            let pick = rng.next() % 10
            switch pick {
            case 0: return 0x0A
            case 1: return 0x0D
            case 2: return 0x20
            case 3: return [0xE3, 0xEF, 0xE4, 0xE5][Int(rng.next() % 4)]
            default: return UInt8(truncatingIfNeeded: rng.next())
            }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let parsed = IssueParser.parse(text)
        if text.unicodeScalars.contains(where: { !$0.properties.isWhitespace && $0.value >= 0x20 }) {
            #expect(!parsed.articles.isEmpty)
        }
    }

    @Test func garbageWithStructureMarkersNeverCrashes() {
        let pieces = ["【", "】", "(供稿:", "（供稿：", ")", "——", "本报讯", "▶ 本报记者 ", "图片来源:", "2022年第1期",
                      "(总第1期)", "地址:", "邮编:", "张三", "。", ",", "的", "\n", "\n\n", "\n\n\n", "高新区:", "“", "”"]
        var rng = SplitMix(seed: 42)
        for _ in 0..<200 {
            let text = (0..<60).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
            let parsed = IssueParser.parse(text)
            let empty = parsed.articles.filter { ($0.title + $0.body + ($0.source ?? "") + ($0.byline ?? "")).isEmpty }
            #expect(empty.isEmpty, "empty article from: \(text.debugDescription)")
        }
    }
}
