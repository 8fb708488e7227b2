// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "chronos-sync",
    products: [
        .executable(name: "chronos-sync", targets: ["chronos-sync"]),
        .library(name: "JobSpec", targets: ["JobSpec"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // C libraries: a module map and a shim.h each, nothing else.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        // Layers: JobSpec ← ChronosEngine ← Reconciler ← chronos-sync.
        .target(name: "JobSpec", dependencies: ["CYAML"]),
        .target(name: "ChronosEngine", dependencies: ["JobSpec", "CCurl"]),
        .target(name: "Reconciler", dependencies: ["ChronosEngine", "CGit2"]),
        .executableTarget(
            name: "chronos-sync",
            dependencies: [
                "JobSpec", "ChronosEngine", "Reconciler",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "chronos-sync-bench", dependencies: ["JobSpec"]),

        .testTarget(name: "JobSpecTests", dependencies: ["JobSpec"]),
        .testTarget(name: "ChronosEngineTests", dependencies: ["ChronosEngine"]),
        .testTarget(name: "ReconcilerTests", dependencies: ["Reconciler"]),
    ]
)
