import Foundation
#if canImport(Glibc)
import Glibc
#endif
import XCTest
@testable import IntuneWin

/// The pre-pack lint: one fixture tree per rule, each expected finding checked by rule, path and a word of
/// its message, and a clean tree without findings.
final class LintTests: XCTestCase {
    /// A fresh source folder holding `files` (relative paths, one byte each) and `emptyFolders`.
    private func tree(_ files: [String], emptyFolders: [String] = []) throws -> String {
        let source = try makeTemporaryFolder()
        for file in files { try TestSupport.writeFile(source + "/" + file, [0x2A]) }
        for folder in emptyFolders {
            try FileManager.default.createDirectory(atPath: source + "/" + folder, withIntermediateDirectories: true)
        }
        return source
    }

    private func lint(_ source: String, setup: String, excludes: [String] = [], output: String? = nil) throws -> [LintFinding] {
        try Linter.lint(sourceFolder: source, setupFile: setup, excludes: excludes, output: output).findings
    }

    /// Asserts the findings are exactly these (rule, path, a word of the message), in this order
    /// (or in any order, compared sorted by path).
    private func assertFindings(_ findings: [LintFinding], _ expected: [(LintFinding.Rule, String, String)], anyOrder: Bool = false,
                                file: StaticString = #filePath, line: UInt = #line) {
        let findings = anyOrder ? findings.sorted { $0.path < $1.path } : findings
        let expected = anyOrder ? expected.sorted { $0.1 < $1.1 } : expected
        XCTAssertEqual(findings.map { "\($0.rule.rawValue) \($0.path)" }, expected.map { "\($0.0.rawValue) \($0.1)" },
                       "\(findings.map(\.message))", file: file, line: line)
        for (finding, wanted) in zip(findings, expected) {
            // The message, then the remedy the tool words as its option (e.g. `exclude(pattern: "Thumbs.db")`).
            let said = finding.message + (finding.remedy.map { " \($0)" } ?? "")
            XCTAssertTrue(said.contains(wanted.2), "'\(said)' lacks '\(wanted.2)'", file: file, line: line)
            XCTAssertFalse(finding.message.contains("\n"), "one line", file: file, line: line)
        }
    }

    func testCleanTreeHasNoFindings() throws {
        let source = try tree(["install.exe", "app/config.json", "app/Program.dll", "docs/read me.txt", "CONSOLE.txt",
                               "com10.dat", "nul_", "ß.txt", "SS.txt"], emptyFolders: ["logs"])
        let out = try makeTemporaryFolder()
        let (findings, excluded) = try Linter.lint(sourceFolder: source, setupFile: "install.exe", excludes: [], output: out)
        XCTAssertEqual(findings, [])
        XCTAssertEqual(excluded, [])
    }

    func testLongPathCountsUTF16UnitsFromIMECache() throws {
        let a = String(repeating: "a", count: 100)
        // 59 characters of C:\Windows\IMECache\<36>_1\ plus 200 is exactly 259: allowed.
        let fits = a + "/" + String(repeating: "b", count: 97) + "/c"
        let over = a + "/" + String(repeating: "d", count: 98) + "/c"
        // 😀 is one character but two UTF-16 units, as Windows counts: 201 units.
        let emoji = a + "/" + String(repeating: "e", count: 97) + "/😀"
        let source = try tree(["setup.cmd", fits, over, emoji])
        XCTAssertEqual(Linter.cachePrefixLength, 59)
        assertFindings(try lint(source, setup: "setup.cmd"), [
            (.longPath, over, "1 over"),
            (.longPath, emoji, "260 characters"),
        ])
    }

    func testPackagesAndOutputInsideTheSource() throws {
        let source = try tree(["setup.exe", "old/app.intunewin", "out/setup.intunewin"])
        // An output folder inside the source is left out, as pack leaves it out: the old package in it too.
        let (inside, excluded) = try Linter.lint(sourceFolder: source, setupFile: "setup.exe", excludes: [], output: source + "/out")
        assertFindings(inside, [(.packageInSource, "old/app.intunewin", "move it out")])
        XCTAssertEqual(excluded, ["out/setup.intunewin"])
        // Written into the source folder itself: the usage error pack gives.
        XCTAssertThrowsError(try lint(source, setup: "setup.exe", output: source + "/setup.intunewin")) {
            XCTAssertEqual(($0 as? IntuneWinError)?.kind, .usage)
            XCTAssertEqual(($0 as? IntuneWinError)?.remedy, .outputOutsideSource)
        }
        let outside = try makeTemporaryFolder() + "/app.intunewin"
        assertFindings(try lint(source, setup: "setup.exe", output: outside), [
            (.packageInSource, "old/app.intunewin", "exclude"),
            (.packageInSource, "out/setup.intunewin", "exclude"),
        ])
    }

    func testLeftoversAreReportedOncePerFileOrFolder() throws {
        let source = try tree(["setup.ps1", ".git/HEAD", ".git/objects/ab/cdef", "Thumbs.db", "sub/.DS_Store",
                               "Desktop.ini", "__MACOSX/._setup.ps1"])
        let findings = try lint(source, setup: "setup.ps1")
        assertFindings(findings, [
            (.leftover, "Desktop.ini", "Desktop.ini"),
            (.leftover, "Thumbs.db", "exclude(pattern: \"Thumbs.db\")"),
            (.leftover, ".git", "(2 files)"),
            (.leftover, "sub/.DS_Store", "exclude(pattern: \".DS_Store\")"),
            (.leftover, "__MACOSX", "__MACOSX/"),
        ])
        // What the findings suggest works.
        let (after, excluded) = try Linter.lint(sourceFolder: source, setupFile: "setup.ps1",
                                                excludes: [".git/", "Thumbs.db", "Desktop.ini", "__MACOSX/", ".DS_Store"], output: nil)
        XCTAssertEqual(after, [])
        XCTAssertEqual(excluded.count, 6)
    }

    func testWindowsNamesEveryComponentOnce() throws {
        let source = try tree(["setup.bat", "CON", "nul.txt", "con.tar.gz", "LPT1/a.txt", "LPT1/b.txt", "trail.", "space ",
                               "a:b", "q?.txt", "ctl\u{1}.txt", "COM\u{B9}.log", "Aux .txt", "ok/x|y.txt", "ok/fine.txt"])
        assertFindings(try lint(source, setup: "setup.bat"), [
            (.windowsName, "Aux .txt", "AUX is a reserved device name"),
            (.windowsName, "COM\u{B9}.log", "reserved"),
            (.windowsName, "CON", "reserved device name on Windows;"),
            (.windowsName, "con.tar.gz", "even with an extension"),
            (.windowsName, "ctl\u{1}.txt", "0x01"),
            (.windowsName, "nul.txt", "NUL"),
            (.windowsName, "q?.txt", "?"),
            (.windowsName, "space ", "a space"),
            (.windowsName, "trail.", "a dot"),
            (.windowsName, "a:b", ":"),
            (.windowsName, "LPT1", "rename"),
            (.windowsName, "ok/x|y.txt", "|"),
        ], anyOrder: true)
    }

    func testWindowsNameRuleIsPure() {
        XCTAssertNotNil(WindowsNames.problem(with: "a\\b"), "a backslash, though the scan refuses it first")
        XCTAssertNotNil(WindowsNames.problem(with: "lpt9"))
        XCTAssertNotNil(WindowsNames.problem(with: "tab\there"))
        XCTAssertNil(WindowsNames.problem(with: "LPT0.txt"))
        XCTAssertNil(WindowsNames.problem(with: ".hidden"))
        XCTAssertNil(WindowsNames.problem(with: "CONFIG.SYS"))
    }

    /// The byte-level fast path never clears a name the full rule refuses: every short name built from
    /// device-name letters, digits, superscripts, dots, spaces and forbidden characters, in both cases.
    func testFastPathAgreesWithTheFullRule() {
        let alphabet: [String] = ["c", "O", "n", "p", "R", "a", "u", "x", "L", "t", "m", "1", "9", "\u{B9}", "\u{B3}",
                                  ".", " ", "f", "*", ":", "\u{1}", "é"]
        var names: [String] = [""]
        var checked = 0
        for _ in 0..<4 { names = names.flatMap { prefix in alphabet.map { prefix + $0 } } }
        for name in names + ["con .log", "NUL.txt", "com\u{B9}.x", "LPT9 ", "aux.tar.gz", "prn..", "file.txt"] {
            XCTAssertEqual(WindowsNames.problem(with: name), WindowsNames.fullCheck(name), "'\(name)'")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 200_000)
    }

    func testCaseCollisionsUseNTFSUpperCase() throws {
        let source = try tree(["setup.exe", "README.txt", "Readme.txt", "Docs/a.txt", "docs/b.txt", "docs/c.txt",
                               "\u{E4}.txt", "\u{C4}.txt", "stra\u{DF}e", "STRASSE"])
        let names = try FileManager.default.contentsOfDirectory(atPath: source)
        try XCTSkipIf(names.count < 9, "the file system folds case (\(names.count) names)")
        let findings = try lint(source, setup: "setup.exe")
        assertFindings(findings, [
            (.caseCollision, "Readme.txt", "'README.txt'"),
            (.caseCollision, "\u{E4}.txt", "differ only in case"),
            (.caseCollision, "docs", "merges them"),
        ])
        // Files IME cannot both unpack are errors; folders Windows merges are a warning.
        XCTAssertEqual(findings.map(\.severity), [.error, .error, .warning])
    }

    func testCaseCollisionsAcrossFoldersWindowsMerges() throws {
        let source = try tree(["setup.exe", "Dir/x.txt", "dir/X.txt", "dir/y.txt", "Lib/a.dll", "lib/a.dll", "file", "FILE/inner.txt"])
        let names = try FileManager.default.contentsOfDirectory(atPath: source)
        try XCTSkipIf(names.count < 7, "the file system folds case (\(names.count) names)")
        let findings = try lint(source, setup: "setup.exe")
        assertFindings(findings, [
            (.caseCollision, "dir", "merges them"),
            (.caseCollision, "dir/X.txt", "'Dir/x.txt'"),
            (.caseCollision, "lib", "merges them"),
            (.caseCollision, "lib/a.dll", "'Lib/a.dll'"),
            (.caseCollision, "FILE", "'file'"),
        ], anyOrder: true)
        XCTAssertEqual(findings.filter { $0.severity == .error }.map(\.path).sorted(), ["FILE", "dir/X.txt", "lib/a.dll"])
    }

    func testSeverityTellsWhatNoDeviceCanUnpack() throws {
        let source = try tree(["setup.exe", "CON.txt", "a\"b.txt", "trail.", "Thumbs.db", String(repeating: "n", count: 250)])
        let bySeverity = Dictionary(grouping: try lint(source, setup: "setup.exe"), by: \.severity).mapValues { $0.map(\.path).sorted() }
        XCTAssertEqual(bySeverity[.error], ["CON.txt", "a\"b.txt"])
        XCTAssertEqual(bySeverity[.warning], ["Thumbs.db", String(repeating: "n", count: 250), "trail."])
    }

    func testEveryUnreadableEntryIsAFinding() throws {
        let source = try tree(["setup.exe", "ok.txt"])
        try FileManager.default.createSymbolicLink(atPath: source + "/broken", withDestinationPath: "nowhere")
        try FileManager.default.createSymbolicLink(atPath: source + "/sub-broken", withDestinationPath: "missing/too")
        let outside = try makeTemporaryFolder() + "/shared.dll"
        try TestSupport.writeFile(outside, [1])
        try FileManager.default.createSymbolicLink(atPath: source + "/linked.dll", withDestinationPath: outside)
        XCTAssertEqual(mkfifo(source + "/pipe", 0o600), 0)
        let findings = try lint(source, setup: "setup.exe")
        assertFindings(findings, [
            (.unreadable, "broken", "broken symbolic link"),
            (.unreadable, "linked.dll", "outside the source folder"),
            (.unreadable, "pipe", "FIFO"),
            (.unreadable, "sub-broken", "broken symbolic link"),
        ], anyOrder: true)
        XCTAssertTrue(findings.allSatisfy { $0.severity == .error })
    }

    func testExcludePatternsThatMatchNothingAreWarnings() throws {
        let source = try tree(["setup.exe", "redist/vc.msi", "logs/a.log"])
        try TestSupport.writeFile(source + "/" + ExcludeRules.ignoreFileName, Array("Thumbs.db\n".utf8))
        let (findings, excluded) = try Linter.lint(sourceFolder: source, setupFile: "setup.exe",
                                                   excludes: ["redist\\*", "*.log", "nothing\\here"], output: nil)
        XCTAssertEqual(excluded.sorted(), [ExcludeRules.ignoreFileName, "logs/a.log", "redist/vc.msi"].sorted())
        // Only the command line's unmatched pattern, as written; the ignore file's Thumbs.db is not judged.
        assertFindings(findings, [(.unmatchedExclude, "", "'nothing\\here' matches nothing")])
        XCTAssertEqual(findings.first?.severity, .warning)
    }

    func testChainedInstallerIgnoresALinkToTheSetupItself() throws {
        let source = try tree(["setup.exe"])
        try FileManager.default.createSymbolicLink(atPath: source + "/setup64.exe", withDestinationPath: "setup.exe")
        XCTAssertEqual(try lint(source, setup: "setup.exe"), [])
        XCTAssertEqual(try lint(source, setup: "setup64.exe"), [])
        try TestSupport.writeFile(source + "/other.exe", [1])
        assertFindings(try lint(source, setup: "setup.exe"), [(.chainedInstaller, "setup.exe", "(other.exe)")])
    }

    func testChainedInstallers() throws {
        let source = try tree(["setup.exe", "redist/vc_redist.x64.exe", "data/core.msi", "kb123.msu", "tools/ServiceUI.exe",
                               "readme.txt"])
        assertFindings(try lint(source, setup: "setup.exe"), [
            (.chainedInstaller, "setup.exe", "kb123.msu, data/core.msi, redist/vc_redist.x64.exe"),
            (.chainedInstaller, "tools/ServiceUI.exe", "packNested"),
        ])
        // A script setup is not an installer that chains, but ServiceUI.exe still is.
        let script = try tree(["install.ps1", "app.msi", "ServiceUI.exe"])
        assertFindings(try lint(script, setup: "install.ps1"), [(.chainedInstaller, "ServiceUI.exe", "second process")])
        // Excluded installers are not packed, so not reported.
        XCTAssertEqual(try lint(source, setup: "setup.exe", excludes: ["*.msi", "*.msu", "redist/", "tools/"]), [])
    }

    func testMsiThatNeedsItsSource() throws {
        let source = try makeTemporaryFolder()
        let fixtures = TestSupport.repoRoot + "/Tests/Fixtures/msi"
        for file in ["machine.wxs", "payload.txt"] {
            try FileManager.default.copyItem(atPath: fixtures + "/" + file, toPath: source + "/" + file)
        }
        let built = try TestSupport.run("sh", ["-c", "cd '\(source)' && wixl -o app.msi machine.wxs && rm machine.wxs payload.txt"])
        guard built.status == 0 else { return XCTFail("wixl (msitools, installed by make deps) failed: \(built.stderr)") }
        XCTAssertEqual(try lint(source, setup: "app.msi"), [], "an MSI with its files inside needs nothing")
        try TestSupport.writeFile(source + "/custom.mst", [1, 2, 3])
        assertFindings(try lint(source, setup: "app.msi"), [(.msiNeedsSource, "app.msi", "custom.mst")])
        XCTAssertEqual(try lint(source, setup: "app.msi")[0].remedy, .packNested)
    }

    func testExcludedSetupAndBadArgumentsAreUsageErrors() throws {
        let source = try tree(["setup.exe", "bin/tool.exe"])
        let excluded = assertThrows(.usage) { try lint(source, setup: "setup.exe", excludes: ["*.exe"]) }
        XCTAssertTrue(excluded?.reason.contains("excluded") ?? false)
        assertThrows(.usage) { try lint(source, setup: "missing.exe") }
        assertThrows(.badInput) { try lint(source + "/nothing", setup: "setup.exe") }   // no such path: one rule for every path
        assertThrows(.usage) { try lint(source, setup: "setup.exe", excludes: ["!bin"]) }
        assertFindings(try lint(source, setup: "bin/tool.exe"), [(.chainedInstaller, "bin/tool.exe", "setup.exe")])
    }

    func testRulesAreNamedAsTheToolPrintsThem() {
        XCTAssertEqual(LintFinding.Rule.allCases.map(\.rawValue), ["long-path", "package-in-source", "leftover", "windows-name",
                                                                  "case-collision", "chained-installer", "msi-needs-source",
                                                                  "unreadable", "unmatched-exclude"])
    }
}
