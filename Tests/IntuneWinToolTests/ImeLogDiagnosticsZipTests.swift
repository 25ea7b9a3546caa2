import Foundation
import XCTest

/// `intunewin-tool ime-log` on the Intune "Collect diagnostics" zip built here (with Python's zipfile) from
/// the real device-2026 logs, in both layouts; on inputs that are not what they should be; and `--redact`
/// / `--write-redacted` end to end. Reports are compared with the folder's (`RealDevice`), made once.
final class ImeLogDiagnosticsZipTests: ToolTestCase {
    /// The app only the registry export knows: no line of the logs names it.
    static let registryOnlyApp = "9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"
    static let deviceUser = "00000000-0000-0000-0000-000000000000"
    /// Entries are numbered by the item's place in results.xml (the number differs from zip to zip).
    static let logsFolder = "(4) FoldersFiles ProgramData_Microsoft_IntuneManagementExtension_Logs"

    /// `results.xml`: the IME key, the Uninstall key, the mdmlogs cab (failed: 0x80070002, as a signed
    /// HRESULT), the IME Logs folder, the Application event log. CRLF, as Windows writes it.
    static let resultsXML = """
        <?xml version="1.0" encoding="utf-8"?>
        <Collection HRESULT="0">
          <ID>0a1b2c3d-0000-4000-8000-000000000000</ID>
          <RegistryKey HRESULT="0">HKLM\\SOFTWARE\\Microsoft\\IntuneManagementExtension</RegistryKey>
          <RegistryKey HRESULT="0">HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall</RegistryKey>
          <FoldersFiles HRESULT="-2147024894">%temp%\\MDMDiagnostics\\mdmlogs-*.cab</FoldersFiles>
          <FoldersFiles HRESULT="0">%ProgramData%\\Microsoft\\IntuneManagementExtension\\Logs\\*.*</FoldersFiles>
          <Events HRESULT="0">Application</Events>
        </Collection>

        """.replacingOccurrences(of: "\n", with: "\r\n")

    /// The IME key: one Win32Apps state, for an app not in the logs, failed with 0x87D1041C.
    static let imeRegistry = """
        Windows Registry Editor Version 5.00

        [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\IntuneManagementExtension]
        "Version"="1.99.101.0"

        [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\IntuneManagementExtension\\Win32Apps\\\(deviceUser)\\\(registryOnlyApp)_1]
        "ExitCode"=dword:00000000

        [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\IntuneManagementExtension\\Win32Apps\\\(deviceUser)\\\(registryOnlyApp)_1\\EnforcementStateMessage]
        "EnforcementStateMessage"="{\\"EnforcementState\\":5000,\\"ErrorCode\\":-2016345060}"


        """.replacingOccurrences(of: "\n", with: "\r\n")

    /// The Uninstall key: Notepad++, whose name starts the name of an app in the logs.
    static let uninstallRegistry = """
        Windows Registry Editor Version 5.00

        [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Notepad++]
        "DisplayName"="Notepad++"
        "DisplayVersion"="8.8.5"
        "Publisher"="Notepad++ Team"


        """.replacingOccurrences(of: "\n", with: "\r\n")

    // MARK: - 2. Diagnostics zips, both layouts

    /// Since 2022: `(N) kind what` entries, lower-case log names, a zero-byte `No Results` entry.
    func testFlattenedDiagnosticsZipReadsAsTheFolder() throws {
        var entries: [(String, Data)] = [
            ("results.xml", Data(Self.resultsXML.utf8)),
            ("(1) RegistryKey HKLM_SOFTWARE_Microsoft_IntuneManagementExtension export.reg", utf16LE(Self.imeRegistry)),
            ("(2) RegistryKey HKLM_SOFTWARE_Microsoft_Windows_CurrentVersion_Uninstall export.reg", utf16LE(Self.uninstallRegistry)),
            ("(3) No Results - Error [0x80070002]", Data()),
            ("(5) Events Application Events.evtx", Data("ElfFile\0".utf8)),
        ]
        for name in RealDevice.logNames {
            entries.append(("\(Self.logsFolder)/\(name.lowercased())", try Data(contentsOf: RealDevice.folder.appending(name))))
        }
        try assertDiagnosticsZip(entries, zipName: "DiagLogs-LAPTOP-042-20260324T163000Z.zip", device: "LAPTOP-042",
                                 collected: "2026-03-24 16:30:00", layout: "flattened")
    }

    /// Before 2022: numbered folders (`1/export.reg`, `4/<logs>`), as `DiagnosticsContainer` reads them
    /// with a results.xml; the failed mdmlogs item has no folder at all.
    func testNumberedFoldersDiagnosticsZipReadsAsTheFolder() throws {
        var entries: [(String, Data)] = [
            ("results.xml", Data(Self.resultsXML.utf8)),
            ("1/export.reg", utf16LE(Self.imeRegistry)),
            ("2/export.reg", utf16LE(Self.uninstallRegistry)),
            ("5/Events.evtx", Data("ElfFile\0".utf8)),
        ]
        for name in RealDevice.logNames { entries.append(("4/\(name)", try Data(contentsOf: RealDevice.folder.appending(name)))) }
        try assertDiagnosticsZip(entries, zipName: "DiagLogs-OLD-PC-7-20210105T100000Z.zip", device: "OLD-PC-7",
                                 collected: "2021-01-05 10:00:00", layout: "numberedFolders")
    }

    /// Builds the zip in a folder of its own, runs `--json` and the text report on it (with TMPDIR an empty
    /// folder), and checks: the logs' apps, check-ins and findings are the folder's; what the collection
    /// adds (device, time, missing mdm evidence, the registry-only failed app, Notepad++ installed); nothing
    /// extracted beside the zip or in TMPDIR.
    private func assertDiagnosticsZip(_ entries: [(String, Data)], zipName: String, device: String, collected: String, layout: String,
                                      file: StaticString = #filePath, line: UInt = #line) throws {
        let folder = path("case")
        let zipFile = folder.appending(zipName)
        try makeZip(zipFile, entries)
        let tmp = path("tmp")
        try makeFolder(tmp)
        let environment = ["TMPDIR": tmp.path]
        let runs = try inParallel([{ try tool(["ime-log", zipFile.path, "--json", "--verbose"], environment: environment) },
                                   { try tool(["ime-log", zipFile.path], environment: environment) }])
        let (jsonRun, textRun) = (runs[0], runs[1])
        assertExit(jsonRun, 1, "findings exit 1", file: file, line: line)
        assertExit(textRun, 1, "findings exit 1", file: file, line: line)
        XCTAssertEqual(listing(folder), [zipName], "the zip was extracted beside itself", file: file, line: line)
        XCTAssertEqual(listing(tmp), [], "the zip was extracted into TMPDIR", file: file, line: line)

        let json = try jsonRun.jsonObject()
        let reference = try RealDevice.report()

        // The collection.
        let diagnostics = try XCTUnwrap(json["diagnostics"] as? [[String: Any]], file: file, line: line)
        XCTAssertEqual(diagnostics.count, 1, file: file, line: line)
        let d = try XCTUnwrap(diagnostics.first)
        XCTAssertEqual(d["deviceName"] as? String, device, file: file, line: line)
        XCTAssertEqual(d["collectedAtUtc"] as? String, collected, file: file, line: line)
        XCTAssertEqual(d["layout"] as? String, layout, file: file, line: line)
        XCTAssertEqual(d["hasResults"] as? Bool, true, file: file, line: line)
        let evidence = try XCTUnwrap(d["evidence"] as? [[String: Any]])
        let mdm = try XCTUnwrap(evidence.first { $0["kind"] as? String == "mdmDiagnostics" }, file: file, line: line)
        XCTAssertEqual(mdm["present"] as? Bool, false, file: file, line: line)
        XCTAssertEqual(mdm["failures"] as? [String], ["0x80070002"], file: file, line: line)
        for kind in ["imeLogs", "imeRegistry", "uninstallRegistry", "eventLogs"] {
            XCTAssertEqual(evidence.first { $0["kind"] as? String == kind }?["present"] as? Bool, true, kind, file: file, line: line)
        }
        XCTAssertEqual(d["problems"] as? [String], [], file: file, line: line)
        let items = try XCTUnwrap(d["items"] as? [[String: Any]], file: file, line: line)
        XCTAssertEqual(items.compactMap { number($0["number"]) }, [1, 2, 3, 4, 5], "the results.xml items", file: file, line: line)
        XCTAssertEqual(items.map { $0["collected"] as? Bool }, [true, true, false, true, true], file: file, line: line)
        XCTAssertEqual(items.map { $0["kind"] as? String }, ["RegistryKey", "RegistryKey", "FoldersFiles", "FoldersFiles", "Events"], file: file, line: line)
        XCTAssertEqual(items[2]["hresult"] as? String, "0x80070002", "-2147024894 as an HRESULT", file: file, line: line)
        XCTAssertEqual(items[2]["noResultsError"] as? String, layout == "flattened" ? "0x80070002" : nil, "the (3) No Results entry", file: file, line: line)
        XCTAssertEqual(number(items[3]["fileCount"]), RealDevice.logNames.count, file: file, line: line)
        XCTAssertEqual(number(d["registryAppCount"]), 1, file: file, line: line)
        XCTAssertEqual(number(d["installedProductCount"]), 1, file: file, line: line)

        // The app only the registry knows: its state, and a finding saying so.
        let apps = try XCTUnwrap(json["apps"] as? [[String: Any]])
        let registryApp = try XCTUnwrap(apps.first { $0["id"] as? String == Self.registryOnlyApp }, "the registry-only app is missing", file: file, line: line)
        let states = try XCTUnwrap((registryApp["registry"] as? [String: Any])?["states"] as? [[String: Any]], file: file, line: line)
        XCTAssertEqual(number(states.first?["enforcementState"]), 5000, file: file, line: line)
        XCTAssertEqual(states.first?["errorCode"] as? String, "0x87D1041C", "-2016345060 as an HRESULT", file: file, line: line)
        XCTAssertEqual(states.first?["userId"] as? String, Self.deviceUser, file: file, line: line)
        XCTAssertEqual((registryApp["checkIns"] as? [Any])?.count, 0, file: file, line: line)
        let findings = try XCTUnwrap(json["findings"] as? [[String: Any]])
        let installFailed = findings.filter { $0["kind"] as? String == "installFailed" && $0["app"] as? String == Self.registryOnlyApp }
        XCTAssertEqual(installFailed.count, 1, "an installFailed finding for the registry-only app", file: file, line: line)
        XCTAssertTrue((installFailed.first?["summary"] as? String)?.contains("5000") == true, "\(installFailed)", file: file, line: line)
        let missing = findings.filter { $0["kind"] as? String == "evidenceMissing" }
        XCTAssertEqual(missing.count, 1, file: file, line: line)
        XCTAssertTrue((missing.first?["summary"] as? String)?.contains("0x80070002") == true, "\(missing)", file: file, line: line)
        XCTAssertTrue((missing.first?["summary"] as? String)?.contains(zipName) == true, "\(missing)", file: file, line: line)
        // Notepad++ is installed, the Uninstall key says.
        let notepad = try XCTUnwrap(apps.first { ($0["name"] as? String)?.hasPrefix("Notepad++ ") == true }, file: file, line: line)
        let installed = (notepad["registry"] as? [String: Any])?["installed"] as? [[String: Any]]
        XCTAssertEqual(installed?.first?["displayVersion"] as? String, "8.8.5", file: file, line: line)

        // The logs' part is the folder's: apps (without the registry-only one and the registry facts),
        // check-ins, findings of the logs, counts. Sources name the zip entry (lower-case in the flattened
        // layout) instead of the file, and file names in texts are lower-case: compared in lower case.
        let source: (String) -> String = { $0.split(separator: "/").last.map { $0.lowercased() } ?? $0 }
        let lower: (String) -> String = { $0.lowercased() }
        func logsPart(_ list: Any?) -> [Any] { (normalized(list ?? [], source: source, text: lower, dropping: ["registry"]) as? [Any]) ?? [] }
        let logApps = apps.filter { $0["id"] as? String != Self.registryOnlyApp }
        try assertSameJSONArray(logsPart(logApps), logsPart(reference["apps"]), "apps", file: file, line: line)
        try assertSameJSONArray(logsPart(json["checkIns"]), logsPart(reference["checkIns"]), "checkIns", file: file, line: line)
        let logFindings = findings.filter { $0["kind"] as? String != "evidenceMissing" && $0["app"] as? String != Self.registryOnlyApp }
        try assertSameJSONArray(logsPart(logFindings), logsPart(reference["findings"]), "findings", file: file, line: line)
        try assertSameJSONArray(logsPart(json["files"]), logsPart(reference["files"]), "files", file: file, line: line)
        for key in ["recordCount", "utcOffsetMinutes", "agentVersions", "coverage"] {
            XCTAssertEqual(try canonical(normalized([json[key] ?? NSNull()], source: source, text: lower)),
                           try canonical(normalized([reference[key] ?? NSNull()], source: source, text: lower)), key, file: file, line: line)
        }

        // The text: the collection's lines, then the folder's report with the collection's additions.
        let text = textRun.out
        XCTAssertTrue(text.contains("diagnostics \(zipName): device \(device), collected \(collected) UTC (\(layout) layout, results.xml)"), text.prefix(800).description, file: file, line: line)
        XCTAssertTrue(text.contains("\n  missing: the MDM diagnostics (0x80070002)\n"), text.prefix(800).description, file: file, line: line)
        XCTAssertTrue(text.contains("FINDING installFailed: \(Self.registryOnlyApp): IME's registry records enforcement state 5000 (error) with 0x87D1041C"), file: file, line: line)
        XCTAssertTrue(text.contains("FINDING evidenceMissing: \(zipName) lacks the MDM diagnostics (0x80070002)"), file: file, line: line)
        let (folderText, _) = try RealDevice.textAndPage.get()
        let zipBlocks = comparableBlocks(text, dropping: Self.registryOnlyApp)
        let folderBlocks = comparableBlocks(folderText.out, dropping: Self.registryOnlyApp)
        // Header, table, one section per app, one block per finding, coverage: nothing compared away.
        XCTAssertEqual(folderBlocks.count, 3 + logApps.count + logFindings.count, "blocks of the folder's text report", file: file, line: line)
        XCTAssertEqual(zipBlocks.count, folderBlocks.count, "blocks of the text report", file: file, line: line)
        for (i, (a, b)) in zip(zipBlocks, folderBlocks).enumerated() where a != b {
            XCTFail("text block \(i) differs from the folder's:\n\(a.joined(separator: "\n").prefix(1500))\n---\n\(b.joined(separator: "\n").prefix(1500))", file: file, line: line)
            break
        }
    }

    /// The text report cut at blank lines, in lower case with runs of spaces as one, without what a
    /// diagnostics collection adds: the first line's counts, the `diagnostics …` block, the row, section and
    /// findings of `registryApp`, evidenceMissing findings, and `installed:` / `registry` lines of an app.
    private func comparableBlocks(_ text: String, dropping registryApp: String) -> [[String]] {
        var blocks: [[String]] = [[]]
        for line in text.components(separatedBy: "\n") {
            if line.isEmpty { if !blocks[blocks.count - 1].isEmpty { blocks.append([]) } } else { blocks[blocks.count - 1].append(line) }
        }
        var out: [[String]] = []
        for (i, block) in blocks.enumerated() where !block.isEmpty {
            var lines = block
            if i == 0 {
                lines.removeFirst()
                lines.removeAll { $0.hasPrefix("diagnostics ") || $0.hasPrefix("  ") }
            }
            if lines.first?.hasPrefix("app \(registryApp)") == true { continue }
            if let first = lines.first, first.hasPrefix("FINDING evidenceMissing:") || (first.hasPrefix("FINDING ") && first.contains(registryApp)) { continue }
            lines.removeAll { $0.contains(registryApp) }
            lines.removeAll { let t = $0.trimmingCharacters(in: .whitespaces); return t.hasPrefix("installed: ") || t.hasPrefix("registry") }
            out.append(lines.map { $0.lowercased().split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") })
        }
        return out
    }

    // MARK: - 3. Inputs that are not what they should be

    func testZipThatIsNotADiagnosticsZip() throws {
        let zip = path("random.zip")
        try makeZip(zip, [("notes/readme.txt", Data("meeting notes\n".utf8)), ("data.bin", pseudoRandomBytes(4096)), ("photo.jpg", pseudoRandomBytes(2048, seed: 7))])
        let result = try tool("ime-log", zip.path)
        assertExit(result, 5, "nothing found")
        assertOneLineError(result, naming: "random.zip")
        XCTAssertTrue(result.err.contains("neither a diagnostics zip"), result.summary)
        XCTAssertEqual(result.out, "")
    }

    func testTruncatedZip() throws {
        let whole = path("whole.zip")
        try makeZip(whole, [("Logs/AppWorkload.log", try Data(contentsOf: RealDevice.folder.appending("AppWorkload.log")))])
        let bytes = whole.bytes
        let truncated = path("DiagLogs-CUT-20260324T160000Z.zip")
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        let result = try tool("ime-log", truncated.path, "--json")
        assertExit(result, 3, "a damaged zip cannot be read")
        assertOneLineError(result, naming: truncated.lastPathComponent)
        XCTAssertEqual(result.out, "")
    }

    /// 200 MiB of zeros deflated to ~200 KB (over 1000:1), and an entry whose headers declare ~4 GiB: each
    /// refused before anything is inflated, with one line, in well under the time inflating would take.
    func testZipBombsAreRefusedFast() throws {
        let logName = "\(Self.logsFolder)/appworkload.log"
        let bomb = path("DiagLogs-BOMB-20260324T160000Z.zip")
        let built = try python("""
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
                with z.open(sys.argv[2], "w") as f:
                    for _ in range(200):
                        f.write(bytes(1 << 20))
            """, [bomb.path, logName])
        assertExit(built, 0, "python zip")
        XCTAssertLessThan(bomb.bytes.count, 1 << 20)
        // A small entry whose local and central headers are patched to declare 0xFFFFFFF0 bytes.
        let liar = path("DiagLogs-LIAR-20260324T160000Z.zip")
        let patched = try python("""
            import struct, sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr(sys.argv[2], b"x" * 1000)
            data = bytearray(open(sys.argv[1], "rb").read())
            local = data.find(b"PK\\x03\\x04"); central = data.find(b"PK\\x01\\x02")
            struct.pack_into("<I", data, local + 22, 0xFFFFFFF0)
            struct.pack_into("<I", data, central + 24, 0xFFFFFFF0)
            open(sys.argv[1], "wb").write(data)
            """, [liar.path, logName])
        assertExit(patched, 0, "python zip")
        for archive in [bomb, liar] {
            let start = Date()
            let result = try tool("ime-log", archive.path)
            let elapsed = Date().timeIntervalSince(start)
            assertExit(result, 3, "refused: \(archive.lastPathComponent)")
            assertOneLineError(result, naming: archive.lastPathComponent)
            XCTAssertTrue(result.err.contains("zip bomb"), result.summary)
            if archive == bomb { XCTAssertTrue(result.err.contains("appworkload.log"), "names the entry: \(result.summary)") }
            XCTAssertLessThan(elapsed, 5, "\(archive.lastPathComponent) took \(elapsed) s")
            XCTAssertEqual(result.out, "")
        }
        XCTAssertEqual(listing(scratch).filter { !$0.hasSuffix(".zip") }, [], "nothing extracted")
    }

    func testBinaryFileHasNoIMERecords() throws {
        let blob = path("blob.bin")
        try pseudoRandomBytes(64 << 10, seed: 42).write(to: blob)
        let result = try tool("ime-log", blob.path)
        assertExit(result, 5, "nothing found")
        assertOneLineError(result, naming: "blob.bin")
        XCTAssertTrue(result.err.contains("no IME log records"), result.summary)
        XCTAssertEqual(result.out, "")
    }

    /// `cat AppWorkload.log | ime-log -` and a UTF-16LE copy (with BOM, converted here) give the apps of
    /// the file itself.
    func testStandardInputAndUTF16GiveTheFilesApps() throws {
        let log = RealDevice.folder.appending("AppWorkload.log")
        let bytes = try Data(contentsOf: log)
        let file = try tool("ime-log", log.path, "--json")
        assertExit(file, 1)
        let piped = try execute(Tool.binary.path, ["ime-log", "-", "--json"], input: bytes)
        assertExit(piped, 1)
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        XCTAssertEqual(Data(text.utf8).count + 3, bytes.count, "the log is valid UTF-8 with a BOM")
        let utf16 = path("AppWorkload.log")
        try utf16LE(text).write(to: utf16)
        let wide = try tool("ime-log", utf16.path, "--json")
        assertExit(wide, 1)

        let reference = try file.jsonObject()
        let apps = try XCTUnwrap(reference["apps"] as? [[String: Any]])
        XCTAssertGreaterThan(apps.count, 50)
        let anySource: (String) -> String = { _ in "AppWorkload.log" }
        for (name, run) in [("standard input", piped), ("UTF-16LE", wide)] {
            let json = try run.jsonObject()
            XCTAssertEqual(number(json["recordCount"]), number(reference["recordCount"]), name)
            try assertSameJSONArray(normalized(json["apps"] ?? [], source: anySource) as? [Any] ?? [], normalized(apps, source: anySource) as? [Any] ?? [], "\(name) apps")
            try assertSameJSONArray(normalized(json["findings"] ?? [], source: anySource) as? [Any] ?? [], normalized(reference["findings"] ?? [], source: anySource) as? [Any] ?? [], "\(name) findings")
        }
        XCTAssertEqual((try piped.jsonObject()["files"] as? [[String: Any]])?.first?["source"] as? String, "-")
    }

    // MARK: - 4. --redact and --write-redacted

    static let appID = "7a3c1e52-9b1d-4f6e-8c2a-5d4b3e2f1a09"
    static let userGUID = "3f2e1d0c-4b5a-4c6d-9e8f-a1b2c3d4e5f6"
    static let upn = "jane.doe@contoso.com"
    static let account = "JaneDoe"
    static let sid = "S-1-12-1-111-222-333-444"
    static let computer = "LAPTOP-JANE"
    static let redactedZipName = "DiagLogs-LAPTOP-JANE-20260324T160000Z.zip"
    /// What must not be printed under --redact.
    static var secrets: [String] { [userGUID, upn, account, sid, computer, "contoso.com"] }

    /// An unredacted AppWorkload.log: a failed install of one app, and lines IME's reader does not know
    /// (so `--verbose` quotes them) carrying a user's GUID, UPN, account, SID and the computer name.
    static func unredactedLog() -> String {
        let messages = [
            "[Win32App] ----------------------------------------------------- application poller starts. -----------------------------------------------------",
            "[Win32App] zzalpha check-in for user \(userGUID)",
            #"Get policies = [{"Id":"\#(appID)","Name":"Contoso Widget","Version":1,"Intent":3,"InstallCommandLine":"setup.exe /S","UninstallCommandLine":"uninstall.exe"}]"#,
            "---->>[Win32App] Processing app (id=\(appID), name = Contoso Widget) with mode = DetectInstall",
            "[Win32App] zzbravo signed in as \(upn)",
            "[Win32App] zzcharlie account AzureAD\\\(account)",
            "[Win32App] zzdelta sid \(sid)",
            "[Win32App] zzecho computer \(computer) ready",
            "[Win32App] ===Step=== Detection rules",
            "[Win32App] Completed detectionManager SideCarScriptDetectionManager, applicationDetectedByCurrentRule: False",
            "[Win32App] Launch Win32AppInstaller in machine session",
            "[Win32App] lpExitCode 1",
            "[Win32App] Admin did NOT set mapping for lpExitCode: 1 of app: \(appID)",
            "[Win32App] zzfoxtrot again for user \(userGUID) AzureAD\\\(account) \(sid) \(upn)",
            "[Win32App] ----------------------------------------------------- application poller stopped. -----------------------------------------------------",
        ]
        return messages.enumerated().map { i, m in
            #"<![LOG[\#(m)]LOG]!><time="10:00:\#(String(format: "%02d", i)).1234567" date="3-24-2026" component="AppWorkload" context="" type="1" thread="8" file="">"#
        }.joined(separator: "\r\n") + "\r\n"
    }

    /// The redacted message of the `zz<probe>` line in `lines` (text report or JSON example texts).
    private func probe(_ word: String, in lines: [String]) -> String? {
        lines.compactMap { line in line.range(of: "[Win32App] \(word) ").map { String(line[$0.lowerBound...]) } }.first
    }

    /// The synthetic log in a diagnostics zip named after the device: unredacted, every secret is printed
    /// (so the test can see them go); with --redact, none is in the text, the JSON or the HTML page, the app
    /// id is in all three, each secret has one placeholder of its kind, the same in text and JSON.
    func testRedactReplacesUserTenantAndDeviceIdentifiersEverywhere() throws {
        let zip = path(Self.redactedZipName)
        try makeZip(zip, [("\(Self.logsFolder)/appworkload.log", Data(Self.unredactedLog().utf8))])
        let plain = try tool("ime-log", zip.path, "--verbose")
        assertExit(plain, 1)
        for secret in Self.secrets { XCTAssertTrue(plain.out.contains(secret), "the unredacted report does not print \(secret): the test would prove nothing") }

        let page = path("report.html")
        let runs = try inParallel([["--verbose"], ["--verbose", "--json"], ["--verbose", "--html", page.path]].map { extra in
            { try tool(["ime-log", zip.path, "--redact"] + extra) }
        })
        let (text, json, html) = (runs[0], runs[1], runs[2])
        for run in [text, json, html] { assertExit(run, 1) }
        XCTAssertEqual(html.out, text.out, "stdout with --html is the text report")
        let pageText = String(decoding: page.bytes, as: UTF8.self)
        let outputs = [("text", text.out + text.err), ("JSON", json.out + json.err), ("HTML stdout", html.out)]
        for (name, output) in outputs {
            for secret in Self.secrets { XCTAssertFalse(output.lowercased().contains(secret.lowercased()), "\(name) prints \(secret)") }
            XCTAssertTrue(output.contains(Self.appID), "\(name) lost the app id")
        }
        // The page, without its title and subtitle (the paths given: tested on their own below).
        XCTAssertTrue(pageText.contains(Self.appID), "the page lost the app id")
        var body = pageText
        for (open, close) in [("<title>", "</title>"), ("<p class=\"subtitle\">", "</p>")] {
            while let a = body.range(of: open), let b = body.range(of: close, range: a.upperBound..<body.endIndex) { body.removeSubrange(a.lowerBound..<b.upperBound) }
        }
        for secret in Self.secrets { XCTAssertFalse(body.lowercased().contains(secret.lowercased()), "the page shows \(secret) outside its title") }

        // One placeholder per secret, of the right shape, the same in text and JSON (and in the page).
        let object = try json.jsonObject()
        let examples = try XCTUnwrap((object["coverage"] as? [String: Any])?["examples"] as? [[String: Any]]).compactMap { $0["text"] as? String }
        let textLines = text.out.components(separatedBy: "\n")
        for word in ["zzalpha", "zzbravo", "zzcharlie", "zzdelta", "zzecho", "zzfoxtrot"] {
            let fromText = try XCTUnwrap(probe(word, in: textLines), "\(word) not quoted in the text")
            XCTAssertEqual(probe(word, in: examples), fromText, "\(word): text and JSON redact differently")
            XCTAssertTrue(body.contains(fromText), "\(word) not in the page as \(fromText)")
        }
        func placeholder(_ word: String, after prefix: String) throws -> String {
            let line = try XCTUnwrap(probe(word, in: textLines))
            let rest = try XCTUnwrap(line.range(of: prefix).map { line[$0.upperBound...] }, line)
            return String(rest.prefix { $0 != " " })
        }
        let user = try placeholder("zzalpha", after: "for user ")
        let mail = try placeholder("zzbravo", after: "signed in as ")
        let azure = try placeholder("zzcharlie", after: "account ")
        let sid = try placeholder("zzdelta", after: "sid ")
        let device = try placeholder("zzecho", after: "computer ")
        XCTAssertNotNil(user.range(of: #"^00000000-0000-4000-8000-\d{12}$"#, options: .regularExpression), user)
        XCTAssertNotNil(mail.range(of: #"^user\d+@example\.invalid$"#, options: .regularExpression), mail)
        XCTAssertNotNil(azure.range(of: #"^AzureAD\\user\d+$"#, options: .regularExpression), azure)
        XCTAssertNotNil(sid.range(of: #"^S-1-12-1-0-0-0-\d+$"#, options: .regularExpression), sid)
        XCTAssertNotNil(device.range(of: #"^DEVICE\d+$"#, options: .regularExpression), device)
        // The same originals again, later in the log: the same placeholders.
        XCTAssertEqual(probe("zzfoxtrot", in: textLines), "[Win32App] zzfoxtrot again for user \(user) \(azure) \(sid) \(mail)")
        // The device: the zip's name, the collection and the log line share one placeholder.
        let d = try XCTUnwrap((object["diagnostics"] as? [[String: Any]])?.first)
        XCTAssertEqual(d["deviceName"] as? String, device)
        XCTAssertEqual((d["path"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent }, "DiagLogs-\(device)-20260324T160000Z.zip")
        XCTAssertTrue(text.out.contains("diagnostics DiagLogs-\(device)-20260324T160000Z.zip: device \(device),"), text.out)
    }

    /// `--redact --html`: the page's title and subtitle are the paths given, and a diagnostics zip's path
    /// holds the device name: they must be redacted like the rest of the page.
    func testRedactedHTMLTitleDoesNotNameTheDevice() throws {
        let zip = path(Self.redactedZipName)
        try makeZip(zip, [("\(Self.logsFolder)/appworkload.log", Data(Self.unredactedLog().utf8))])
        let page = path("report.html")
        let result = try tool("ime-log", zip.path, "--redact", "--html", page.path)
        assertExit(result, 1)
        let html = String(decoding: page.bytes, as: UTF8.self)
        let title = try XCTUnwrap(html.range(of: "<title>").flatMap { open in html.range(of: "</title>", range: open.upperBound..<html.endIndex).map { String(html[open.upperBound..<$0.lowerBound]) } })
        XCTAssertFalse(title.contains(Self.computer), "--redact: the page's <title> names the device: \(title)")
        XCTAssertFalse(html.contains(Self.computer), "--redact: the page names the device \(Self.computer) (title / subtitle: the unredacted input path)")
    }

    /// An installed product the Uninstall export lists is shown in its app's section, indented like the
    /// section's other lines (`  install:`, `  registry …`), and in the JSON.
    func testInstalledProductLineIsIndentedInItsAppsSection() throws {
        let zip = path("DiagLogs-PC-1-20260324T160000Z.zip")
        let uninstall = Self.uninstallRegistry.replacingOccurrences(of: "Notepad++ Team", with: "Contoso")
            .replacingOccurrences(of: "\"Notepad++\"", with: "\"Contoso Widget\"").replacingOccurrences(of: "Uninstall\\Notepad++]", with: "Uninstall\\ContosoWidget]")
        try makeZip(zip, [("(2) RegistryKey HKLM_SOFTWARE_Microsoft_Windows_CurrentVersion_Uninstall export.reg", utf16LE(uninstall)),
                          ("\(Self.logsFolder)/appworkload.log", Data(Self.unredactedLog().utf8))])
        let runs = try inParallel([{ try tool("ime-log", zip.path) }, { try tool("ime-log", zip.path, "--json") }])
        assertExit(runs[0], 1)
        let app = try XCTUnwrap((try runs[1].jsonObject()["apps"] as? [[String: Any]])?.first { $0["id"] as? String == Self.appID })
        XCTAssertEqual(((app["registry"] as? [String: Any])?["installed"] as? [[String: Any]])?.first?["key"] as? String, "ContosoWidget", "\(app)")
        let lines = runs[0].out.components(separatedBy: "\n")
        let section = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("app \(Self.appID)") }, runs[0].out)
        let body = lines[(section + 1)...].prefix { !$0.isEmpty }
        XCTAssertTrue(body.contains { $0.hasPrefix("  install: ") }, body.joined(separator: "\n"))
        let installed = try XCTUnwrap(body.first { $0.contains("installed: Contoso Widget 8.8.5 (Uninstall\\ContosoWidget)") }, body.joined(separator: "\n"))
        XCTAssertTrue(installed.hasPrefix("  installed: "), "the installed line is not indented under its app: \"\(installed)\"")
    }

    /// On the already redacted device-2026 logs --redact changes nothing (placeholders and app ids stay):
    /// the text and the page are those of the plain run (one run: --redact costs twice a plain one).
    func testRedactOnTheRedactedDeviceChangesNothing() throws {
        let page = path("redacted.html")
        let text = try tool("ime-log", RealDevice.folder.path, "--redact", "--html", page.path)
        assertExit(text, 1)
        let (folderText, folderPage) = try RealDevice.textAndPage.get()
        XCTAssertEqual(text.out, folderText.out, "--redact text on redacted logs")
        XCTAssertTrue(page.bytes == folderPage, "--redact --html on redacted logs gives another page")
        // Every GUID printed is an app id of the report, a placeholder, a product code the logs carry, or nil.
        let ids = Set(try XCTUnwrap(try RealDevice.report()["apps"] as? [[String: Any]]).compactMap { $0["id"] as? String })
        let guid = try NSRegularExpression(pattern: RealDevice.guid)
        let out = text.out as NSString
        var others = Set<String>()
        for m in guid.matches(in: text.out, range: NSRange(location: 0, length: out.length)) {
            let g = out.substring(with: m.range).lowercased()
            if ids.contains(g) || g.hasPrefix("00000000-0000-4000-8000-") || g == "00000000-0000-0000-0000-000000000000" { continue }
            others.insert(g)
        }
        for g in others {
            let context = try RealDevice.logNames.flatMap { try RealDevice.lines($0) }.first { $0.lowercased().contains(g) } ?? ""
            XCTAssertTrue(context.contains("{\(g.uppercased())}") || context.lowercased().contains("{\(g)}") || context.lowercased().contains("product"),
                          "a GUID that is neither an app id, a placeholder nor a product code: \(g) in \(context.prefix(300))")
        }
    }

    /// --write-redacted writes redacted copies of log files (refusing to overwrite them without --force,
    /// exit 4); on the already redacted AppWorkload.log the copy is the file byte for byte. A zip input is a
    /// usage error (exit 2), one line, and nothing is written.
    func testWriteRedactedCopies() throws {
        let logs = path("logs")
        try write(Self.unredactedLog(), to: logs.appending("AppWorkload.log"))
        let out = path("redacted")
        let first = try tool("ime-log", logs.path, "--write-redacted", out.path)
        assertExit(first, 1)
        XCTAssertEqual(listing(out), ["AppWorkload.log"])
        let copy = String(decoding: out.appending("AppWorkload.log").bytes, as: UTF8.self)
        for secret in [Self.userGUID, Self.upn, Self.account, Self.sid] { XCTAssertFalse(copy.contains(secret), "the copy holds \(secret)") }
        XCTAssertTrue(copy.contains(Self.appID), "the copy lost the app id")
        XCTAssertEqual(copy.components(separatedBy: "\r\n").count, Self.unredactedLog().components(separatedBy: "\r\n").count, "lines kept")
        XCTAssertTrue(first.out.contains(Self.appID) && !first.out.contains(Self.upn), "--write-redacted prints the redacted report")

        let again = try tool("ime-log", logs.path, "--write-redacted", out.path)
        assertExit(again, 4, "an existing copy is not overwritten")
        assertOneLineError(again, naming: "AppWorkload.log")
        XCTAssertTrue(again.err.contains("--force"), again.summary)
        let forced = try tool("ime-log", logs.path, "--write-redacted", out.path, "--force")
        assertExit(forced, 1)
        XCTAssertEqual(String(decoding: out.appending("AppWorkload.log").bytes, as: UTF8.self), copy, "deterministic copies")

        // The real device's live AppWorkload.log is already redacted: its copy is the same bytes.
        let device = path("device")
        assertExit(try tool("ime-log", RealDevice.folder.appending("AppWorkload.log").path, "--write-redacted", device.path), 1)
        XCTAssertTrue(device.appending("AppWorkload.log").bytes == (try Data(contentsOf: RealDevice.folder.appending("AppWorkload.log"))),
                      "redacting the redacted fixture changed it")

        let zip = path(Self.redactedZipName)
        try makeZip(zip, [("\(Self.logsFolder)/appworkload.log", Data(Self.unredactedLog().utf8))])
        let fromZip = path("from-zip")
        let refused = try tool("ime-log", zip.path, "--write-redacted", fromZip.path)
        assertExit(refused, 2, "--write-redacted on a zip")
        assertOneLineError(refused, naming: "--write-redacted")
        XCTAssertFalse(fromZip.exists, "a folder was made for a refused --write-redacted")
        XCTAssertEqual(refused.out, "", "no report for a usage error")
    }

    // MARK: - Helpers

    /// A zip of `entries` (name, bytes; deflated; zero-byte entries kept) written by Python's zipfile.
    private func makeZip(_ zip: URL, _ entries: [(String, Data)]) throws {
        let work = path("zip-work-\(UUID().uuidString)")
        try makeFolder(work)
        defer { try? FileManager.default.removeItem(at: work) }
        var manifest: [[String]] = []
        for (i, entry) in entries.enumerated() {
            let file = work.appending("entry-\(i)")
            try entry.1.write(to: file)
            manifest.append([entry.0, file.path])
        }
        let list = work.appending("manifest.json")
        try JSONSerialization.data(withJSONObject: manifest).write(to: list)
        try makeFolder(zip.deletingLastPathComponent())
        let result = try python("""
            import json, sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                for name, src in json.load(open(sys.argv[2])):
                    z.writestr(zipfile.ZipInfo(name, (2026, 3, 24, 16, 30, 0)), open(src, "rb").read(), compress_type=zipfile.ZIP_DEFLATED)
            """, [zip.path, list.path])
        guard result.status == 0 else { throw SetupError("python zip failed: \(result.summary)") }
    }

    /// Text as UTF-16LE with a BOM (how Windows writes `.reg` exports).
    private func utf16LE(_ text: String) -> Data {
        Data([0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
    }
}
