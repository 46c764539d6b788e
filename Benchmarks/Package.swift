// swift-tools-version:6.1
import Foundation
import PackageDescription

/// Microbenchmarks of Huoju's hot paths (run them with scripts/microbench): postings decode,
/// phrase confirmation, snippet building. A package of its own, so that the normal build and CI
/// never resolve or build the benchmark harness. The benchmark plugin runs executable targets
/// whose folder sits in a folder named `Benchmarks`: this package's own folder.
/// A path dependency's identity is its folder's name, whatever the checkout is called.
let huoju = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "HuojuBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HuojuBenchmarks",
            dependencies: [
                .product(name: "HuojuEngine", package: huoju),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "HuojuBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
