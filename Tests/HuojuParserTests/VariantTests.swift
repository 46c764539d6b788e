import HuojuParser
import Testing

/// A real issue rewritten the way other issues are typeset: full-width punctuation, CRLF line
/// ends and one more section. It must parse to the same articles plus the new one.
@Suite struct VariantTests {
    static func fullWidth(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case ":": out.append("：")
            case "(": out.append("（")
            case ")": out.append("）")
            case ",": out.append("，")
            default: out.append(c)
            }
        }
        return out
    }

    static func fullWidth(_ a: Article) -> Article {
        Article(title: fullWidth(a.title), section: a.section.map(fullWidth), source: a.source.map(fullWidth),
                byline: a.byline.map(fullWidth), body: fullWidth(a.body))
    }

    static let extraTitle = "测试高新区举办青年人才招聘活动"
    static let extraBody = "近日，测试高新区举办青年人才招聘活动，50家企业参加。"

    /// Adds `【新增栏目】` to the TOC and a matching section with one article after the last source.
    static func withExtraSection(_ text: String) throws -> String {
        var lines = text.components(separatedBy: "\n")
        let tocSection = try #require(lines.firstIndex { $0.hasPrefix("【") })
        let sectionName = try #require(lines[tocSection].split(separator: "】").first).dropFirst()
        let bodyStart = try #require(lines.indices.first { $0 > tocSection && lines[$0] == String(sectionName) })
        let lastSource = try #require(lines.lastIndex { $0.contains("(供稿:") })
        lines.insert(contentsOf: ["", "新增栏目", "", extraTitle, "", extraBody, "", "(供稿:测试高新区)", ""], at: lastSource + 1)
        lines.insert(contentsOf: ["【新增栏目】 \(extraTitle)", ""], at: bodyStart)
        return lines.joined(separator: "\n")
    }

    @Test(arguments: ["000_33c6f90cfd61fb45.txt", "002_92430654b3ed553e.txt"])
    func fullWidthCRLFVariantParsesTheSame(_ file: String) throws {
        let original = try Fixtures.corpusFile(file)
        let variant = Self.fullWidth(try Self.withExtraSection(original)).replacingOccurrences(of: "\n", with: "\r\n")
        #expect(variant.contains("（总第"))

        let expected = IssueParser.parse(original)
        let parsed = IssueParser.parse(variant)
        #expect(parsed.issue == expected.issue)
        #expect(parsed.articles.count == expected.articles.count + 1)
        #expect(Array(parsed.articles.dropLast()) == expected.articles.map(Self.fullWidth))
        let extra = try #require(parsed.articles.last)
        #expect(extra == Article(title: Self.extraTitle, section: "新增栏目", source: "测试高新区", body: Self.extraBody))
    }
}
