// swift-tools-version:5.9
import PackageDescription

let package = Package(
    name: "intunewin",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "IntuneWin", targets: ["IntuneWin"]),
        .executable(name: "intunewin-tool", targets: ["intunewin-tool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Only for `swift package generate-documentation` (DocC); no target depends on it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Thin C shims over system libraries: zlib (zlib1g-dev) and OpenSSL libcrypto (libssl-dev).
        .target(name: "CZlib", linkerSettings: [.linkedLibrary("z")]),
        .target(name: "CCrypto", linkerSettings: [.linkedLibrary("crypto")]),
        // libc calls Swift's Glibc module does not export (mallopt, sync_file_range); no-ops off Linux.
        .target(name: "CSystem"),
        .target(name: "IntuneWin", dependencies: ["CZlib", "CCrypto", "CSystem"]),
        .executableTarget(
            name: "intunewin-tool",
            dependencies: ["IntuneWin", "CSystem", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // libFuzzer entry points (Fuzz/, scripts/fuzz.sh) and their regression replay: test machinery, kept
        // out of the IntuneWin library and the tool.
        .target(name: "IntuneWinFuzzing", dependencies: ["IntuneWin"]),
        // What both test suites share: running a program, and where the fixtures are.
        .target(name: "IntuneWinTestSupport", path: "Tests/IntuneWinTestSupport"),
        .testTarget(name: "IntuneWinTests", dependencies: ["IntuneWin", "IntuneWinFuzzing", "IntuneWinTestSupport"]),
        .testTarget(name: "IntuneWinToolTests", dependencies: ["IntuneWin", "IntuneWinTestSupport"]),
    ]
)
