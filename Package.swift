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
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
    ],
    targets: [
        // C libraries: a module map and a shim.h each, nothing else.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // OpenSSL's libcrypto (SHA-256, HMAC), which libcurl already links.
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CProcess"),
        // libzookeeper-mt-dev has no pkg-config file: the module map names its header and library.
        .systemLibrary(name: "CZooKeeper", providers: [.apt(["libzookeeper-mt-dev"])]),

        // Layers: JobSpec ← ChronosEngine ← ChronosAPI ← Reconciler ← chronos-sync; ZooKeeperStore sits beside
    // ChronosAPI (it knows the engine's store protocol, not the API); nothing points back.
        // Each target lists every module it imports.
        .target(name: "JobSpec", dependencies: ["CYAML"]),
        .target(
            name: "ChronosEngine",
            dependencies: [
                "JobSpec", "CCurl", "CCrypto", "CSQLite", "CProcess",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "MesosLauncher",
            dependencies: [
                "ChronosEngine", "JobSpec", "CCurl",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "Alerts",
            dependencies: [
                "ChronosEngine", "CCurl",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "ZooKeeperStore",
            dependencies: ["CZooKeeper", "ChronosEngine", "JobSpec", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "ChronosAPI",
            dependencies: [
                "ChronosEngine", "JobSpec",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The web UI ships inside the binary: no files to install, nothing fetched from elsewhere.
            resources: [
                .embedInCode("UI/Assets/index.html"), .embedInCode("UI/Assets/app.css"),
                .embedInCode("UI/Assets/core.js"), .embedInCode("UI/Assets/jobs.js"), .embedInCode("UI/Assets/job.js"),
                .embedInCode("UI/Assets/graph.js"), .embedInCode("UI/Assets/sync.js"), .embedInCode("UI/Assets/edit.js"),
            ]
        ),
        .target(
            name: "Reconciler",
            dependencies: [
                "JobSpec", "ChronosEngine", "ChronosAPI", "CGit2",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .executableTarget(
            name: "chronos-sync",
            dependencies: [
                "JobSpec", "ChronosEngine", "ChronosAPI", "Reconciler", "ZooKeeperStore", "MesosLauncher", "Alerts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "chronos-sync-bench",
            dependencies: [
                "JobSpec", "ChronosEngine", "ChronosAPI", "CProcess", "ZooKeeperStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .testTarget(name: "JobSpecTests", dependencies: ["JobSpec"]),
        .testTarget(
            name: "ChronosEngineTests",
            dependencies: ["ChronosEngine", "JobSpec", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "ReconcilerTests",
            dependencies: ["Reconciler", "ChronosEngine", "JobSpec", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "AlertsTests", dependencies: ["Alerts", "ChronosEngine"]),
        .testTarget(name: "MesosLauncherTests", dependencies: ["MesosLauncher", "ChronosEngine", "JobSpec"]),
        .testTarget(name: "ZooKeeperStoreTests", dependencies: ["ZooKeeperStore", "ChronosEngine", "JobSpec"]),
        .testTarget(
            name: "ChronosAPITests",
            dependencies: [
                "ChronosAPI", "ChronosEngine", "JobSpec",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
