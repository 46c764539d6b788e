import Foundation
import Testing
@testable import HuojuZones

@Suite struct GazetteerTests {
    let gazetteer = Gazetteer.builtIn

    @Test func theBuiltInGazetteerCoversTheNationalZones() {
        let highTech = gazetteer.entries.filter { $0.kind == "高新区" || $0.canonical == "苏州工业园区" }
        // 178 national high-tech zones as of 2023; Data/zones.tsv names the two it could not verify.
        #expect(highTech.count >= 176)
        #expect(gazetteer.entries.filter { $0.kind == "示范区" }.count == 23)
        let provinces = Set(highTech.map(\.province))
        #expect(provinces.count == 31, "\(provinces.sorted())")
        for name in ["苏州高新区", "武汉东湖高新区", "上海张江高新区", "中关村科技园区", "杨凌示范区", "厦门火炬高新区", "乌鲁木齐高新区", "许昌高新区"] {
            #expect(gazetteer.entry(named: name)?.canonical == name)
        }
    }

    @Test func aliasesResolveInAnySpellingTheFoldUnifies() {
        let cases: [(String, String)] = [
            ("杨凌农业高新技术产业示范区", "杨凌示范区"), ("光谷", "武汉东湖高新区"), ("张江", "上海张江高新区"), ("滨江", "杭州高新区"),
            ("新市区", "乌鲁木齐高新区"), ("武汉东湖", "武汉东湖高新区"), ("張江", "上海张江高新区"), ("東湖高新區", "武汉东湖高新区"),
            ("杭州高新区（滨江）", "杭州高新区"), ("西部（重庆）科学城", "西部(重庆)科学城"), ("苏州", "苏州高新区"),
        ]
        for (name, canonical) in cases { #expect(gazetteer.canonical(for: name) == canonical, "\(name)") }
        #expect(gazetteer.canonical(for: "上海") == nil)
        #expect(gazetteer.entry(named: "苏州")?.listNames.contains("苏州") == true)
        #expect(gazetteer.canonical(folded: "苏州高新区") == "苏州高新区")
        #expect(gazetteer.canonical(folded: "某某高新区") == nil)
    }

    static let header = "canonical\tkind\tprovince\tcity\taliases\tlist_names\n"

    func parseError(_ text: String) -> GazetteerError? {
        do { _ = try Gazetteer(Gazetteer.parse(text, file: "my.tsv")); return nil } catch { return error }
    }

    @Test func badFilesAreRefusedWithTheirLineNumber() {
        let cases: [(text: String, line: Int?, says: String)] = [
            ("# only comments\n", nil, "no header line"),
            ("# comment\ncanonical\tkind\n", 2, "expected the header line"),
            (Self.header + "甲高新区\t高新区\t江苏\n", 2, "expected 4 to 6 tab-separated columns"),
            (Self.header + "\n# note\n甲高新区\t开发区\t江苏\t甲\n", 4, "unknown kind '开发区'"),
            (Self.header + "甲高新区\t高新区\t江苏\t甲\t甲高新技术产业开发区,,甲\n", 2, "empty alias"),
            (Self.header + "甲高新区\t高新区\t江苏\t甲\t甲高新技术产业开发区，甲\n", 2, "full-width comma"),
            (Self.header + "甲高新区\t高新区\t江苏\t甲\n乙高新区\t高新区\t江苏\t乙\n甲高新区\t高新区\t江苏\t甲\n", 4, "already a row (line 2)"),
            (Self.header + "甲高新区\t高新区\t江苏\t甲\t光谷\n乙高新区\t高新区\t江苏\t乙\t\t光谷\n", 3, "'光谷' already names 甲高新区 (my.tsv:2)"),
            (Self.header + "甲高新区\t高新区\t江苏\t甲\t張江,张江\n", 2, "appears twice"),
            (Self.header + "甲高新区\t高新区\t江苏\t甲\t 甲区\n", 2, "spaces around it"),
            (Self.header + "\t高新区\t江苏\t甲\n", 2, "empty canonical name"),
            (Self.header + "甲高新区\t高新区\t\t甲\n", 2, "empty province"),
            (Self.header + "甲高新区\t高新区\t江苏\t甲\t123\n", 2, "no letters"),
        ]
        for (text, line, says) in cases {
            let error = parseError(text)
            #expect(error?.file == "my.tsv" && error?.line == line, "\(says): \(String(describing: error))")
            #expect(error?.description.contains(says) == true, "\(String(describing: error)) should say \(says)")
        }
        // A byte-order mark, CRLF line ends, comments and blank lines are fine; the last two columns are optional.
        let fine = "\u{FEFF}# mine\r\n" + Self.header.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n甲高新区\t高新区\t江苏\t甲\r\n乙高新区\t高新区\t江苏\t\t乙区\r\n"
        #expect(parseError(fine) == nil)
    }

    @Test func aUsersFileExtendsAndOverridesTheBuiltInRows() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("huoju-zones-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("zones.tsv").path
        try (Self.header + "某某高新区\t高新区\t四川\t某某\t某某高新技术产业开发区\t某某\n"
             + "苏州高新区\t高新区\t江苏\t苏州\t苏州高新技术产业开发区,狮山\t苏州\n").write(toFile: file, atomically: true, encoding: .utf8)
        let extended = try Gazetteer.load(extending: file)
        #expect(extended.entries.count == gazetteer.entries.count + 1)
        #expect(extended.canonical(for: "某某高新技术产业开发区") == "某某高新区")
        #expect(extended.canonical(for: "狮山") == "苏州高新区")
        #expect(extended.canonical(for: "苏州新区") == nil, "the user's row replaces the built-in one")
        #expect(extended.fingerprint != gazetteer.fingerprint)
        #expect(try Gazetteer.load(extending: file).fingerprint == extended.fingerprint)
        #expect(try Gazetteer(Gazetteer.parse(extended.serialized, file: "copy")).fingerprint == extended.fingerprint)

        try (Self.header + "某某高新区\t高新区\t四川\t某某\t光谷\n").write(toFile: file, atomically: true, encoding: .utf8)
        let clash = #expect(throws: GazetteerError.self) { try Gazetteer.load(extending: file) }
        #expect(clash?.description.hasPrefix("\(file):2: '光谷' already names 武汉东湖高新区") == true, "\(String(describing: clash))")
        let missing = #expect(throws: GazetteerError.self) { try Gazetteer.load(extending: directory.path + "/missing.tsv") }
        #expect(missing?.description.contains("missing.tsv: cannot read the zones file") == true, "\(String(describing: missing))")
    }
}
