import HuojuParser
import Testing

/// PDF breaks found by reading the sample files: each must be joined in the body, while
/// headings and real paragraph ends stay on their own lines.
@Suite struct LineBreakRepairTests {
    static let joined: [String: [String]] = [
        "000_33c6f90cfd61fb45.txt": [
            "国家战略需求,主动应对", "高新区发展的重要讲话精神", "常熟高新区,对10余家", "累计浏览量超过 8000 人次",
            "单项排名第一", "“2+1+N”(智能装备制造", "基本形成了“1+4”", "干旱半干旱地区乃至", "拥有农业科教人才",
            "探索科技创新与绿色发展", "保险、基金等", "应用场景创新",
        ],
        "002_92430654b3ed553e.txt": [
            "2022年上半年宏观经济", "建立健全颠覆性大赛", "企业文化、人才培养", "整体落实情况", "重大关键核心技术",
            "全区累计投入", "中国游戏节", "中医药、高端医疗器械", "发挥高新区平台优势", "装备制造整机",
            "多功能的物理空间", "产业升级、结构调整", "已跻身为国家一流", "广东省委省政府批准", "注重功能互补",
        ],
        "003_8cbf8fb23b68ab96.txt": [
            "精准培育成效显著", "西安交通大学创建", "转型升级,实施产业", "特色优势的智能网联", "国际一流水平", "谈思路、谈发展",
        ],
        "004_3637a42b51946bac.txt": ["产业创新引领区", "开展研发工作", "助力企业吸引优秀人才", "行动计划的主要目标"],
    ]

    @Test(arguments: joined.keys.sorted())
    func brokenParagraphsAreJoined(_ file: String) throws {
        let parsed = IssueParser.parse(try Fixtures.corpusFile(file))
        let bodies = parsed.articles.map(\.body).joined(separator: "\n")
        for piece in Self.joined[file] ?? [] {
            #expect(bodies.contains(piece), "not joined: \(piece)")
        }
    }

    @Test func subheadingsAndParagraphEndsStayApart() throws {
        let issue = IssueParser.parse(try Fixtures.corpusFile("000_33c6f90cfd61fb45.txt"))
        let shenzhen = try #require(issue.body(titled: "深圳高新区打造国家战略科技力量"))
        let lines = shenzhen.split(separator: "\n").map(String.init)
        for heading in ["强化企业创新主体地位", "铸造创新硬核实力", "营造活力迸发双创生态", "打造双循环“深圳样本”"] {
            #expect(lines.contains(heading), "\(heading) is not its own line")
        }
        let report = try #require(issue.body(titled: "国家高新区绿色低碳发展的实践与思考"))
        #expect(report.contains("\n一、总体发展情况\n经过30多年发展"))
        let first = try #require(issue.body(titled: "科技部召开国家高新区和高新技术企业高质量发展推进会"))
        #expect(first.contains("副部长邵新宇主持会议。\n王志刚指出"))
        // The fragment right under a title is joined to its paragraph, not to the title.
        let second = try #require(issue.body(titled: "科技部召开长三角地区高新区稳增长座谈会"))
        #expect(second.hasPrefix("为深入学习贯彻习近平总书记关于当前经济形势和高新区发展的重要讲话精神"))
    }

    @Test func layoutGapsAreNotBridged() throws {
        let page = IssueParser.parse(try Fixtures.corpusFile("004_3637a42b51946bac.txt"))
        let lead = try #require(page.articles.first?.body)
        // A truncated paragraph before an image keeps its end; the caption and credit follow.
        #expect(lead.contains("高水平建设大学\n西部(重庆)科学城种质创制中心科研人员在工作。\n雷键/摄\n“大手笔”投入 壮大主导产业集群\n"))
    }

    @Test func joinRulesOnSyntheticText() {
        let text = """
        通用标题一

        第一段写到一半没有结束,English word

        continues here。数字 12

        345 继续。

        小标题

        这一段结束了。
        """
        let article = IssueParser.parse(text).articles[0]
        #expect(article.title == "通用标题一")
        #expect(article.body == "第一段写到一半没有结束,English word continues here。数字 12345 继续。\n小标题\n这一段结束了。")
    }
}
