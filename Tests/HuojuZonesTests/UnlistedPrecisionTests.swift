import Foundation
import Testing
@testable import HuojuZones

/// Issue #16: every unlisted name must be a zone. `Fixtures/unlisted-names.tsv` holds 40 articles
/// naming real zone-like names the gazetteer lacks (a county + 高新区, a place + 科学城, an
/// organisation in a 供稿 line, a title or a byline) and 60 phrase + suffix traps.
@Suite struct UnlistedPrecisionTests {
    let recognizer = ZoneRecognizer(gazetteer: .builtIn)

    struct Case {
        var expected: String?
        var title: String, source: String?, byline: String?, body: String
    }

    static func cases() throws -> [Case] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "Fixtures/unlisted-names.tsv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }.dropFirst()
        return lines.map { line in
            let field = line.split(separator: "\t", omittingEmptySubsequences: false).map { $0 == "-" ? nil : String($0) }
            return Case(expected: field[0], title: field[1] ?? "", source: field[2], byline: field[3], body: field[4] ?? "")
        }
    }

    @Test func unlistedNamesArePreciseAndFound() throws {
        let cases = try Self.cases()
        #expect(cases.count == 100 && cases.filter { $0.expected != nil }.count == 40)
        var found = 0, correct = 0, recalled = 0
        var wrong: [String] = [], missed: [String] = []
        for item in cases {
            let names = recognizer.zones(title: item.title, source: item.source, byline: item.byline, body: item.body)
                .mentions.filter { !$0.listed }.map(\.zone)
            found += names.count
            for name in names {
                if name == item.expected { correct += 1 } else { wrong.append(name) }
            }
            if let expected = item.expected {
                if names.contains(expected) { recalled += 1 } else { missed.append(expected) }
            }
        }
        let precision = found == 0 ? 1 : Double(correct) / Double(found)
        let recall = Double(recalled) / 40
        print("unlisted names: precision \(precision) (\(correct)/\(found)), recall \(recall) (\(recalled)/40); wrong \(wrong); missed \(missed)")
        #expect(precision >= 0.98, "not zones: \(wrong)")
        #expect(recall >= 0.9, "missed: \(missed)")
    }
}
