import HuojuParser
import Testing

/// The self-written demo corpus in Samples/ parses the way it was written to.
@Suite struct SamplesTests {
    @Test func asciiNewsletter() throws {
        let parsed = IssueParser.parse(try Fixtures.sample("2023_05.txt"))
        #expect(parsed.issue == IssueInfo(year: 2023, number: 5, cumulative: 556, date: "2023-03-15"))
        #expect(parsed.articles.map(Expected.init) == [
            Expected("火炬中心部署2023年科研助理岗位开发工作", section: "火炬在行动", source: "科技部火炬中心"),
            Expected("国家高新区孵化器运营交流会在苏州高新区举行", section: "火炬在行动", source: "苏州高新区"),
            Expected("武汉东湖高新区:光谷青年人才驿站上线", section: "创业孵化", source: "武汉东湖高新区"),
            Expected("高新区人才政策的比较与建议", section: "研究报告", source: "科技部火炬中心 王明 李华"),
        ])
        #expect(parsed.articles[0].body.contains("新型研发机构和孵化器拿出更多"))
        #expect(parsed.articles[3].body.contains("\n一、政策特点\n"))
    }

    @Test func fullWidthNewsletterWithFooter() throws {
        let parsed = IssueParser.parse(try Fixtures.sample("2023_06.txt"))
        #expect(parsed.issue == IssueInfo(year: 2023, number: 6, cumulative: 557, date: "2023-03-31"))
        #expect(parsed.articles.map(Expected.init) == [
            Expected("火炬中心召开国家高新区人才工作座谈会", section: "火炬在行动", source: "科技部火炬中心"),
            Expected("“春风送岗 科技助业”国家高新区专场招聘活动启动", section: "火炬在行动", source: "科技部火炬中心"),
            Expected("石嘴山高新区：老工业基地焕发新活力", section: "奋进新征程 建功新时代", source: "石嘴山高新区"),
        ])
        #expect(parsed.articles[1].body.contains("60余家国家高新区。"))
        #expect(parsed.articles[2].body.contains("\n集聚创新人才\n"))
        #expect(!parsed.keptText.contains("责任编辑"))
    }

    @Test func newspaperPage() throws {
        let parsed = IssueParser.parse(try Fixtures.sample("news_2023_06_18.txt"))
        #expect(parsed.issue == nil)
        #expect(parsed.articles.map(Expected.init) == [
            Expected("聚焦人才强区 光谷：让青年人才“留得下、发展好”", byline: "本报记者 陈晓"),
            Expected("苏州高新区：科研助理岗位吸纳毕业生500人", byline: "周文 林雪"),
            Expected(""),
            Expected("杭州高新区孵化器联盟成立", byline: "吴越"),
        ])
        #expect(parsed.articles[0].body.contains("\n打造人才服务综合体\n"))
        #expect(parsed.articles[1].body.hasSuffix("帮助他们尽快成长为科研骨干。"))
        #expect(parsed.articles[2].body.contains("图片来源：石嘴山高新区"))
    }
}
