import Foundation
import XCTest

/// What IME does with a Win32 app (docs/IME.md §5–6), simulated under Wine with the real native
/// launcher: the package is checked and decrypted (HMAC, digest) and unzipped into
/// `C:\Windows\IMECache\<app id>_1` by the independent Python oracle, the install command is started
/// there by `ime-host.exe` (CreateProcess + WaitForSingleObject on that one process, as IME does), and
/// the cache folder is deleted the moment that process exits (IME's cleaner). Then detection runs.
///
/// Wine differs from Windows in ways these tests meet: a running program's file can be deleted (on
/// Windows the cleaner fails on a locked .exe but still removes the other files, which is what the
/// chained setup needs); Wine's msiexec has no UI and no Restart Manager; processes run as one Unix
/// user, so access-control checks are not exercised here.
final class IMESimulationTests: ToolTestCase {
    /// `make -C Launcher test-programs`, once per run; nil when it worked.
    private static let builtTestPrograms: String? = {
        let result = try? execute("make", ["-s", "-C", Tool.repoRoot.appending("Launcher").path, "test-programs"])
        guard let result, result.status == 0 else {
            return "make -C Launcher test-programs failed (the cross compiler comes from scripts/install-deps.sh): \(result?.summary ?? "make did not run")"
        }
        return nil
    }()

    private var wine: WinePrefix!

    override class func tearDown() {
        try? WinePrefix.shared.get().remove()
        super.tearDown()
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        if let problem = Self.builtTestPrograms { throw SetupError(problem) }
        wine = try WinePrefix.shared.get()
    }

    // MARK: The cache cleanup and the chained installer

    func testChainedSetupFailsWhenPackedPlainlyAndSucceedsNested() throws {
        let app = try chainedApp()

        // Plain: IME starts chain-first.exe, which starts chain-second.exe and exits; the cleaner deletes the
        // folder; chain-second then cannot read its data file (the seed's "Error 1311 Source file not found").
        let plainResult = wine.windowsPath("results\\plain.txt")
        let plain = try pack(app, "chain-first.exe", "plain")
        let plainRun = try wine.simulateIME(package: plain, appID: "plain", command: "chain-first.exe \(plainResult)")
        XCTAssertEqual(plainRun.exitCode, 0, "chain-first itself succeeds: \(plainRun.log)")
        XCTAssertTrue(plainRun.cacheWasDeleted)
        let plainOutcome = try wine.waitForFile(plainResult, seconds: 30)
        XCTAssertEqual(plainOutcome, "FAIL cannot read data.txt", "the chained installer lost its files")

        // Nested: the launcher expands the payload to a persistent folder and waits for both processes.
        let nestedResult = wine.windowsPath("results\\nested.txt")
        let nested = try pack(app, "chain-first.exe", "nested", ["--nested-zip", "--setup-args", nestedResult, "--name", "Chained App"])
        let nestedRun = try wine.simulateIME(package: nested, appID: "nested", command: "install.exe")
        XCTAssertEqual(nestedRun.exitCode, 0, nestedRun.log)
        XCTAssertEqual(try wine.readFile(nestedResult), "OK data for the second installer",
                       "chain-second read its file before the launcher exited: \(nestedRun.log)")
        XCTAssertTrue(nestedRun.cacheWasDeleted)
        let copy = try persistentCopy("Chained App")  // --name names the persistent folder and the log
        XCTAssertTrue(FileManager.default.fileExists(atPath: copy.appending("data.txt").path), "the persistent copy stays")
        XCTAssertEqual(try String(contentsOf: copy.appending(".intunewin-payload")).trimmingCharacters(in: .whitespacesAndNewlines).count, 64,
                       "the marker holds the payload's SHA-256")
        let log = try launcherLog("Chained App")
        XCTAssertTrue(log.contains("Job"), "the log says how it waited: \(log)")
    }

    // MARK: Exit codes

    func testSetupExitCodesReachIMEUnchanged() throws {
        let app = path("codes")
        try makeFolder(app)
        try FileManager.default.copyItem(at: testProgram("exit-with"), to: app.appending("exit-with.exe"))
        for code in [0, 1603, 3010, 1641] {
            let package = try pack(app, "exit-with.exe", "code\(code)", ["--nested-zip", "--setup-args", "\(code)", "-q"])
            let run = try wine.simulateIME(package: package, appID: "code\(code)", command: "install.exe")
            XCTAssertEqual(run.exitCode, UInt32(code), run.log)
        }
    }

    func testHangingSetupIsEndedAtTheTimeoutWithTheDocumentedCode() throws {
        let app = path("hang")
        try makeFolder(app)
        try FileManager.default.copyItem(at: testProgram("hang"), to: app.appending("hang.exe"))
        let package = try pack(app, "hang.exe", "hang", ["--nested-zip"])
        let started = Date()
        // pack takes minutes (1 or more); the simulation shortens the wait with the launcher's testing key.
        let run = try wine.simulateIME(package: package, appID: "hang", command: "install.exe") { cache in
            try appendLine("timeout_seconds=4", to: cache.appending("launcher.ini"))
        }
        XCTAssertEqual(run.exitCode, 1460, run.log)
        XCTAssertLessThan(Date().timeIntervalSince(started), 60, "ended at the timeout, not left running")
        // Ended processes may linger as zombies (state Z) until Wine reaps them: only live ones count.
        let processes = try execute("sh", ["-c", "ps -eo stat=,args= | grep -v '^Z' | grep -i 'hang.exe' | grep -v grep || true"])
        XCTAssertEqual(processes.out.trimmingCharacters(in: .whitespacesAndNewlines), "", "the whole tree was ended")
    }

    // MARK: Bad payloads

    func testPayloadWithTheWrongDigestInstallsNothing() throws {
        let app = try chainedApp()
        let result = wine.windowsPath("results\\tampered.txt")
        let package = try pack(app, "chain-first.exe", "tampered", ["--nested-zip", "--setup-args", result, "--extract-to", "C:\\Tampered\\App"])
        let run = try wine.simulateIME(package: package, appID: "tampered", command: "install.exe") { cache in
            let payload = cache.appending("payload.zip")
            var bytes = try Data(contentsOf: payload)
            bytes[bytes.count / 2] ^= 0x01
            try bytes.write(to: payload)
        }
        XCTAssertEqual(run.exitCode, 1392, run.log)
        XCTAssertFalse(FileManager.default.fileExists(atPath: wine.unixPath("C:\\Tampered").path), "nothing expanded")
        XCTAssertFalse(FileManager.default.fileExists(atPath: wine.unixPath(result).path), "nothing ran")
    }

    func testPayloadEntryThatLeavesTheFolderInstallsNothing() throws {
        let app = try chainedApp()
        let package = try pack(app, "chain-first.exe", "hostile", ["--nested-zip", "--extract-to", "C:\\Hostile\\App"])
        let run = try wine.simulateIME(package: package, appID: "hostile", command: "install.exe") { cache in
            // A payload with an entry "..\escaped.txt", its SHA-256 written into the settings as a real attacker would.
            let payload = cache.appending("payload.zip")
            try python("""
                import sys, zipfile
                with zipfile.ZipFile(sys.argv[1], "w") as z:
                    z.writestr("chain-first.exe", b"MZ")
                    z.writestr("..\\\\escaped.txt", b"outside")
                """, [payload.path]).check()
            let digest = try execute("sha256sum", [payload.path]).out.prefix(64)
            let ini = cache.appending("launcher.ini")
            let text = try String(contentsOf: ini).replacingOccurrences(
                of: "payload_sha256=[0-9a-f]{64}", with: "payload_sha256=\(digest)", options: .regularExpression)
            try text.write(to: ini, atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(run.exitCode, 161, run.log)
        XCTAssertEqual(listing(wine.unixPath("C:\\Hostile")), [], "nothing written: \(listing(wine.unixPath("C:\\Hostile")))")
        XCTAssertFalse(FileManager.default.fileExists(atPath: wine.unixPath("C:\\Hostile\\escaped.txt").path))
    }

    // MARK: Uninstall

    func testUninstallRunsFromThePersistentCopyAndRemovesIt() throws {
        let app = path("uninstall")
        try makeFolder(app)
        try FileManager.default.copyItem(at: testProgram("exit-with"), to: app.appending("exit-with.exe"))
        let package = try pack(app, "exit-with.exe", "uninstall",
                               ["--nested-zip", "--setup-args", "0", "--uninstall-args", "3010", "--extract-to", "C:\\Uninst\\Copy"])
        let install = try wine.simulateIME(package: package, appID: "uninst", command: "install.exe")
        XCTAssertEqual(install.exitCode, 0, install.log)
        XCTAssertTrue(FileManager.default.fileExists(atPath: wine.unixPath("C:\\Uninst\\Copy\\exit-with.exe").path))
        // IME downloads the package again for an uninstall and runs the uninstall command in a new cache folder.
        let uninstall = try wine.simulateIME(package: package, appID: "uninst", command: "install.exe /uninstall")
        XCTAssertEqual(uninstall.exitCode, 3010, "the uninstaller's own code: \(uninstall.log)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: wine.unixPath("C:\\Uninst\\Copy").path), "the copy is removed after success")
    }

    // MARK: MSI, repair after the cleanup

    func testMSIInstalledThroughTheLauncherKeepsItsRepairSourceAfterTheCleanup() throws {
        let product = "{11111111-2222-3333-4444-555555555555}"
        // wixl builds a 32-bit (Intel) package: ProgramFilesFolder is "Program Files (x86)" on 64-bit Windows and Wine.
        let installed = wine.unixPath("C:\\Program Files (x86)\\Machine Product\\payload.txt")
        let app = try msiApp()

        let package = try pack(app, "app.msi", "msi", ["--nested-zip", "--extract-to", "C:\\ProgramData\\Contoso\\Machine"])
        let run = try wine.simulateIME(package: package, appID: "msi", command: "install.exe")
        XCTAssertEqual(run.exitCode, 0, run.log)
        XCTAssertTrue(FileManager.default.fileExists(atPath: installed.path), "installed: \(run.log)")
        XCTAssertTrue(run.cacheWasDeleted)
        // Repair and self-heal read the source the MSI registered: the persistent copy, still there.
        XCTAssertEqual(try wine.installSource(product), "C:\\ProgramData\\Contoso\\Machine\\")
        XCTAssertTrue(FileManager.default.fileExists(atPath: wine.unixPath("C:\\ProgramData\\Contoso\\Machine\\app.msi").path))
        // The launcher's documented repair path, after IME's cleanup: a missing file comes back.
        try FileManager.default.removeItem(at: installed)
        let repair = try wine.simulateIME(package: package, appID: "msi", command: "install.exe /repair")
        XCTAssertEqual(repair.exitCode, 0, repair.log)
        XCTAssertTrue(FileManager.default.fileExists(atPath: installed.path), "the repair restored the file")
        XCTAssertEqual(try wine.host("C:\\", "msiexec.exe /x \(product) /qn").exitCode, 0)

        // Packed plainly, the same MSI registers the cache folder as its source, and the cleaner deletes it:
        // on Windows a repair then fails (1612, source unavailable). Wine keeps a whole copy of the MSI, so its
        // repair would still work: what is checked is the registered source.
        let plain = try pack(app, "app.msi", "msi-plain")
        let plainRun = try wine.simulateIME(package: plain, appID: "msiplain", command: "msiexec /i app.msi /qn")
        XCTAssertEqual(plainRun.exitCode, 0, plainRun.log)
        let plainSource = try wine.installSource(product)
        XCTAssertEqual(plainSource, "C:\\Windows\\IMECache\\msiplain_1\\")
        XCTAssertFalse(FileManager.default.fileExists(atPath: wine.unixPath(plainSource).path), "the registered source is gone")
        XCTAssertEqual(try wine.host("C:\\", "msiexec.exe /x \(product) /qn").exitCode, 0)
    }

    // MARK: Helpers

    private func testProgram(_ name: String) -> URL { Tool.repoRoot.appending("Launcher/build/\(name).exe") }

    /// chain-first.exe, chain-second.exe and the data file the second one reads.
    private func chainedApp() throws -> URL {
        let app = path("chained-\(UUID().uuidString.prefix(6))")
        try makeFolder(app)
        for name in ["chain-first", "chain-second"] {
            try FileManager.default.copyItem(at: testProgram(name), to: app.appending("\(name).exe"))
        }
        try write("data for the second installer", to: app.appending("data.txt"))
        try makeFolder(wine.unixPath("C:\\results"))
        return app
    }

    /// A per-machine MSI built by wixl from the MSI fixtures.
    private func msiApp() throws -> URL {
        let build = path("msi-build")
        try makeFolder(build)
        for file in ["machine.wxs", "payload.txt"] {
            try FileManager.default.copyItem(at: Tool.fixtures.appending("msi/\(file)"), to: build.appending(file))
        }
        // The service would need a real binary under Wine; the fixture without it is the same MSI otherwise.
        let wxs = build.appending("machine.wxs")
        let text = try String(contentsOf: wxs).replacingOccurrences(
            of: #"<ServiceInstall[^>]*/>"#, with: "", options: .regularExpression)
        try text.write(to: wxs, atomically: true, encoding: .utf8)
        let app = path("msi-app")
        try makeFolder(app)
        try execute("wixl", ["-o", app.appending("app.msi").path, wxs.path], in: build).check()
        return app
    }

    private func pack(_ source: URL, _ setup: String, _ name: String, _ options: [String] = []) throws -> URL {
        let output = path("packages/\(name).intunewin")
        try tool(["pack", "-c", source.path, "-s", setup, "-o", output.path, "--silent"] + options).check()
        return output
    }

    /// The one folder under `C:\ProgramData\IntuneWin\<app>\`.
    private func persistentCopy(_ app: String) throws -> URL {
        let parent = wine.unixPath("C:\\ProgramData\\IntuneWin\\\(app)")
        let children = listing(parent).filter { !$0.contains(".tmp") }
        XCTAssertEqual(children.count, 1, "\(children)")
        return parent.appending(try XCTUnwrap(children.first))
    }

    private func launcherLog(_ app: String) throws -> String {
        try String(contentsOf: wine.unixPath("C:\\ProgramData\\Microsoft\\IntuneManagementExtension\\Logs\\\(app)-launcher.log"))
    }
}

private func appendLine(_ line: String, to file: URL) throws {
    let handle = try FileHandle(forWritingTo: file)
    defer { try? handle.close() }
    try handle.seekToEnd()
    try handle.write(contentsOf: Data((line + "\r\n").utf8))
}

extension RunResult {
    /// Throws unless the process exited 0.
    @discardableResult
    func check(file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        guard status == 0, !signaled else { throw SetupError("command failed: \(summary)") }
        return self
    }
}

/// One Wine prefix for every simulation of the run (its first start, wineboot, takes ~15 s), with the
/// IME simulation on top: unzip to IMECache, run the install command, delete the cache when it exits.
final class WinePrefix {
    static let wine = "/usr/lib/wine/wine64"
    static let shared = Result<WinePrefix, Error> { try WinePrefix() }

    let root: URL
    private var environment: [String: String] {
        // No Mono or Gecko installers (no network), no debug chatter, no display.
        ["WINEPREFIX": root.path, "WINEDEBUG": "-all", "WINEDLLOVERRIDES": "mscoree,mshtml=", "DISPLAY": ""]
    }

    private init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.wine) else {
            throw SetupError("\(Self.wine) not found: scripts/install-deps.sh installs Debian's wine64")
        }
        root = FileManager.default.temporaryDirectory.appendingPathComponent("iw-wine-\(UUID().uuidString.prefix(8))")
        let boot = try execute(Self.wine, ["wineboot", "-i"], environment: environment)
        _ = try execute("/usr/lib/wine/wineserver", ["-w"], environment: environment)
        guard boot.status == 0, FileManager.default.fileExists(atPath: root.appending("drive_c/windows").path) else {
            throw SetupError("wineboot could not make a prefix in \(root.path): \(boot.summary)")
        }
    }

    /// Ends the prefix's processes and removes it (after the last simulation test).
    func remove() {
        _ = try? execute("/usr/lib/wine/wineserver", ["-k"], environment: environment)
        try? FileManager.default.removeItem(at: root)
    }

    /// `C:\…` inside this prefix as a Unix path (Wine's C: is drive_c; names are matched as written).
    func unixPath(_ windows: String) -> URL {
        var relative = windows
        if relative.uppercased().hasPrefix("C:") { relative.removeFirst(2) }
        let parts = relative.split(separator: "\\").map(String.init)
        return parts.reduce(root.appending("drive_c")) { $0.appending($1) }
    }

    /// A path under `C:\` for a test's own files.
    func windowsPath(_ relative: String) -> String { "C:\\" + relative }

    func readFile(_ windows: String) throws -> String {
        try String(contentsOf: unixPath(windows)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Polls for a file the detached process writes.
    func waitForFile(_ windows: String, seconds: Double) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let text = try? readFile(windows), !text.isEmpty { return text }
            Thread.sleep(forTimeInterval: 0.25)
        }
        throw SetupError("\(windows) was not written within \(Int(seconds)) s")
    }

    struct Run {
        /// The install command's full 32-bit exit code.
        var exitCode: UInt32?
        var cacheWasDeleted = false
        /// What the host printed, for failure messages.
        var log: String
    }

    /// Runs `command` from `folder` through ime-host.exe (IME's CreateProcess + WaitForSingleObject).
    ///
    /// When ime-host.exe reports nothing at all (neither `exit=` nor `start-failed=`), Wine itself did not
    /// run it: seen once in CI as wine64 exiting 1 in a second with no output, between two simulations.
    /// The command never started then, so the run is repeated (at most twice, after waiting for the
    /// wineserver to settle, 30 s at most); the earlier attempts stay in the log.
    func host(_ folder: String, _ command: String) throws -> Run {
        let host = Tool.repoRoot.appending("Launcher/build/ime-host.exe")
        var earlier: [String] = []
        while true {
            let result = try execute(Self.wine, [host.path, folder] + [command], environment: environment, in: unixPath(folder))
            let lines = result.out.split(whereSeparator: \.isNewline)
            let code = lines.compactMap { line -> UInt32? in line.hasPrefix("exit=") ? UInt32(line.dropFirst(5)) : nil }.last
            let hostReported = code != nil || lines.contains { $0.hasPrefix("start-failed=") }
            if hostReported || earlier.count == 2 {
                let log = (earlier.map { "ime-host did not run (retried): \($0)" } + [result.summary]).joined(separator: "\n")
                return Run(exitCode: code, log: log)
            }
            earlier.append(result.summary)
            _ = try execute("timeout", ["30", "/usr/lib/wine/wineserver", "-w"], environment: environment)
        }
    }

    /// The folder an installed MSI registered as its source (`InstallSource` of its Uninstall key; the
    /// 32-bit registry view, where a 32-bit package registers).
    func installSource(_ productCode: String) throws -> String {
        let key = "HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\\(productCode)"
        let query = try execute(Self.wine, ["reg", "query", key, "/v", "InstallSource", "/reg:32"], environment: environment)
        guard let line = query.out.split(whereSeparator: \.isNewline).first(where: { $0.contains("InstallSource") }),
              let range = line.range(of: "REG_SZ") else {
            throw SetupError("no InstallSource for \(productCode): \(query.summary)")
        }
        return line[range.upperBound...].trimmingCharacters(in: .whitespaces)
    }

    /// IME for one app: check and decrypt `package` with the oracle, unzip it into
    /// `C:\Windows\IMECache\<appID>_1`, let `prepare` change the cache (a test's tampering), run `command`
    /// there, and delete the cache folder as soon as the command's process exits.
    func simulateIME(package: URL, appID: String, command: String, prepare: ((URL) throws -> Void)? = nil) throws -> Run {
        let checked = try execute("python3", [Tool.oracle.path, "check", package.path])
        guard checked.status == 0 else { throw SetupError("the oracle refuses \(package.path): \(checked.summary)") }
        let scratch = root.appending("scratch-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inner = try OracleInner(package: package, scratch: scratch)
        let cacheWindows = "C:\\Windows\\IMECache\\\(appID)_1"
        let cache = unixPath(cacheWindows)
        try? FileManager.default.removeItem(at: cache)
        for (name, bytes) in inner.files {
            try write(bytes, to: cache.appending(name))
        }
        try prepare?(cache)
        var run = try host(cacheWindows, command)
        // The cleaner: IME deletes the cache folder once the process it started has exited.
        try FileManager.default.removeItem(at: cache)
        run.cacheWasDeleted = !FileManager.default.fileExists(atPath: cache.path)
        return run
    }
}
