import Foundation
import Testing
@testable import HuojuZones

@Suite struct PlacesTests {
    @Test func theBuiltInTableHasDivisionsAndTheirShortForms() {
        let places = Places.builtIn
        for name in ["苏州市", "苏州", "昆山市", "昆山", "相城区", "相城", "延边朝鲜族自治州", "延边", "内蒙古", "广西", "赵县", "宁乡"] {
            #expect(places.names.contains(name), "\(name)")
        }
        // One-character short forms and generic districts are no places.
        for word in ["赵", "城区", "新区", "郊区"] { #expect(!places.names.contains(word), "\(word)") }
        #expect(places.provinces.isSuperset(of: ["江苏", "江苏省", "广东", "内蒙古", "北京"]))
        #expect(!places.provinces.contains("苏州"))
    }

    @Test func aUsersPlacesFileExtendsTheTableAndIsChecked() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("huoju-places-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("places.tsv").path
        try "# mine\nname\tshort_forms\tcode\n紫金山片区\t紫金山\n".write(toFile: file, atomically: true, encoding: .utf8)
        let gazetteer = try Gazetteer.load(extending: nil, places: file)
        #expect(gazetteer.places.names.contains("紫金山") && gazetteer.places.names.contains("苏州"))
        #expect(gazetteer.fingerprint != Gazetteer.builtIn.fingerprint, "other places tag articles differently")
        let recognizer = ZoneRecognizer(gazetteer: gazetteer)
        #expect(recognizer.spans(in: "紫金山科学城聚焦集成电路").map(\.zone) == ["紫金山科学城"])

        for (text, problem) in [("name\tshort_forms\n苏州,\t\n", "2: '苏州,' is not a place name"),
                                ("name\tshort_forms\n苏州市\t苏州,,苏\n", "2: empty name"),
                                ("name\tshort_forms\tcode\n苏州市\t苏州\t3205\n", "2: division code '3205' is not 6 digits"),
                                ("# no header\n苏州市\t苏州\n", "2: expected the header line"),
                                ("name\tshort_forms\n苏州市\t苏\n", "2: '苏' is not a place name of at least two Chinese characters")] {
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            do {
                _ = try Gazetteer.load(extending: nil, places: file)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.hasPrefix("\(file):\(problem)"), "\(error)")
            }
        }
    }
}
