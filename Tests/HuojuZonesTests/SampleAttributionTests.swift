import HuojuParser
import HuojuTestSupport
import Testing
@testable import HuojuZones

/// Expectations written after reading every article of the sample issues in ../shared/corpus.
@Suite struct SampleAttributionTests {
    let recognizer = ZoneRecognizer(gazetteer: .builtIn)

    /// (file name prefix, article ordinal, title prefix, expected primary zone).
    static let primaries: [(file: String, ordinal: Int, title: String, primary: String?)] = [
        // 2022年第13期: national meetings with lists of zones, then articles by one zone each.
        ("000", 0, "科技部召开国家高新区和高新技术企业高质量发展推进会", nil),
        ("000", 1, "科技部召开长三角地区高新区稳增长座谈会", nil),
        ("000", 2, "科技部火炬中心持续推进内地与香港", nil),                 // 武汉东湖 and 洛阳 alike
        ("000", 3, "科技部火炬中心召开新升级国家高新区工作协调会", nil),
        ("000", 4, "“不负韶华 国聘行动”国家高新区火炬专场", nil),
        ("000", 5, "深圳高新区打造国家战略科技力量", "深圳高新区"),
        ("000", 6, "湘潭高新区加快建设智造谷", "湘潭高新区"),
        ("000", 7, "杨凌示范区:新时代大考显担当", "杨凌示范区"),
        ("000", 8, "乌鲁木齐高新区积极开发科研助理岗", "乌鲁木齐高新区"),
        ("000", 9, "苏州高新区:千名应届毕业生签约科研助理岗", "苏州高新区"),
        ("000", 10, "国家高新区绿色低碳发展的实践与思考", nil),           // examples from nine zones
        // 2022年第12期
        ("002", 0, "科技部火炬中心召开巡视整改专题民主生活会", nil),
        ("002", 1, "2022年国家高新区科技创新与", nil),
        ("002", 2, "2022年全国颠覆性技术创新大赛工作启动会", nil),
        ("002", 3, "“不负韶华 国聘行动”火炬专场网络招聘会", nil),        // 武汉东湖 and 广州 alike
        ("002", 4, "“科技创业带动高质量就业行动”科研助理岗位", "枣庄高新区"),  // held in and about 枣庄高新区
        ("002", 5, "武汉东湖高新区:新兴产业重要策源地", "武汉东湖高新区"),
        ("002", 6, "兰州高新区:建西北地区重要科创中心", "兰州高新区"),
        ("002", 7, "齐齐哈尔高新区:高标准建设产业高地", "齐齐哈尔高新区"),
        ("002", 8, "广州高新区再添省级小微双创基地", "广州高新区"),
        ("002", 9, "唐山高新区聚力培育双创载体", "唐山高新区"),
        ("002", 10, "产业园区合作共建经验分析及启示", nil),               // four cases, 苏州工业园 one of them
        // Newspaper pages.
        ("003", 0, "学习贯彻党的二十大大精神", "石嘴山高新区"),             // the byline's organisation
        ("003", 1, "合肥高新区: 10个优质智能汽车产业项目落户", "合肥高新区"),
        ("003", 2, "广州高新区: 5G应用征集大赛收获颇丰", "广州高新区"),
        ("003", 3, "乌鲁木齐高新区(新市区)", "乌鲁木齐高新区"),
        ("003", 4, "厦门火炬高新区国际化引才显成效", "厦门火炬高新区"),
        ("003", 5, "昆山高新区迎来第9家上市企业", "昆山高新区"),
        ("004", 0, "打造“科学家的家,创业者的城”", "西部(重庆)科学城"),
        ("004", 1, "为建设千亿级世界一流高科技园区提供有力支撑 郑州高新区", "郑州高新区"),
        ("004", 2, "", "石嘴山高新区"),                                       // a photo caption about 石嘴山高新区
        ("004", 3, "青岛高新区“揭榜挂帅”结硕果", "青岛高新区"),
        ("004", 4, "杭州高新区就业创业服务月启动", "杭州高新区"),
        ("004", 5, "南宁高新区“三创三推”初显成效", "南宁高新区"),
    ]

    /// Every zone named, with its mentions (list mentions included), counted by hand.
    static let mentions: [(file: String, ordinal: Int, zones: [String: Int])] = [
        ("000", 0, ["中关村科技园区": 2, "大连高新区": 1, "杭州高新区": 1, "西安高新区": 1, "济南高新区": 1, "武汉东湖高新区": 1,
                    "深圳高新区": 1, "哈尔滨高新区": 1, "上海张江高新区": 1, "长沙高新区": 1, "兰州高新区": 1]),
        ("000", 1, ["上海张江高新区": 1, "南京高新区": 1, "苏州工业园区": 2, "苏州高新区": 2, "常州高新区": 1, "昆山高新区": 1,
                    "泰州医药高新区": 1, "杭州高新区": 1, "宁波高新区": 1, "合肥高新区": 1, "常熟高新区": 1]),
        ("000", 2, ["武汉东湖高新区": 4, "洛阳高新区": 4]),
        ("000", 3, ["滁州高新区": 2, "信阳高新区": 2, "遵义高新区": 2, "克拉玛依高新区": 2]),
        ("000", 4, ["上海张江高新区": 2, "成都高新区": 1, "沈阳高新区": 1, "武汉东湖高新区": 1, "广州高新区": 1, "西安高新区": 1]),
        ("000", 10, ["南昌高新区": 1, "西安高新区": 1, "郑州高新区": 1, "合肥高新区": 1, "天津滨海高新区": 1, "武汉东湖高新区": 1,
                     "无锡高新区": 1, "成都高新区": 1, "肇庆高新区": 1]),
        ("002", 0, [:]),
        ("002", 2, ["青岛高新区": 1, "苏州高新区": 1]),
        ("002", 3, ["武汉东湖高新区": 6, "广州高新区": 6, "成都高新区": 1, "沈阳高新区": 1]),
        ("002", 4, ["枣庄高新区": 5]),
        ("002", 10, ["苏州工业园区": 3]),
        ("003", 4, ["厦门火炬高新区": 4]),
        ("004", 2, ["石嘴山高新区": 2]),
        ("004", 4, ["杭州高新区": 5]),
    ]

    func articles() throws -> [String: [Article]] {
        var byFile: [String: [Article]] = [:]
        for (name, text) in try SharedCorpus.texts() { byFile[String(name.prefix(3))] = IssueParser.parse(text).articles }
        return byFile
    }

    @Test func everySampleArticleGetsThePrimaryZoneAReaderWouldGiveIt() throws {
        let articles = try articles()
        #expect(articles.values.reduce(0) { $0 + $1.count } == Self.primaries.count, "every article has an expectation")
        for expected in Self.primaries {
            let article = try #require(articles[expected.file]?[expected.ordinal], "\(expected.file)#\(expected.ordinal)")
            #expect(article.title.hasPrefix(expected.title), "\(expected.file)#\(expected.ordinal) is \(article.title)")
            let zones = recognizer.zones(title: article.title, source: article.source, byline: article.byline, body: article.body)
            #expect(zones.primary == expected.primary, "\(expected.file)#\(expected.ordinal) \(article.title): \(zones)")
            if let primary = zones.primary { #expect(zones.mentions.first?.zone == primary) }
        }
    }

    @Test func mentionedZonesAreCountedWithListMentions() throws {
        let articles = try articles()
        for expected in Self.mentions {
            let article = try #require(articles[expected.file]?[expected.ordinal])
            let zones = recognizer.zones(title: article.title, source: article.source, byline: article.byline, body: article.body)
            let found = Dictionary(uniqueKeysWithValues: zones.mentions.map { ($0.zone, $0.mentions) })
            #expect(found == expected.zones, "\(expected.file)#\(expected.ordinal) \(article.title)")
            #expect(zones.mentions.allSatisfy { $0.listed })
        }
        // Articles about a zone name others too; those are counted beside the primary one.
        let lanzhou = try #require(articles["002"]?[6])
        let mentions = recognizer.zones(title: lanzhou.title, source: lanzhou.source, byline: lanzhou.byline, body: lanzhou.body).mentions
        #expect(mentions.first?.zone == "兰州高新区")
        #expect(mentions.dropFirst().map(\.zone) == ["兰白国家自主创新示范区", "上海张江高新区"])
        #expect(mentions.dropFirst().map(\.mentions) == [3, 1])
    }

    @Test func evidenceNamesWhatDecided() throws {
        let articles = try articles()
        func evidence(_ file: String, _ ordinal: Int) throws -> ArticleZones.Evidence? {
            let article = try #require(articles[file]?[ordinal])
            return recognizer.zones(title: article.title, source: article.source, byline: article.byline, body: article.body).evidence
        }
        #expect(try evidence("000", 9) == .title)
        #expect(try evidence("003", 0) == .byline)
        #expect(try evidence("002", 4) == .mentions)
        #expect(try evidence("004", 2) == .mentions)
        // A 供稿 source decides when the title names no zone.
        let zones = recognizer.zones(title: "千名应届毕业生签约科研助理岗", source: "苏州高新区", byline: nil, body: "近日,招聘活动举办。")
        #expect(zones.primary == "苏州高新区" && zones.evidence == .source)
        // A title naming two zones: none, unless the source picks one of them.
        #expect(recognizer.zones(title: "武汉东湖和广州高新区", source: nil, byline: nil, body: "").primary == nil)
        #expect(recognizer.zones(title: "武汉东湖和广州高新区", source: "广州高新区", byline: nil, body: "").primary == "广州高新区")
        #expect(recognizer.zones(title: "武汉东湖和广州高新区", source: "深圳高新区", byline: nil, body: "").primary == nil)
    }
}
