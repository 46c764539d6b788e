import Foundation
import HuojuFuzzChecks
import Testing

/// Replays every input the fuzzers ever crashed on (Fuzz/Crashes/TARGET) and every seed
/// (Fuzz/Seeds/TARGET) through the same checks the harnesses run (`FuzzChecks`). A crash
/// that comes back stops this test process, which fails the suite.
@Suite(.serialized) struct CrashReplayTests {
    static let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func inputs(_ folder: String, _ target: String) -> [URL] {
        let directory = fuzz.appendingPathComponent(folder).appendingPathComponent(target)
        return ((try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? [])
            .filter { !$0.lastPathComponent.hasPrefix(".") }.sorted { $0.path < $1.path }
    }

    @Test(arguments: FuzzChecks.targets)
    func crashInputsAndSeedsPassTheirTargetsChecks(target: String) throws {
        let seeds = Self.inputs("Seeds", target)
        #expect(!seeds.isEmpty, "no seeds for \(target) in \(Self.fuzz.path)")
        let checks = FuzzChecks()
        for input in Self.inputs("Crashes", target) + seeds {
            let bytes = try [UInt8](Data(contentsOf: input))
            bytes.withUnsafeBufferPointer { checks.run(target, $0) }
        }
    }

    /// The segment seeds are the intact files of the tiny index: each opens as it is, so the
    /// segment target starts from a valid index (a format change makes them stale: regenerate
    /// them with `HUOJU_FUZZ_WRITE_SEEDS=$PWD/Fuzz/Seeds/segment swift test --filter segmentSeedsOpenAsTheyAre`).
    @Test func segmentSeedsOpenAsTheyAre() throws {
        let checks = FuzzChecks()
        if let directory = ProcessInfo.processInfo.environment["HUOJU_FUZZ_WRITE_SEEDS"] { checks.writeSegmentSeeds(to: directory) }
        let seeds = Self.inputs("Seeds", "segment")
        #expect(seeds.count == checks.segmentSeeds().count)
        for seed in seeds {
            let bytes = try [UInt8](Data(contentsOf: seed))
            #expect(bytes.withUnsafeBufferPointer { checks.segmentInputOpens($0) }, "\(seed.lastPathComponent) does not open")
        }
    }
}
