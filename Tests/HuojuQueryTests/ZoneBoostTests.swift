import Foundation
import HuojuCorpus
import HuojuIndex
import HuojuProtocol
import HuojuText
import Testing
@testable import HuojuQuery

/// Issue #16: `zone:` boosts as well as filters when the query has text, so that a zone's own
/// articles rank above articles that only mention it.
@Suite struct ZoneBoostTests {
    @Test func aZonesOwnArticlesRankFirstUnderAZoneFilter() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("huoju-boost-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/corpus", withIntermediateDirectories: true)
        // A national article all about talent that names the zone once, and the zone's own
        // article that names talent once.
        try "\n\n全国人才工作座谈会召开\n\n本报讯 座谈会围绕人才引进、人才培养和人才评价展开讨论,人才政策、人才服务和人才平台成为焦点。宜宾高新区等地介绍了经验。\n"
            .write(toFile: root + "/corpus/a.txt", atomically: true, encoding: .utf8)
        try "\n\n宜宾高新区出台新政\n\n本报讯 近日,宜宾高新区出台支持企业发展的十条措施,涵盖研发投入、厂房租金、融资担保和人才住房等方面,预计每年投入资金2亿元。\n"
            .write(toFile: root + "/corpus/b.txt", atomically: true, encoding: .utf8)
        _ = try CorpusIndexer.rebuild(corpus: root + "/corpus", index: root + "/index")
        let searcher = try Searcher(snapshot: try IndexSnapshot.open(directory: root + "/index", analyzer: Analyzer.version))

        let plain = try searcher.search(SearchRequest(query: "人才", limit: 10))
        #expect(plain.hits.map(\.title) == ["全国人才工作座谈会召开", "宜宾高新区出台新政"], "BM25 alone ranks the talent article first")
        for request in [SearchRequest(query: "人才", limit: 10, zone: "宜宾高新区"), SearchRequest(query: "人才 zone:宜宾高新区", limit: 10)] {
            let boosted = try searcher.search(request)
            #expect(boosted.total == 2)
            #expect(boosted.hits.map(\.title) == ["宜宾高新区出台新政", "全国人才工作座谈会召开"])
            #expect(boosted.hits.map(\.score) == plain.hits.reversed().map(\.score), "scores stay BM25")
            #expect(boosted.facets?.zones.first { $0.zone == "宜宾高新区" }?.articles == 2)
            let page = try searcher.search(SearchRequest(query: request.query, limit: 1, offset: 1, zone: request.zone))
            #expect(page.hits.map(\.title) == ["全国人才工作座谈会召开"])
        }
        // A filter without text lists the zone's articles as before.
        #expect(try searcher.search(SearchRequest(query: "zone:宜宾高新区", limit: 10)).total == 2)
    }
}
