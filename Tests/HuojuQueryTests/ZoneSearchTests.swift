import Foundation
import HuojuTestSupport
import Testing
@testable import HuojuCorpus
@testable import HuojuIndex
@testable import HuojuProtocol
@testable import HuojuQuery
@testable import HuojuText
@testable import HuojuZones

/// Zones through the real search path: an index of the sample corpus, tagged while indexing.
@Suite(.serialized) struct ZoneSearchTests {
    let index = SampleIndex.shared

    /// Every stored document of the sample index by "path#ordinal".
    func documents() throws -> [String: IndexDocument] {
        let snapshot = index.searcher.snapshot
        var documents: [String: IndexDocument] = [:]
        for global in 0..<snapshot.docCount {
            let document = try snapshot.document(global: global)
            documents["\(document.path)#\(document.ordinal)"] = document
        }
        return documents
    }

    func exactHits(_ query: String) throws -> [SearchHit] {
        try index.searcher.search(SearchRequest(query: query, limit: 1000, exact: true)).hits
    }

    @Test func zonesAboutATopicRankAboveZonesOnlyListedAmongAttendees() throws {
        for query in ["科研助理", "孵化器"] {
            let ranked = try index.searcher.zones(query: query, limit: 1000).zones
            let lastAbout = try #require(ranked.lastIndex { $0.primary > 0 }, "\(query)")
            let firstListed = try #require(ranked.firstIndex { $0.primary == 0 }, "\(query)")
            #expect(lastAbout < firstListed, "\(query): \(ranked.map { "\($0.zone) \($0.primary)/\($0.articles)" })")
        }
        let assistants = try index.searcher.zones(query: "科研助理", limit: 3).zones
        #expect(Set(assistants.map(\.zone)) == ["乌鲁木齐高新区", "苏州高新区", "枣庄高新区"])
        #expect(assistants.first { $0.zone == "苏州高新区" }?.best.title == "苏州高新区:千名应届毕业生签约科研助理岗")
        #expect(assistants.first { $0.zone == "苏州高新区" }?.articles == 2, "its own article and a list of attendees")
        // 武汉东湖 and 洛阳 are named in one article that mentions incubators in passing.
        let incubators = try index.searcher.zones(query: "孵化器", limit: 1000).zones
        #expect(incubators.first?.zone == "唐山高新区", "\(incubators.map(\.zone))")
        let listedOnly = incubators.filter { $0.primary == 0 }.map(\.zone)
        #expect(listedOnly.contains("武汉东湖高新区") && listedOnly.contains("洛阳高新区"), "\(listedOnly)")
    }

    /// score(z) = Σ bm25(d) · w(d, z), w = 1 for the primary zone, 0.2·m/(m+2) otherwise.
    @Test func zoneScoresFollowTheDocumentedFormula() throws {
        let documents = try documents()
        for query in ["科研助理", "孵化器", "人才", "高新区 人才", "zone:光谷 人才"] {
            var expected: [String: (score: Double, articles: Int, primary: Int, best: (Double, String))] = [:]
            for hit in try exactHits(query) {
                let document = try #require(documents["\(hit.path)#\(hit.ordinal)"])
                for zone in document.zones {
                    let primary = document.primaryZone == zone.zone
                    let value = hit.score * (primary ? 1 : 0.2 * Double(zone.mentions) / (Double(zone.mentions) + 2))
                    var entry = expected[zone.zone] ?? (0, 0, 0, (-1, ""))
                    entry.score += value
                    entry.articles += 1
                    entry.primary += primary ? 1 : 0
                    if value > entry.best.0 { entry.best = (value, "\(hit.path)#\(hit.ordinal)") }
                    expected[zone.zone] = entry
                }
            }
            let ranked = try index.searcher.zones(query: query, limit: 1000).zones
            #expect(Set(ranked.map(\.zone)) == Set(expected.keys), "\(query)")
            #expect(ranked.map(\.score) == ranked.map(\.score).sorted(by: >), "\(query)")
            for zone in ranked {
                let want = try #require(expected[zone.zone])
                #expect(abs(zone.score - want.score) <= 1e-9 * max(1, want.score), "\(query) \(zone.zone)")
                #expect(zone.articles == want.articles && zone.primary == want.primary, "\(query) \(zone.zone)")
                #expect("\(zone.best.path)#\(zone.best.ordinal)" == want.best.1, "\(query) \(zone.zone)")
            }
        }
    }

    @Test func facetsCountZonesOverTheExactMatches() throws {
        let documents = try documents()
        for query in ["科研助理", "孵化器", "人才", "高新区", "石嘴山", "zone:苏州高新区"] {
            var expected: [String: (articles: Int, primary: Int)] = [:]
            for hit in try exactHits(query) {
                let document = try #require(documents["\(hit.path)#\(hit.ordinal)"])
                for zone in document.zones {
                    expected[zone.zone, default: (0, 0)].articles += 1
                    if document.primaryZone == zone.zone { expected[zone.zone, default: (0, 0)].primary += 1 }
                }
            }
            let facets = try #require(try index.searcher.search(SearchRequest(query: query, limit: 1)).facets)
            #expect(facets.zones.count + facets.moreZones == expected.count, "\(query)")
            for facet in facets.zones {
                #expect(facet.articles == expected[facet.zone]?.articles && facet.primary == expected[facet.zone]?.primary, "\(query) \(facet.zone)")
                #expect(!facet.unlisted)
            }
            #expect(facets.zones.map(\.articles) == facets.zones.map(\.articles).sorted(by: >))
        }
    }

    @Test func zoneFiltersAcceptAliases() throws {
        let documents = try documents()
        let wuhanTalent = Set(documents.filter { key, document in
            document.zones.contains { $0.zone == "武汉东湖高新区" } && index.oracle(["人才"]).contains(key)
        }.keys)
        #expect(wuhanTalent.count >= 2)
        for request in [SearchRequest(query: "zone:光谷 人才", limit: 100), SearchRequest(query: "人才 zone:武汉东湖高新区", limit: 100),
                        SearchRequest(query: "人才 zone:東湖高新區", limit: 100), SearchRequest(query: "人才", limit: 100, zone: "光谷")] {
            let result = try index.searcher.search(request)
            #expect(Set(result.hits.filter { !$0.partial }.map { "\($0.path)#\($0.ordinal)" }) == wuhanTalent, "\(request.query)")
            #expect(result.hits.contains { $0.title == "武汉东湖高新区:新兴产业重要策源地" })
        }
        // A list name is a zone name too; a name of no zone finds nothing.
        let suzhou = try exactHits("zone:苏州")
        #expect(!suzhou.isEmpty && suzhou.allSatisfy { $0.zones.contains("苏州高新区") })
        #expect(try exactHits("高新区 zone:上海").isEmpty)
    }

    @Test func groupingByZoneFollowsTheZoneRanking() throws {
        let ranked = try index.searcher.zones(query: "科研助理", limit: 6).zones
        let grouped = try index.searcher.search(SearchRequest(query: "科研助理", limit: 5, groupByZone: true, groupHits: 2))
        let groups = try #require(grouped.groups)
        #expect(grouped.hits.isEmpty)
        #expect(grouped.total == (try exactHits("科研助理")).count)
        #expect(groups.map(\.zone) == ranked.prefix(5).map(\.zone))
        for (group, zone) in zip(groups, ranked) {
            #expect(group.score == zone.score && group.articles == zone.articles)
            #expect((1...2).contains(group.hits.count) && group.hits.count == min(2, group.articles))
            #expect(group.hits.allSatisfy { $0.zones.contains(group.zone) })
            #expect(group.hits.first?.path == zone.best.path && group.hits.first?.ordinal == zone.best.ordinal)
        }
        let page = try index.searcher.search(SearchRequest(query: "科研助理", limit: 2, offset: 1, groupByZone: true))
        #expect(page.groups?.map(\.zone) == Array(ranked.dropFirst().prefix(2).map(\.zone)))
    }

    @Test func anUnseenZoneNameIsKeptAsUnlistedAndSearchable() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("huoju-unseen-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/corpus", withIntermediateDirectories: true)
        let sample = try SharedCorpus.files().last!
        try FileManager.default.copyItem(atPath: sample.path, toPath: root + "/corpus/" + sample.lastPathComponent)
        try """


        某某高新区举办第三届创新创业大赛

        本报讯 近日,某某高新区举办第三届创新创业大赛,吸引120个项目参赛。某某高新区管委会表示,将为获奖项目提供孵化场地和人才政策支持。

        """.write(toFile: root + "/corpus/999_new.txt", atomically: true, encoding: .utf8)
        _ = try CorpusIndexer.rebuild(corpus: root + "/corpus", index: root + "/index")
        let searcher = try Searcher(snapshot: try IndexSnapshot.open(directory: root + "/index", analyzer: Analyzer.version))

        #expect(try searcher.unlistedZones() == [UnlistedZone(zone: "某某高新区", articles: 1)])
        let found = try searcher.search(SearchRequest(query: "zone:某某高新区", limit: 10))
        #expect(found.total == 1 && found.hits.first?.title == "某某高新区举办第三届创新创业大赛")
        #expect(found.hits.first?.primaryZone == "某某高新区")
        #expect(try searcher.search(SearchRequest(query: "人才", limit: 10, zone: "某某高新区")).total == 1)
        let facet = try #require(try searcher.search(SearchRequest(query: "创新创业大赛", limit: 1)).facets?.zones.first { $0.zone == "某某高新区" })
        #expect(facet.unlisted && facet.articles == 1 && facet.primary == 1)
        let ranked = try searcher.zones(query: "创新创业大赛", limit: 10).zones
        #expect(ranked.first?.zone == "某某高新区" && ranked.first?.unlisted == true)
    }

    @Test func zoneNamesResolveWithTheGazetteerTheIndexWasBuiltWith() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("huoju-own-zones-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/corpus", withIntermediateDirectories: true)
        try "\n\n狮山新城招聘科研助理\n\n本报讯 近日,狮山新城发布科研助理岗位200个。\n"
            .write(toFile: root + "/corpus/a.txt", atomically: true, encoding: .utf8)
        try "canonical\tkind\tprovince\tcity\taliases\tlist_names\n狮山新城\t其他\t江苏\t苏州\t狮山\n"
            .write(toFile: root + "/zones.tsv", atomically: true, encoding: .utf8)
        let gazetteer = try Gazetteer.load(extending: root + "/zones.tsv")
        _ = try CorpusIndexer.rebuild(corpus: root + "/corpus", index: root + "/index", gazetteer: gazetteer)
        let snapshot = try IndexSnapshot.open(directory: root + "/index", analyzer: Analyzer.version)
        #expect(snapshot.manifest.zones?.fingerprint == gazetteer.fingerprint)
        #expect(snapshot.manifest.zones?.fingerprint != Gazetteer.builtIn.fingerprint)
        let searcher = try Searcher(snapshot: snapshot)
        #expect(try searcher.search(SearchRequest(query: "zone:狮山 科研助理", limit: 10)).total == 1)
        #expect(try searcher.search(SearchRequest(query: "科研助理", limit: 10)).hits.first?.primaryZone == "狮山新城")
    }
}
