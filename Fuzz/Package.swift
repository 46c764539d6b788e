// swift-tools-version:6.0
import Foundation
import PackageDescription

/// libFuzzer harnesses for Huoju (build and run them with scripts/fuzz). A package of its own, so that
/// the normal build never needs libFuzzer; built by scripts/fuzz with ASan and coverage in
/// every module, and libFuzzer linked into these harnesses only (`-sanitize=fuzzer`). Each
/// target only forwards inputs to `FuzzChecks` (Tests/HuojuFuzzChecks in the main package),
/// which the crash replay tests call as well.
let harness: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]
/// A path dependency's identity is its folder's name, whatever the checkout is called.
let huoju = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()
let checks = Target.Dependency.product(name: "HuojuFuzzChecks", package: huoju)

let package = Package(
    name: "HuojuFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [.target(name: "FuzzEntry")] + ["protocol", "query", "issue", "segment"].map {
        .executableTarget(name: "fuzz-\($0)", dependencies: [checks, "FuzzEntry"], swiftSettings: harness,
                          linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address"])])
    }
)
