import Foundation
import XCTest

/// What the README promises about the tool itself, through the binary: the version it states, sizes and
/// counts printed as a person writes them, and the two dependency sets of scripts/install-deps.sh.
final class ReadmePromiseTests: ToolTestCase {
    private var readme: String { get throws { try String(contentsOf: Tool.repoRoot.appending("README.md"), encoding: .utf8) } }

    func testVersionIsTheOneTheReadmeStates() throws {
        let text = try readme
        let stated = try XCTUnwrap(text.range(of: #"describes\s+intunewin-tool \*\*([0-9]+\.[0-9]+\.[0-9]+)\*\*"#, options: .regularExpression)
            .map { String(text[$0]).components(separatedBy: "**")[1] }, "the README states its version")
        let result = try tool("--version")
        assertExit(result, 0)
        XCTAssertTrue(result.out.hasPrefix("intunewin-tool \(stated) "), "README says \(stated): \(result.summary)")
        // The renames the README lists are "in" this release's major.minor.
        let renamed = try XCTUnwrap(text.range(of: #"Renamed in [0-9]+\.[0-9]+"#, options: .regularExpression).map { String(text[$0]) })
        XCTAssertTrue(stated.hasPrefix(renamed.replacingOccurrences(of: "Renamed in ", with: "") + "."), "\(renamed) vs \(stated)")
    }

    /// Sizes: exact below 1 KiB, one decimal above, never both; one entry is "1 entry".
    func testSizesAndCountsReadAsAPersonWritesThem() throws {
        let source = path("src")
        try write(Data(repeating: 0x41, count: 1182), to: source.appending("setup.exe"))
        let result = try tool("pack", "-c", source.path, "-s", "setup.exe", "-o", path("out").path)
        assertExit(result, 0)
        XCTAssertTrue(result.out.contains("Packed 1 entry (1.2 KiB)"), result.summary)
        XCTAssertFalse(result.out.contains("bytes)"), "no exact count beside a rounded one: \(result.summary)")
        let list = try tool("list", path("out/setup.intunewin").path)
        XCTAssertTrue(list.out.contains("1 entry, 1.2 KiB"), list.summary)

        let tiny = path("tiny")
        try write("x", to: tiny.appending("setup.exe"))
        let one = try tool("pack", "-c", tiny.path, "-s", "setup.exe", "-o", path("tiny-out").path)
        assertExit(one, 0)
        XCTAssertTrue(one.out.contains("Packed 1 entry (1 byte)"), one.summary)
    }

    /// One app, one check-in: singular nouns in ime-log's first line.
    func testImeLogCountsOneAppInTheSingular() throws {
        let log = Tool.imeLogs.appending("ime2021_available-app_install-failed-exit1-unmapped.log")
        let result = try tool("ime-log", log.path)
        let first = result.out.components(separatedBy: "\n").first ?? ""
        XCTAssertTrue(first.contains(" 1 app,"), result.summary)
        XCTAssertNil(first.range(of: #"\b1 [a-z -]+s\b"#, options: .regularExpression), "a plural after 1: \(first)")
    }

    /// The tool carries CSystem's mktemp, so the static release link (make install) resolves Foundation's
    /// call to it and prints no glibc "the use of `mktemp' is dangerous" warning (scripts/check-install.sh
    /// checks the real make install output in CI).
    func testTheToolDefinesMktempItself() throws {
        let symbols = try execute("nm", [Tool.binary.path])
        assertExit(symbols, 0)
        XCTAssertTrue(symbols.out.components(separatedBy: "\n").contains { $0.hasSuffix(" T mktemp") }, "mktemp is not defined in the tool")
    }

    /// The packages each mode of scripts/install-deps.sh asks for, seen as a non-root user on a machine
    /// that has none of them (a dpkg-query that knows no package, an id that is not root).
    private func missingPackages(_ mode: String) throws -> Set<String> {
        let bin = path("fake-bin")
        try write("#!/bin/sh\nexit 1\n", to: bin.appending("dpkg-query"))
        try write("#!/bin/sh\necho 1000\n", to: bin.appending("id"))
        for name in ["dpkg-query", "id"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin.appending(name).path)
        }
        let environment = ["PATH": bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
        let result = try execute("/bin/bash", [Tool.repoRoot.appending("scripts/install-deps.sh").path, mode], environment: environment)
        XCTAssertEqual(result.status, 1, result.summary)
        let line = try XCTUnwrap(result.err.components(separatedBy: "\n").first { $0.contains("apt-get install -y") }, result.summary)
        return Set(line.components(separatedBy: "apt-get install -y ")[1].split(separator: " ").map(String.init))
    }

    func testBuildDependenciesAreSplitFromTestDependencies() throws {
        let build = try missingPackages("build")
        let test = try missingPackages("test")
        XCTAssertTrue(build.isSuperset(of: ["zlib1g-dev", "libssl-dev"]), "\(build)")
        for testOnly in ["wine64", "gcc-mingw-w64-x86-64", "tmux", "zsh", "fish", "msitools", "chromium", "p7zip-full", "python3-jsonschema"] {
            XCTAssertFalse(build.contains(testOnly), "build mode asks for \(testOnly)")
            XCTAssertTrue(test.contains(testOnly), "test mode lacks \(testOnly)")
        }
        XCTAssertTrue(test.isSuperset(of: build))
        // make demo, build, release and install ask for the build set only; make test for the full set;
        // make install builds the release binary once.
        for target in ["demo", "build", "release", "install"] {
            let plan = try execute("make", ["-n", "-C", Tool.repoRoot.path, target, "PREFIX=\(path("prefix").path)"])
            XCTAssertEqual(plan.status, 0, plan.summary)
            XCTAssertTrue(plan.out.contains("install-deps.sh build"), "\(target): \(plan.out)")
            XCTAssertFalse(plan.out.contains("install-deps.sh test"), "\(target): \(plan.out)")
            if target == "install" {
                // One release build (the man page comes from a debug build of the same sources, see Makefile).
                XCTAssertEqual(plan.out.components(separatedBy: "\n").filter { $0.contains("swift build") }, ["swift build -c release --static-swift-stdlib"], plan.out)
            }
        }
        let testPlan = try execute("make", ["-n", "-C", Tool.repoRoot.path, "test"])
        XCTAssertTrue(testPlan.out.contains("install-deps.sh test"), testPlan.out)
        let ci = try String(contentsOf: Tool.repoRoot.appending(".ci/run"), encoding: .utf8)
        XCTAssertTrue(ci.contains("scripts/install-deps.sh test"), "CI installs the full set")
    }
}
