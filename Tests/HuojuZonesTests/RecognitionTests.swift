import Testing
@testable import HuojuZones

@Suite struct RecognitionTests {
    let recognizer = ZoneRecognizer(gazetteer: .builtIn)

    /// Zone → mentions in `text`.
    func zones(_ text: String) -> [String: Int] {
        recognizer.spans(in: text).reduce(into: [:]) { $0[$1.zone, default: 0] += 1 }
    }

    @Test func bareCityNamesInAListOfZonesAreThoseZones() {
        let text = "上海张江、南京、苏州工业园区、苏州、常州、昆山、泰州医药、杭州、宁波、合肥等国家高新区相关负责人进行了交流发言。"
        #expect(zones(text) == ["上海张江高新区": 1, "南京高新区": 1, "苏州工业园区": 1, "苏州高新区": 1, "常州高新区": 1, "昆山高新区": 1,
                                "泰州医药高新区": 1, "杭州高新区": 1, "宁波高新区": 1, "合肥高新区": 1])
        #expect(recognizer.spans(in: text).allSatisfy { $0.inList })
        // Counted lists, shared suffixes and a conjunction before the last name.
        #expect(zones("滁州、信阳、遵义、克拉玛依 4 家新升级的国家高新区主要负责人") == ["滁州高新区": 1, "信阳高新区": 1, "遵义高新区": 1, "克拉玛依高新区": 1])
        #expect(zones("内地行活动重点了解武汉东湖和洛阳两个高新区。") == ["武汉东湖高新区": 1, "洛阳高新区": 1])
        #expect(zones("先后走进成都、沈阳、武汉东湖和广州高新区,面向全国") == ["成都高新区": 1, "沈阳高新区": 1, "武汉东湖高新区": 1, "广州高新区": 1])
        #expect(zones("先后到大连、北京中关村、杭州等国家高新区考察") == ["大连高新区": 1, "中关村科技园区": 1, "杭州高新区": 1])
        // One unknown name between 、 does not break the list when others are known.
        #expect(zones("上海张江、宜宾、苏州等国家高新区") == ["上海张江高新区": 1, "苏州高新区": 1])
    }

    @Test func cityNamesOutsideListsOfZonesAreNotZones() {
        #expect(zones("会议以网络形式举行,设北京、香港、武汉和洛阳4个会场。") == [:])
        #expect(zones("香港、洛阳、武汉三地200多名创业青年在线参加") == [:])
        #expect(zones("8月8日,科技部在苏州召开长三角国家高新区稳增长座谈会。") == [:])
        #expect(zones("深圳迈瑞医疗、苏州纳微科技、杭州吉利汽车等高新技术企业负责人") == [:])
        #expect(zones("江苏省科技厅、苏州市和长三角地区10家国家高新区相关负责人参加会议") == [:])
    }

    @Test func aliasesMatchAnywhereInAnySpelling() {
        #expect(zones("光谷生物城经过10多年发展") == ["武汉东湖高新区": 1])
        #expect(zones("會議在張江舉行,光穀企業參加") == ["上海张江高新区": 1, "武汉东湖高新区": 1])
        #expect(zones("杭州高新区(滨江)发起倡议,杭州高新区（滨江区）党群服务中心") == ["杭州高新区": 2])
        #expect(zones("乌鲁木齐高新区(新市区)深入贯彻创新驱动发展战略;新市区委常委") == ["乌鲁木齐高新区": 2])
        #expect(zones("推动兰白国家自创区建设取得突破性进展") == ["兰白国家自主创新示范区": 1])
        #expect(zones("在洛阳市高新区举办") == ["洛阳高新区": 1])
    }

    @Test func zoneLikeNamesEndingInAPlaceAreUnlistedZones() {
        let text = "近日,丹阳高新区举办创新大赛。推动宜宾高新区建设;苏州相城高新区和江苏高邮国家高新区代表参加。"
        let spans = recognizer.spans(in: text)
        #expect(zones(text) == ["丹阳高新区": 1, "宜宾高新区": 1, "苏州相城高新区": 1, "江苏高邮高新区": 1])
        #expect(spans.allSatisfy { $0.kind == .unlisted })
        #expect(spans.map(\.evidence) == [.place("丹阳"), .place("宜宾"), .place("相城"), .place("高邮")])
        #expect(zones("南沙科学城开工,昆山市高新区") == ["南沙科学城": 1, "昆山高新区": 1])
        #expect(zones("苏州相城工业园区成立") == ["苏州相城工业园区": 1])
        // A place chain ending in a list name is that zone.
        #expect(zones("江苏常熟高新区") == ["常熟高新区": 1])
    }

    @Test func phrasesBeforeAZoneSuffixAreNoZones() {
        // Phrases, adjectives and time words: no place, no organisation.
        for phrase in ["四是注重功能高新区建设", "以数字化方式高新区实现全程网办", "党的二十大高新区代表", "经广东省委省高新区工作领导小组",
                       "新区高新区联动", "加快建设现代化高新区", "新时代高新区肩负新使命", "某某高新区举办创新大赛", "某某科学城开工"] {
            #expect(zones(phrase) == [:], "\(phrase)")
        }
        // A province's zones, not a zone.
        #expect(zones("广东省高新区数量达到16家,江苏高新区创新能力领先") == [:])
        // A county that is also a word does not make a description a name before a weak suffix.
        #expect(zones("打造乡村振兴示范区和共同富裕示范区") == [:])
        // A place inside a longer name is not where the name starts (紫金 + 山, not 金山).
        #expect(zones("紫金山科学城聚焦集成电路") == [:])
        // A place must start a clause or follow a boundary word, and not a number.
        #expect(zones("调查历史古城高新区定位") == [:])
        #expect(zones("等6宜宾高新区,共4 丹阳高新区") == [:])
        // A district's full name: the district's zones, not a zone (zones take the short form).
        #expect(zones("黄埔区高新区3.2个百分点,推动相城高新区") == ["相城高新区": 1])
        // A county-level short form that is a common word is no place (合作市 is; 合作 is "cooperation").
        #expect(zones("鼓励合作高新区,依托资源高新区") == [:])
        #expect(zones("推动合作市高新区") == ["合作市高新区": 1])
        // Demonstration zones after a place are descriptions; all national ones are in the gazetteer.
        #expect(zones("加快建设广州示范区") == [:])
    }

    @Test func candidatesNeedTheirArticleToShowThemAsOrganisations() {
        func unlisted(title: String, source: String? = nil, byline: String? = nil, body: String) -> [String] {
            recognizer.zones(title: title, source: source, byline: byline, body: body).mentions.filter { !$0.listed }.map(\.zone)
        }
        // Named by its 供稿 source, title or byline: accepted there and in the body.
        #expect(unlisted(title: "聚焦集成电路", source: "紫金山科学城", body: "紫金山科学城已建成新型研发机构12家。") == ["紫金山科学城"])
        #expect(recognizer.zones(title: "聚焦集成电路", source: "紫金山科学城", byline: nil, body: "紫金山科学城已建成新型研发机构12家。")
            .mentions.first?.mentions == 2)
        #expect(unlisted(title: "环湖科学城:科研助理岗位吸引毕业生", body: "近日,环湖科学城发布岗位60个。") == ["环湖科学城"])
        #expect(unlisted(title: "坚持项目为王", byline: "滨湖新城科学城党工委副书记 王晓明", body: "滨湖新城科学城将坚持项目为王。")
            == ["滨湖新城科学城"])
        // An organisation word after a name that starts a clause is evidence anywhere; after a
        // conjunction the name may be a phrase's tail.
        #expect(zones("某某科学城管委会表示") == ["某某科学城": 1])
        #expect(zones("科技管理部门和部凡士林高新区管委会主任") == [:])
        // A title's subject, not a description heading it.
        #expect(unlisted(title: "某某高新区启动科研助理岗位开发", body: "近日,某某高新区发布岗位80个。") == ["某某高新区"])
        #expect(unlisted(title: "数字化高新区建设的探索", body: "数字化高新区建设需要长期投入。") == [])
        // Only in the body, a candidate is a phrase; so is one inside a title's sentence.
        #expect(unlisted(title: "新政出台", body: "某某科学城聚焦集成电路。") == [])
        #expect(unlisted(title: "加快建设现代化高新区", body: "现代化高新区需要更高水平的治理。") == [])
    }

    @Test func genericUsesOfTheSuffixesAreNoNames() {
        for generic in ["国家高新区绿色低碳发展", "科技部召开新升级国家高新区工作协调会", "位于湘江之滨的国家高新区", "推动高新区发展",
                        "两个高新区负责人", "蹚出西部国家高新区发展新路", "科技部召开长三角地区高新区稳增长座谈会", "全国173家国家高新区",
                        "鼓励高新区开展应用场景创新", "充分调动和激发高新区创新活力", "看一个高新区是不是有竞争力", "进一步助推高新区产业升级",
                        "建设创新驱动发展示范区和高质量发展先行区", "以承接产业转移示范区、跨省合作园区等为平台", "由最初的单一工业园区到科技园区",
                        "面向5G技术的物联网与智慧城市应用示范区", "推动科学城高水平建设", "该高新区", "各高新区"] {
            #expect(zones(generic) == [:], "\(generic)")
        }
    }
}
