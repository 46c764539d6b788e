import HuojuTestSupport
import Testing
@testable import HuojuText

@Suite struct FoldingTests {
    let folder = Folder.shared

    @Test(arguments: [
        ("５Ｇ", "5g"), ("Ｒ＆Ｄ", "r&d"), ("（）", "()"), ("：", ":"), ("ＡＢＣ abc", "abc abc"),
        ("高新區", "高新区"), ("創新創業", "创新创业"), ("專精特新", "专精特新"),
        ("ﬁ", "fi"), ("Straße", "strasse"), ("①", "1"),
    ])
    func foldsDocumentedCases(input: String, expected: String) {
        #expect(folder.fold(input).text == expected)
    }

    /// ICU maps some simplified characters too; the fold must do exactly what ICU does so
    /// that documents and queries agree.
    @Test func matchesICUOnSimplifiedEdgeCases() {
        #expect(folder.fold("显著").text == folder.foldViaICU("显著"))
        #expect(folder.fold("昇力恒").text == folder.foldViaICU("昇力恒"))
    }

    @Test func equalsICUWholeTextTransformOnSampleIssues() throws {
        for (name, text) in try SharedCorpus.texts() {
            let fast = Array(folder.fold(text).text.unicodeScalars), reference = Array(folder.foldViaICU(text).unicodeScalars)
            let first = zip(fast, reference).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(fast.count, reference.count)
            #expect(fast == reference, "fold differs from ICU in \(name) at scalar \(first): \(String(String.UnicodeScalarView(fast[first..<min(first + 12, fast.count)]))) vs \(String(String.UnicodeScalarView(reference[first..<min(first + 12, reference.count)])))")
        }
    }

    /// Random strings over traditional characters, full-width forms, combining marks,
    /// Hangul jamo and supplementary ideographs: the table path and ICU must agree.
    @Test func equalsICUOnRandomStrings() {
        let pool = Array("國際創業園區專業發展後臺東風車電腦開發體驗學術會議廣東與為們個來說時還對這樣實際應該經濟圖書館ＡＢＣａｂｃ１２３（）：，。！？「」『』　 ") +
            ["e\u{301}", "\u{1100}\u{1161}\u{11A8}", "\u{20000}", "\u{2F800}", "A\u{30A}", "ﬃ", "㍿", "Ⅻ"].map { Character($0) }
        let seed = TestSeed.value(default: 37)
        var generator = SplitMix(seed: seed)
        for _ in 0..<500 {
            let length = Int.random(in: 1...40, using: &generator)
            let text = String((0..<length).map { _ in pool.randomElement(using: &generator)! })
            #expect(folder.fold(text).text == folder.foldViaICU(text), "fold differs from ICU on \(text.debugDescription) (HUOJU_TEST_SEED=\(seed))")
        }
    }

    @Test func offsetsPointIntoTheOriginal() {
        let original = "ＡＢ高新區x"
        let (folded, origins) = folder.fold(original, offsets: true)
        #expect(folded == "ab高新区x")
        #expect(origins.count == folded.utf8.count + 1)
        let originalBytes = Array(original.utf8)
        // "区" (folded bytes 8..<11) comes from "區" (original bytes 12..<15).
        #expect(origins[8] == 12)
        #expect(String(decoding: originalBytes[Int(origins[8])..<Int(origins[11])], as: UTF8.self) == "區")
        #expect(origins.last == Int32(originalBytes.count))
    }
}
