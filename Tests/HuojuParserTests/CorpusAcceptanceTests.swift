import Foundation
import HuojuParser
import Testing

/// Acceptance test on the real sample issues: the expected tables were written by reading the
/// files, not by running the parser.
@Suite struct CorpusAcceptanceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var issue: IssueInfo?
        var articles: [Expected]
        /// Masthead, TOC and footer text that no article may contain.
        var absent: [String]
        var testDescription: String { file }
    }

    static let flagship = "奋进新征程 建功新时代"

    static let cases: [Case] = [
        Case(
            file: "000_33c6f90cfd61fb45.txt",
            issue: IssueInfo(year: 2022, number: 13, cumulative: 542, date: "2022-08-15"),
            articles: [
                Expected("科技部召开国家高新区和高新技术企业高质量发展推进会", section: "火炬在行动", source: "科技部成果转化与区域创新司"),
                Expected("科技部召开长三角地区高新区稳增长座谈会", section: "火炬在行动", source: "科技部成果转化与区域创新司"),
                Expected("科技部火炬中心持续推进内地与香港青年科技交流合作", section: "火炬在行动", source: "科技部火炬中心"),
                Expected("科技部火炬中心召开新升级国家高新区工作协调会", section: "火炬在行动", source: "科技部火炬中心"),
                Expected("“不负韶华 国聘行动”国家高新区火炬专场网络直播招聘活动收官", section: "火炬在行动", source: "科技部火炬中心"),
                Expected("深圳高新区打造国家战略科技力量", section: flagship, source: "深圳高新区"),
                Expected("湘潭高新区加快建设智造谷", section: flagship, source: "湘潭高新区"),
                Expected("杨凌示范区:新时代大考显担当", section: flagship, source: "杨凌示范区"),
                Expected("乌鲁木齐高新区积极开发科研助理岗", section: "创业孵化", source: "乌鲁木齐高新区"),
                Expected("苏州高新区:千名应届毕业生签约科研助理岗", section: "创业孵化", source: "苏州高新区"),
                Expected("国家高新区绿色低碳发展的实践与思考", section: "研究报告", source: "科技部火炬中心 李婧婧 庞鹏沙 李有平"),
            ],
            absent: [
                "火炬动态", "2022年第13期", "【", "——国家高新区十年成就巡礼",
                // The TOC spelling of the first title differs from the body's.
                "科技部召开国家高新区和高科技企业高质量发展推进会",
            ]
        ),
        Case(
            file: "002_92430654b3ed553e.txt",
            issue: IssueInfo(year: 2022, number: 12, cumulative: 541, date: "2022-07-31"),
            articles: [
                Expected("科技部火炬中心召开巡视整改专题民主生活会", section: "火炬在行动", source: "科技部火炬中心"),
                Expected("2022年国家高新区科技创新与 经济形势分析能力提升培训班开班", section: "火炬在行动", source: "科技部火炬中心"),
                Expected("2022年全国颠覆性技术创新大赛工作启动会在京召开", section: "火炬在行动", source: "科技部火炬中心"),
                Expected("“不负韶华 国聘行动”火炬专场网络招聘会 走进武汉东湖和广州高新区", section: "火炬在行动", source: "科技部火炬中心"),
                Expected("“科技创业带动高质量就业行动”科研助理岗位 大学生专场招聘活动举办", section: "火炬在行动", source: "科技部火炬中心"),
                Expected("武汉东湖高新区:新兴产业重要策源地", section: flagship, source: "武汉东湖高新区"),
                Expected("兰州高新区:建西北地区重要科创中心", section: flagship, source: "兰州高新区"),
                Expected("齐齐哈尔高新区:高标准建设产业高地", section: flagship, source: "齐齐哈尔高新区"),
                Expected("广州高新区再添省级小微双创基地", section: "创业孵化", source: "广州高新区"),
                Expected("唐山高新区聚力培育双创载体", section: "创业孵化", source: "唐山高新区"),
                Expected("产业园区合作共建经验分析及启示", section: "研究报告", source: "科技部火炬中心谢锦锋 王茜 徐珂欣 谭玉林"),
            ],
            absent: [
                "火炬动态", "2022年第12期", "【", "——国家高新区十年成就巡礼",
                "科技部火炬高技术产业开发中心", "地址:", "邮编", "电话:(010)", "www.chinatorch.gov.cn", "京鼎大厦", "责任编辑",
            ]
        ),
        Case(
            file: "003_8cbf8fb23b68ab96.txt",
            issue: nil,
            articles: [
                Expected("学习贯彻党的二十大大精神 以“高”“新”谋篇 聚力科技创新 蹚出西部国家高新区发展新路",
                         byline: "石嘴山市大武口区委副书记,石嘴山高新区党工委副书记、管委会常务副主任 杨旭日"),
                Expected("合肥高新区: 10个优质智能汽车产业项目落户"),
                Expected("广州高新区: 5G应用征集大赛收获颇丰", byline: "张成 黄于穗 梁晓芳"),
                Expected("乌鲁木齐高新区(新市区): “高新讲堂”第一期正式开讲", byline: "于国伟"),
                Expected("厦门火炬高新区国际化引才显成效", byline: "管轩 刘清"),
                Expected("昆山高新区迎来第9家上市企业", byline: "彭焯寅"),
            ],
            absent: []
        ),
        Case(
            file: "004_3637a42b51946bac.txt",
            issue: nil,
            articles: [
                Expected("打造“科学家的家,创业者的城”——西部(重庆)科学城奋力谱写“科产城”高质量发展新篇章", byline: "本报记者 叶伟"),
                Expected("为建设千亿级世界一流高科技园区提供有力支撑 郑州高新区:省级专精特新再添丁", byline: "刘地 冯禄 韩君慰"),
                // The photo caption between two stories is its own untitled item.
                Expected(""),
                Expected("青岛高新区“揭榜挂帅”结硕果", byline: "李青健"),
                Expected("杭州高新区就业创业服务月启动", byline: "刘姿吟"),
                Expected("南宁高新区“三创三推”初显成效", byline: "赵映 欧阳钢桥"),
            ],
            absent: ["▶"]
        ),
    ]

    @Test(arguments: cases)
    func articlesMatchTheTable(_ c: Case) throws {
        let parsed = IssueParser.parse(try Fixtures.corpusFile(c.file))
        #expect(parsed.issue == c.issue)
        #expect(parsed.articles.count == c.articles.count)
        let got = parsed.articles.map(Expected.init)
        for (index, expected) in c.articles.enumerated() where index < got.count {
            #expect(got[index] == expected, "article \(index)")
        }
        if c.issue == nil {
            #expect(parsed.warnings.contains { $0.contains("no issue line") })
        }
    }

    @Test(arguments: cases)
    func mastheadTocAndFooterAreNotArticleText(_ c: Case) throws {
        let parsed = IssueParser.parse(try Fixtures.corpusFile(c.file))
        for text in c.absent {
            let holders = parsed.articles.filter { ($0.title + $0.body + ($0.source ?? "") + ($0.byline ?? "")).contains(text) }
            #expect(holders.isEmpty, "\(text) found in \(holders.map(\.title))")
        }
        // Source lines and glued bylines never stay in a body.
        for article in parsed.articles {
            #expect(!article.body.contains("供稿"), "\(article.title)")
            if let byline = article.byline { #expect(!article.body.hasSuffix(byline), "\(article.title)") }
        }
    }

    /// Every line of 20+ characters survives in some article (TOC lines and the colophon
    /// excepted), with `(供稿:X)` reduced to `X` since the source is stored apart.
    @Test(arguments: cases)
    func nothingIsLost(_ c: Case) throws {
        let text = try Fixtures.corpusFile(c.file)
        let parsed = IssueParser.parse(text)
        let kept = parsed.keptText
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = String(raw).trimmingCharacters(in: .whitespaces)
            guard line.count >= 20, !line.hasPrefix("【"), !c.absent.contains(where: line.contains) else { continue }
            let key = Self.unwrapSource(line.withoutWhitespace)
            let found = kept.contains(key)
            #expect(found, "lost: \(line)")
        }
    }

    static func unwrapSource(_ line: String) -> String {
        guard let marker = line.range(of: "(供稿:") ?? line.range(of: "（供稿：") else { return line }
        var result = line
        if let close = result[marker.upperBound...].firstIndex(where: { $0 == ")" || $0 == "）" }) {
            result.remove(at: close)
        }
        result.removeSubrange(marker)
        return result
    }
}
