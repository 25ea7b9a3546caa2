import Foundation
import XCTest

/// What a packaging engineer used to IntuneWinAppUtil.exe types: Windows paths and quotes, setup names
/// in another letter case, typos in commands and options, help spelled `-?`, `/?` or `help`.
final class NewUserHabitsTests: ToolTestCase {
    private func app() throws -> URL {
        let src = path("My App")
        try write("setup", to: src.appending("bin/setup.exe"))
        try write("readme", to: src.appending("readme.txt"))
        return src
    }

    private func packedSetupFile(_ result: RunResult) throws -> String? {
        (try result.jsonObject())["setupFile"] as? String
    }

    func testWindowsSpellingOfTheSourceSetupAndOutput() throws {
        let src = try app()
        // -c with a trailing backslash, -s with backslashes and .\, -o quoted with a trailing backslash.
        let packed = try tool("-c", src.path + "\\", "-s", ".\\bin\\setup.exe", "-o", "\"" + path("out").path + "\\\"", "-q", "--json")
        assertExit(packed, 0, packed.summary)
        XCTAssertEqual(try packedSetupFile(packed), "bin\\setup.exe")
        XCTAssertTrue(path("out/setup.intunewin").exists, "no folder named 'out\\' \(packed.summary)")
        XCTAssertFalse(path("out\\").exists)
    }

    func testSetupFoundIgnoringCaseWhenOneFileMatchesElseSuggested() throws {
        let src = try app()
        let upper = try tool("pack", "-c", src.path, "-s", "BIN\\SETUP.EXE", "-o", path("upper").path, "--json")
        assertExit(upper, 0, upper.summary)
        XCTAssertEqual(try packedSetupFile(upper), "bin\\setup.exe", "the file's own spelling is written")

        let typo = try tool("pack", "-c", src.path, "-s", "bin/setpu.exe", "-o", path("typo").path)
        assertExit(typo, 2, typo.summary)
        assertOneLineError(typo, naming: "setpu.exe")
        XCTAssertTrue(typo.err.contains("did you mean bin/setup.exe"), typo.summary)

        try write("other", to: src.appending("bin/SETUP.exe"))
        let twice = try tool("pack", "-c", src.path, "-s", "bin/Setup.EXE", "-o", path("twice").path)
        assertExit(twice, 2, twice.summary)
        XCTAssertTrue(twice.err.contains("ambiguous") && twice.err.contains("SETUP.exe") && twice.err.contains("setup.exe"), twice.summary)
        XCTAssertFalse(path("typo").exists || path("twice").exists)
    }

    func testSymlinkedSetupKeepsTheNameGiven() throws {
        let src = try app()
        try FileManager.default.createSymbolicLink(atPath: src.appending("setup.exe").path, withDestinationPath: "bin/setup.exe")
        let packed = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", path("out").path, "--json")
        assertExit(packed, 0, packed.summary)
        let object = try packed.jsonObject()
        XCTAssertEqual(object["setupFile"] as? String, "setup.exe")
        XCTAssertEqual(object["name"] as? String, "setup.exe")
        XCTAssertTrue(path("out/setup.intunewin").exists, packed.summary)
    }

    /// The man page is generated from the same texts, and its generator drops every non-ASCII character
    /// (`msiexec /i … /qn` became `msiexec /i  /qn`): help stays ASCII.
    func testEveryHelpTextIsASCII() throws {
        let dump = try tool("--experimental-dump-help")
        assertExit(dump, 0, dump.summary)
        XCTAssertTrue(dump.out.contains("\"ime-log\""), "not the whole command tree: \(dump.out.prefix(200))")
        let offending = dump.out.split(separator: "\n").filter { $0.unicodeScalars.contains { !$0.isASCII } }
        XCTAssertEqual(offending, [], "non-ASCII characters in help texts")
    }

    /// File names come from users and packages: a newline or escape sequence in one never splits an error
    /// into two lines or reaches the terminal raw.
    func testControlCharactersInNamesAreShownEscaped() throws {
        let missing = try tool("info", path("two\nlines\u{1B}[2J.intunewin").path)
        assertExit(missing, 3, missing.summary)
        XCTAssertEqual(missing.errLines.count, 1, missing.summary)
        XCTAssertTrue(missing.err.contains("two\\x0alines\\x1b[2J.intunewin"), missing.summary)
        XCTAssertFalse(missing.err.contains("\u{1B}"), missing.summary)
    }

    func testTyposGetDidYouMeanAndHelpIsEverywhere() throws {
        let src = try app()
        let cases: [([String], String)] = [
            (["inf", Tool.sample("01").path], "did you mean 'info'"),
            (["pakc", "-c", src.path], "did you mean 'pack'"),
            (["pack", "--contnet", src.path, "-s", "setup.exe", "-o", path("o").path], "did you mean '--content'"),
            (["lint", "--contnet", src.path], "did you mean '--content'"),
            (["pack", "-v"], "intunewin-tool --version"),
        ]
        for (arguments, expected) in cases {
            let result = try tool(arguments)
            assertExit(result, 2, arguments.joined(separator: " "))
            XCTAssertEqual(result.errLines.count, 1, result.summary)
            XCTAssertTrue(result.err.contains(expected) && result.err.contains("--help"), result.summary)
        }
        for arguments in [[], ["-?"], ["/?"], ["help"], ["pack", "help"], ["help", "verify"]] {
            let result = try tool(arguments)
            assertExit(result, 0, arguments.joined(separator: " "))
            XCTAssertTrue(result.out.contains("USAGE:"), "\(arguments): \(result.summary)")
        }
        XCTAssertTrue(try tool("help", "verify").out.contains("intunewin-tool verify"))
        XCTAssertFalse(path("o").exists)
    }

    func testVerifyAgainstTheSourceTakesPacksSpellingAndExcludes() throws {
        let src = try app()
        try write("log", to: src.appending("debug.log"))
        try write("Thumbs", to: src.appending("Thumbs.db"))
        try write("Thumbs.db\n", to: src.appending(".intunewinignore"))
        let packed = try tool("pack", "-c", src.path, "-s", "bin/setup.exe", "-o", path("out").path, "--exclude", "*.log")
        assertExit(packed, 0, packed.summary)
        let package = path("out/setup.intunewin").path
        // -c (pack's spelling) and --source (the older one); the ignore file applies by itself.
        for spelling in ["-c", "--content", "--source"] {
            let same = try tool("verify", package, spelling, src.path, "--exclude", "*.log")
            assertExit(same, 0, "\(spelling): \(same.summary)")
        }
        let without = try tool("verify", package, "-c", src.path)
        assertExit(without, 1, without.summary)
        XCTAssertTrue(without.out.contains("missing from the package (debug.log)"), without.summary)
        let stray = try tool("verify", package, "--exclude", "*.log")
        assertExit(stray, 2, stray.summary)
    }

    func testBinEmptyFileAndLFSPointerAreNamedForWhatTheyAre() throws {
        // The content of Microsoft's sample 01, as IME downloads it (a .bin), taken out with Info-ZIP.
        let bin = path("content.bin")
        let extracted = try execute("/bin/sh", ["-c", "unzip -p \"$0\" IntuneWinPackage/Contents/IntunePackage.intunewin > \"$1\"",
                                                Tool.sample("01").path, bin.path])
        XCTAssertEqual(extracted.status, 0, extracted.summary)
        for command in ["info", "list", "verify"] {
            let result = try tool(command, bin.path)
            assertExit(result, 3, "\(command): \(result.summary)")
            assertOneLineError(result, naming: bin.path)
            XCTAssertTrue(result.err.contains("looks like encrypted content") && result.err.contains("--encryption-info"), result.summary)
        }
        let unpack = try tool("unpack", bin.path, "-o", path("out").path)
        assertExit(unpack, 3, unpack.summary)
        XCTAssertTrue(unpack.err.contains("an IME .bin"), unpack.summary)
        XCTAssertFalse(path("out").exists)

        try write("", to: path("empty.intunewin"))
        try write("version https://git-lfs.github.com/spec/v1\noid sha256:0123\nsize 4242\n", to: path("lfs.intunewin"))
        for (file, expected) in [("empty.intunewin", "empty file"), ("lfs.intunewin", "Git LFS pointer")] {
            for command in ["info", "verify", "list"] {
                let result = try tool(command, path(file).path)
                assertExit(result, 3, "\(command) \(file): \(result.summary)")
                XCTAssertTrue(result.err.contains(expected), result.summary)
            }
        }
    }

    func testOutputMistakesAreFoundBeforePackingAndLeaveNothing() throws {
        let src = try app()
        try write("not a folder", to: path("notes.txt"))
        let cases: [([String], Int32, String)] = [
            (["-o", path("notes.txt/sub").path], 4, "notes.txt is a file"),
            (["-o", ""], 2, "not an empty string"),
            (["-o", path("out/app.zip").path], 2, "ends in .zip"),
            (["-o", path("x").path, "--silent", "--json"], 2, "--silent prints nothing"),
            (["-o", path("x").path, "--nested-zip", "--launcher-timeout", "-5"], 2, "must be 1 to 1440"),
        ]
        for (extra, code, expected) in cases {
            let result = try tool(["pack", "-c", src.path, "-s", "bin/setup.exe"] + extra)
            assertExit(result, code, "\(extra): \(result.summary)")
            XCTAssertEqual(result.errLines.count, 1, result.summary)
            XCTAssertTrue(result.err.contains(expected), "\(extra): \(result.summary)")
        }
        // An output that is an existing folder: refused at once, even with --force.
        try makeFolder(path("taken/setup.intunewin"))
        let folder = try tool("pack", "-c", src.path, "-s", "bin/setup.exe", "-o", path("taken/setup.intunewin").path, "--force")
        assertExit(folder, 4, folder.summary)
        XCTAssertTrue(folder.err.contains("is a folder"), folder.summary)
        // A pack that fails leaves no output folder it created.
        try write("gone", to: src.appending("bin/setup.exe"))
        let missing = try tool("pack", "-c", src.path, "-s", "bin/nosuch.exe", "-o", path("new/deep/er").path)
        assertExit(missing, 2, missing.summary)
        XCTAssertFalse(path("new").exists, "no folder left behind")
        XCTAssertFalse(path("x").exists || path("out").exists)
    }

    func testQuietWorksOnEveryCommandThatShowsProgress() throws {
        let src = try app()
        let packed = try tool("pack", "-c", src.path, "-s", "bin/setup.exe", "-o", path("p").path, "-q")
        assertExit(packed, 0, packed.summary)
        let package = path("p/setup.intunewin").path
        for arguments in [["unpack", package, "-o", path("u").path, "-q"], ["verify", package, "-q"],
                          ["decrypt", package, "-o", path("d.zip").path, "-q"]] {
            let result = try tool(arguments)
            assertExit(result, 0, "\(arguments): \(result.summary)")
        }
    }

    func testUnpackableSourceEntriesSuggestLeavingThemOut() throws {
        let src = try app()
        XCTAssertEqual(mkfifo(src.appending("bin/pipe").path, 0o644), 0)
        let fifo = try tool("pack", "-c", src.path, "-s", "bin/setup.exe", "-o", path("out").path)
        assertExit(fifo, 3, fifo.summary)
        assertOneLineError(fifo, naming: src.appending("bin/pipe").path)
        XCTAssertTrue(fifo.err.contains("--exclude 'bin/pipe'"), fifo.summary)
        // What the error suggests works.
        let excluded = try tool("pack", "-c", src.path, "-s", "bin/setup.exe", "-o", path("out").path, "--exclude", "bin/pipe")
        assertExit(excluded, 0, excluded.summary)

        try FileManager.default.removeItem(at: src.appending("bin/pipe"))
        try FileManager.default.createSymbolicLink(atPath: src.appending("dangling.dll").path, withDestinationPath: "nowhere.dll")
        let dangling = try tool("pack", "-c", src.path, "-s", "bin/setup.exe", "-o", path("out2").path)
        assertExit(dangling, 3, dangling.summary)
        XCTAssertTrue(dangling.err.contains("broken symbolic link") && dangling.err.contains("--exclude 'dangling.dll'"), dangling.summary)
        XCTAssertFalse(path("out2").exists)
    }
}
