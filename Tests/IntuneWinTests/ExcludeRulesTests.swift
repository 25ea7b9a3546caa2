import Foundation
import XCTest
@testable import IntuneWin

/// Exclude patterns (--exclude and .intunewinignore): each pattern form, the ignore file, what is refused.
final class ExcludeRulesTests: XCTestCase {
    /// Rules from command-line patterns and, when given, an ignore file written into a fresh source folder.
    private func rules(_ patterns: [String], ignoreFile: String? = nil) throws -> ExcludeRules {
        let source = try makeTemporaryFolder()
        if let ignoreFile { try TestSupport.writeFile(source + "/.intunewinignore", Array(ignoreFile.utf8)) }
        return try ExcludeRules(patterns: patterns, source: source)
    }

    private func path(_ text: String) -> [String] { text.split(separator: "/").map(String.init) }

    func testNameWithoutSlashMatchesAtAnyDepthCaseSensitively() throws {
        let r = try rules(["*.log", ".git", "Thumbs.db"])
        XCTAssertTrue(r.isExcluded(path("a.log")))
        XCTAssertTrue(r.isExcluded(path("x/y/b.log")))
        XCTAssertFalse(r.isExcluded(path("a.log.txt")))
        XCTAssertTrue(r.isExcluded(path(".git/objects/ab/cdef")), "a matching parent folder excludes what is below it")
        XCTAssertTrue(r.isExcluded(path("sub/.git/HEAD")))
        XCTAssertTrue(r.isExcluded(path("pics/Thumbs.db")))
        XCTAssertFalse(r.isExcluded(path("pics/thumbs.db")), "matching is case-sensitive")
        XCTAssertFalse(r.isExcluded(path("app.LOG")))
        XCTAssertFalse(r.isExcluded(path("git/file")))
    }

    func testPatternWithSlashMatchesFromTheRoot() throws {
        let r = try rules(["docs/*.md", "/build"])
        XCTAssertTrue(r.isExcluded(path("docs/a.md")))
        XCTAssertFalse(r.isExcluded(path("docs/sub/a.md")), "* does not cross folders")
        XCTAssertFalse(r.isExcluded(path("x/docs/a.md")), "anchored at the source root")
        XCTAssertFalse(r.isExcluded(path("docs/a.txt")))
        XCTAssertTrue(r.isExcluded(path("build")))
        XCTAssertTrue(r.isExcluded(path("build/out/x.bin")))
        XCTAssertFalse(r.isExcluded(path("src/build")), "a leading / anchors a single name")
    }

    func testDoubleStarMatchesAcrossFolders() throws {
        let r = try rules(["**/cache", "logs/**", "a/**/b"])
        XCTAssertTrue(r.isExcluded(path("cache")))
        XCTAssertTrue(r.isExcluded(path("x/y/cache/file")))
        XCTAssertTrue(r.isExcluded(path("logs/today.txt")))
        XCTAssertTrue(r.isExcluded(path("logs/2024/today.txt")))
        XCTAssertFalse(r.isExcluded(path("logs"), isFolder: true), "logs/** matches what is inside, not the folder")
        XCTAssertTrue(r.isExcluded(path("a/b")))
        XCTAssertTrue(r.isExcluded(path("a/x/y/b/file")))
        XCTAssertFalse(r.isExcluded(path("a/x/c")))
    }

    func testTrailingSlashMatchesFoldersOnly() throws {
        let r = try rules(["build/"])
        XCTAssertTrue(r.isExcluded(path("build/x")))
        XCTAssertTrue(r.isExcluded(path("src/build/y/z")))
        XCTAssertTrue(r.isExcluded(path("build"), isFolder: true), "an empty folder")
        XCTAssertFalse(r.isExcluded(path("build")), "a file called build stays")
        XCTAssertFalse(r.isExcluded(path("src/build")))
    }

    func testQuestionMarkBracketsAndEscapes() throws {
        let r = try rules(["file?.txt", "[ab].bin", "\\!keep", "\\#notes"])
        XCTAssertTrue(r.isExcluded(path("file1.txt")))
        XCTAssertFalse(r.isExcluded(path("file12.txt")))
        XCTAssertTrue(r.isExcluded(path("b.bin")))
        XCTAssertFalse(r.isExcluded(path("c.bin")))
        XCTAssertTrue(r.isExcluded(path("!keep")), "\\! is a literal !, not a negation")
        XCTAssertTrue(r.isExcluded(path("#notes")))
    }

    func testBackslashSeparatesFoldersAsOnWindows() throws {
        let r = try rules(["redist\\*", "\\build\\", "docs\\**\\*.md", "\\#notes"])
        XCTAssertEqual(r.patterns, ["redist\\*", "\\build\\", "docs\\**\\*.md", "\\#notes"], "kept as written, for messages")
        XCTAssertTrue(r.isExcluded(path("redist/vc_redist.x64.exe")))
        XCTAssertFalse(r.isExcluded(path("redist*")), "not an escaped star")
        XCTAssertTrue(r.isExcluded(path("build/out.bin")))
        XCTAssertFalse(r.isExcluded(path("src/build/out.bin")), "a leading \\ anchors at the source root, as / does")
        XCTAssertTrue(r.isExcluded(path("docs/a/b/readme.md")))
        XCTAssertTrue(r.isExcluded(path("#notes")), "a leading \\# still keeps # literal")
    }

    func testUnmatchedCommandLinePatternsAreReported() throws {
        let r = try rules(["*.log", "redist\\*", "nothing"], ignoreFile: "Thumbs.db\n")
        let entries = [SourceEntry(kind: .file(size: 1), components: ["logs", "a.log"], path: "/x/logs/a.log", modificationTime: 0)]
        XCTAssertEqual(r.unmatchedCommandLinePatterns(in: entries), ["redist\\*", "nothing"], "the ignore file's lines are not judged")
    }

    func testIgnoreFileCommentsBlankLinesCRLFAndBOM() throws {
        let r = try rules(["*.tmp"], ignoreFile: "\u{FEFF}# build output\r\n\r\nbuild/   \r\n  \n# *.txt\n*.log\n")
        XCTAssertTrue(r.ignoreFileFound)
        XCTAssertEqual(r.patterns, ["*.tmp", "build/", "*.log"], "command line first, comments and blanks dropped")
        XCTAssertTrue(r.isExcluded(path("build/x")))
        XCTAssertFalse(r.isExcluded(path("a.txt")), "a commented-out pattern is inactive")

        let none = try rules([])
        XCTAssertFalse(none.ignoreFileFound)
        XCTAssertEqual(none.patterns, [])
        XCTAssertFalse(none.isExcluded(path("anything")))
    }

    func testNegationIsRejectedWithFileAndLine() throws {
        let error = assertThrows(.usage) { try rules([], ignoreFile: "# keep the readme\n*.md\n!README.md\n") }
        XCTAssertTrue(error?.path.hasSuffix("/.intunewinignore") ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.reason.contains("line 3") ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.reason.contains("negation") ?? false)

        let option = assertThrows(.usage) { try rules(["!keep.txt"]) }
        XCTAssertEqual(option?.path, "!keep.txt")
        XCTAssertTrue(option?.reason.contains("negation") ?? false)
        assertThrows(.usage) { try rules([""]) }
        assertThrows(.usage) { try rules(["/"]) }
    }

    func testApplyLeavesOutTheIgnoreFileAndWholeFolders() throws {
        let source = try makeTemporaryFolder()
        for file in ["setup.exe", "app/main.dll", "app/docs/a.md", "app/docs/deep/b.md", "cache/x.bin", "logs/run.log", "z.txt"] {
            try TestSupport.writeFile(source + "/" + file, [1])
        }
        try FileManager.default.createDirectory(atPath: source + "/empty", withIntermediateDirectories: true)
        try TestSupport.writeFile(source + "/.intunewinignore", Array("docs/\nempty/\n".utf8))
        let scan = try SourceTree.scan(root: source)

        let (kept, excluded) = try ExcludeRules(patterns: ["*.log"], source: source).apply(to: scan)
        let keptNames = kept.map { $0.components.joined(separator: "/") }
        XCTAssertEqual(keptNames, ["setup.exe", "z.txt", "app/main.dll", "cache/x.bin"], "scan order kept")
        XCTAssertEqual(Set(excluded.map { $0.components.joined(separator: "/") }),
                       [".intunewinignore", "empty", "app/docs/a.md", "app/docs/deep/b.md", "logs/run.log"])
        XCTAssertEqual(kept.count + excluded.count, scan.count)

        // Without any pattern, only the ignore file itself is left out.
        try FileManager.default.removeItem(atPath: source + "/.intunewinignore")
        try TestSupport.writeFile(source + "/.intunewinignore", Array("# nothing\n".utf8))
        let (all, ignoreOnly) = try ExcludeRules(patterns: [], source: source).apply(to: try SourceTree.scan(root: source))
        XCTAssertEqual(ignoreOnly.map(\.components), [[".intunewinignore"]])
        XCTAssertEqual(all.count, scan.count - 1)
    }
}
