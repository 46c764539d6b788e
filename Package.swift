// swift-tools-version:6.0
import PackageDescription

/// Hot loops (folding, inversion, postings) mutate state captured by nested functions; the
/// dynamic exclusivity checks that guard such access cost more than the work itself. Release
/// builds of the engine modules turn them off (debug builds and tests keep them).
let engineSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "Huoju",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "huojud", targets: ["huojud"]),
        .executable(name: "huoju", targets: ["huoju"]),
        // What the fuzz targets check, for the libFuzzer harnesses of Fuzz/ (a separate package,
        // so that a normal build never needs libFuzzer).
        .library(name: "HuojuFuzzChecks", targets: ["HuojuFuzzChecks"]),
        // The engine modules the microbenchmarks of Benchmarks/ call (a separate package, so that
        // a normal build never resolves or builds the benchmark harness).
        .library(name: "HuojuEngine", targets: ["HuojuText", "HuojuIndex", "HuojuQuery", "HuojuCorpus"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // System ICU behind a plain-C header: Foundation on Linux bundles its own ICU,
        // so Swift must never import <unicode/…> directly.
        .target(
            name: "CICU",
            linkerSettings: [.linkedLibrary("icuuc"), .linkedLibrary("icui18n"), .linkedLibrary("icudata")]
        ),
        // System zlib: crc32 for file checksums.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // System zstd: block compression of stored fields.
        .systemLibrary(name: "CZstd", path: "Sources/CZstd"),
        // Text foundation: input decoding, normalization, segmentation, tokens.
        .target(name: "HuojuText", dependencies: ["CICU"], swiftSettings: engineSettings),
        // Issue files -> issue metadata and articles. Pure Swift.
        .target(name: "HuojuParser", swiftSettings: engineSettings),
        // On-disk index: postings codec, term dictionary, stored fields, segments, manifest. Knows
        // no analyzer: it takes terms as integers and bytes, and the analyzer identity as a string.
        .target(name: "HuojuIndex", dependencies: ["CZlib", "CZstd"], swiftSettings: engineSettings),
        // Zone gazetteer and recognition: which zones an article names and is about.
        .target(name: "HuojuZones", dependencies: ["HuojuText"], swiftSettings: engineSettings, plugins: ["EmbedZones"]),
        // Build tool: compiles Data/zones.tsv into HuojuZones (the built-in gazetteer).
        .executableTarget(name: "huoju-embed"),
        .plugin(name: "EmbedZones", capability: .buildTool(), dependencies: ["huoju-embed"]),
        // Wire types shared by the daemon and the thin client (no ICU, no engine).
        .target(name: "HuojuProtocol"),
        // Query syntax, matching, BM25 scoring, top-k collection, snippets.
        .target(name: "HuojuQuery", dependencies: ["HuojuIndex", "HuojuText", "HuojuProtocol", "HuojuZones"], swiftSettings: engineSettings),
        // Archive folders -> index: scanning, decoding, parsing, analysis on all cores.
        .target(name: "HuojuCorpus", dependencies: ["HuojuText", "HuojuParser", "HuojuIndex", "HuojuZones"], swiftSettings: engineSettings),
        // The daemon: Unix-socket server (SwiftNIO), protocol v1, access control, live index.
        .target(
            name: "HuojuServer",
            dependencies: [
                "HuojuIndex", "HuojuQuery", "HuojuCorpus", "HuojuProtocol", "HuojuText", "HuojuZones",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "huojud",
            dependencies: [
                "HuojuText", "HuojuParser", "HuojuIndex", "HuojuQuery", "HuojuCorpus", "HuojuProtocol", "HuojuServer", "HuojuZones",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "huoju",
            dependencies: ["HuojuProtocol", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Finds ../shared/corpus for the tests; never part of a product.
        .target(name: "HuojuTestSupport", path: "Tests/HuojuTestSupport"),
        // The properties each fuzz target checks; shared by Fuzz/ and the crash replay tests.
        .target(
            name: "HuojuFuzzChecks",
            dependencies: ["HuojuText", "HuojuParser", "HuojuIndex", "HuojuQuery", "HuojuCorpus", "HuojuServer", "HuojuZones",
                           .product(name: "Logging", package: "swift-log")],
            path: "Tests/HuojuFuzzChecks"
        ),
        .testTarget(name: "HuojuTextTests", dependencies: ["HuojuText", "HuojuParser", "HuojuTestSupport"]),
        .testTarget(name: "HuojuParserTests", dependencies: ["HuojuParser", "HuojuTestSupport"]),
        .testTarget(name: "HuojuZonesTests", dependencies: ["HuojuZones", "HuojuParser", "HuojuText", "HuojuTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "HuojuIndexTests", dependencies: ["HuojuIndex", "HuojuText", "HuojuCorpus", "HuojuTestSupport"]),
        .testTarget(name: "HuojuServerTests", dependencies: ["HuojuServer", "HuojuProtocol", "HuojuTestSupport"]),
        .testTarget(name: "HuojuFuzzRegressionTests", dependencies: ["HuojuFuzzChecks"]),
        .testTarget(name: "HuojuQueryTests", dependencies: ["HuojuQuery", "HuojuProtocol", "HuojuTestSupport", "HuojuIndex", "HuojuText", "HuojuParser", "HuojuCorpus"]),
    ]
)
