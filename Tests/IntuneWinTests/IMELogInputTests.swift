import Foundation
import XCTest
@testable import IntuneWin

/// `IMELogInput.resolve`: diagnostics zips read in place (both layouts), extracted folders at depth,
/// Logs folders, standard input, and the refusals (missing path, not a diagnostics zip, bombs).
final class IMELogInputTests: XCTestCase {
    typealias Entry = DiagnosticsZipBuilder.Entry
    static let logsFolder = "(67) FoldersFiles ProgramData_Microsoft_IntuneManagementExtension_Logs"
    /// Fixture logs standing in for the device's (lower-case names, as diagnostics zips hold them).
    static let logs: [(String, String)] = [
        ("intunemanagementextension.log", "ime2021_agent-start.log"),
        ("appworkload.log", "ime2023_v3processor_actionprocessor_statusservice.log"),
        ("appworkload-20260324-092249.log", "ime2021_available-app_install-failed-exit1-unmapped.log"),
        ("agentexecutor.log", "agentexecutor_two-writer-eras_autopilotmonitor-fixture.log"),
    ]
    /// The order they must be read in: stems in order, a rotated generation before its live file.
    static let order = ["intunemanagementextension.log", "appworkload-20260324-092249.log", "appworkload.log", "agentexecutor.log"]

    static let items: [(String, String, String)] = [
        ("RegistryKey", "HKLM\\SOFTWARE\\Microsoft\\IntuneManagementExtension", "0"),
        ("RegistryKey", "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall", "0"),
        ("Command", "%windir%\\system32\\ipconfig.exe /all", "0"),
        ("FoldersFiles", "%temp%\\MDMDiagnostics\\mdmlogs-*.cab", "-2147024894"),
        ("Events", "Application", "0"),
        ("FoldersFiles", "%ProgramData%\\Microsoft\\IntuneManagementExtension\\Logs\\*.*", "0"),
    ]

    /// A 2022+ (flattened) diagnostics zip.
    private func flattenedZip(_ folder: String, name: String = "DiagLogs-PC-042-20260324T092249Z.zip") throws -> String {
        var entries = [Entry(name: "results.xml", bytes: DiagnosticsZipBuilder.results(Self.items)),
                       Entry(name: "(1) RegistryKey HKLM_SOFTWARE_Microsoft_IntuneManagementExtension export.reg",
                             bytes: DiagnosticsZipBuilder.utf16LE(DiagnosticsZipBuilder.imeRegistry)),
                       Entry(name: "(2) RegistryKey HKLM_SOFTWARE_Microsoft_Windows_CurrentVersion_Uninstall export.reg",
                             bytes: DiagnosticsZipBuilder.utf16LE(DiagnosticsZipBuilder.uninstallRegistry)),
                       Entry(name: "(3) Command windir_system32_ipconfig_exe all output.log", bytes: Array("Windows IP Configuration\r\n".utf8)),
                       Entry(name: "(4) No Results - Error [0x80070002]", bytes: []),
                       Entry(name: "(5) Events Application Events.evtx", bytes: Array("ElfFile\0".utf8), stored: true)]
        for (name, fixture) in Self.logs {
            entries.append(Entry(name: Self.logsFolder + "/" + name, bytes: try DiagnosticsZipBuilder.fixture(fixture)))
        }
        entries.append(Entry(name: Self.logsFolder + "/notes.txt", bytes: Array("not a log".utf8)))
        let path = folder + "/" + name
        try DiagnosticsZipBuilder.makeZip(path, entries, work: try makeTemporaryFolder("work"))
        return path
    }

    /// Every record of `sources`, through the batch reader.
    private func read(_ sources: [IMELogSource]) throws -> [CMTraceRecord] {
        var all: [CMTraceRecord] = []
        try CMTraceBatchReader.forEach(sources: sources) { all += $0 }
        return all
    }

    private func fixtureRecords(_ names: [String]) throws -> [CMTraceRecord] {
        try names.flatMap { name in try CMTraceReader.records(path: TestSupport.imeLogs + "/" + Self.logs.first { $0.0 == name }!.1) }
    }

    func testFlattenedDiagnosticsZipReadInPlace() throws {
        let folder = try makeTemporaryFolder()
        let zip = try flattenedZip(folder)
        let input = try IMELogInput.resolve([zip])
        XCTAssertEqual(input.logs.map(\.name), Self.order.map { "DiagLogs-PC-042-20260324T092249Z.zip:\(Self.logsFolder)/\($0)" })
        // Read in place: nothing was written beside the zip.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["DiagLogs-PC-042-20260324T092249Z.zip"])
        let records = try read(input.logs)
        let expected = try fixtureRecords(Self.order)
        XCTAssertEqual(records.map(\.message), expected.map(\.message))
        XCTAssertEqual(records.map(\.time), expected.map(\.time))
        XCTAssertEqual(Set(records.map(\.source)), Set(input.logs.map(\.name)))

        let diagnostics = try XCTUnwrap(input.diagnostics.first)
        XCTAssertEqual(input.diagnostics.count, 1)
        XCTAssertEqual(diagnostics.deviceName, "PC-042")
        XCTAssertEqual(diagnostics.collectedAt, Date(timeIntervalSince1970: 1_774_344_169))  // 2026-03-24T09:22:49Z
        XCTAssertEqual(diagnostics.layout, .flattened)
        XCTAssertTrue(diagnostics.hasResults)
        XCTAssertEqual(diagnostics.collectionHRESULT, 0)
        XCTAssertEqual(diagnostics.items.map(\.number), [1, 2, 3, 4, 5, 6, 67])
        XCTAssertEqual(diagnostics.items[3].failure, 0x80070002)
        XCTAssertEqual(diagnostics.items[3].noResultsError, 0x80070002)
        XCTAssertFalse(diagnostics.items[3].collected)
        func present(_ kind: DiagnosticsEvidenceKind) -> Bool? { diagnostics.evidence(kind)?.present }
        XCTAssertEqual(present(.imeLogs), true)
        XCTAssertEqual(present(.imeRegistry), true)
        XCTAssertEqual(present(.uninstallRegistry), true)
        XCTAssertEqual(present(.eventLogs), true)
        XCTAssertEqual(present(.mdmDiagnostics), false)
        XCTAssertEqual(diagnostics.evidence(.mdmDiagnostics)?.failures, [0x80070002])
        XCTAssertEqual(diagnostics.logFolders, [Self.logsFolder])
        XCTAssertEqual(diagnostics.problems, [])
        XCTAssertEqual(input.registry.apps.first?.enforcementState, 5000)
        XCTAssertEqual(input.registry.grs.count, 1)
        XCTAssertEqual(input.registry.installed.map(\.displayName), ["7-Zip 24.09 (x64)", "Citrix Workspace"])
        XCTAssertEqual(DiagnosticsCollection.hex(0x80070002), "0x80070002")
    }

    /// Before 2022: numbered folders, `output.log` command output that is not read as a log.
    func testNumberedFolderLayout() throws {
        let folder = try makeTemporaryFolder()
        let zip = folder + "/DiagLogs-OLD-20210105T100000Z.zip"
        try DiagnosticsZipBuilder.makeZip(zip, [
            Entry(name: "results.xml", bytes: DiagnosticsZipBuilder.results([Self.items[0], Self.items[2], Self.items[5]])),
            Entry(name: "1/export.reg", bytes: DiagnosticsZipBuilder.utf16LE(DiagnosticsZipBuilder.imeRegistry)),
            Entry(name: "2/output.log", bytes: Array("Windows IP Configuration\r\n".utf8)),
            Entry(name: "3/IntuneManagementExtension.log", bytes: try DiagnosticsZipBuilder.fixture("ime2021_agent-start.log")),
            Entry(name: "3/AppWorkload.log", bytes: try DiagnosticsZipBuilder.fixture("ime2023_v3processor_actionprocessor_statusservice.log")),
        ], work: try makeTemporaryFolder("work"))
        let input = try IMELogInput.resolve([zip])
        XCTAssertEqual(input.logs.map(\.name), ["DiagLogs-OLD-20210105T100000Z.zip:3/IntuneManagementExtension.log",
                                                "DiagLogs-OLD-20210105T100000Z.zip:3/AppWorkload.log"])
        let d = try XCTUnwrap(input.diagnostics.first)
        XCTAssertEqual(d.layout, .numberedFolders)
        XCTAssertEqual(d.items.map(\.kind), ["RegistryKey", "Command", "FoldersFiles"])
        XCTAssertEqual(d.items.map(\.collected), [true, true, true])
        XCTAssertEqual(d.evidence(.imeRegistry)?.present, true)
        XCTAssertEqual(d.evidence(.uninstallRegistry)?.present, false)
        XCTAssertEqual(d.evidence(.uninstallRegistry)?.items, [])
        XCTAssertEqual(d.registry.apps.first?.exitCode, 1603)
        XCTAssertEqual(try read(input.logs).count, try CMTraceReader.records(path: TestSupport.imeLogs + "/ime2021_agent-start.log").count
            + CMTraceReader.records(path: TestSupport.imeLogs + "/ime2023_v3processor_actionprocessor_statusservice.log").count)
    }

    /// An extracted diagnostics zip three levels down, with a link loop beside it.
    func testExtractedFolderAtDepth() throws {
        let top = try makeTemporaryFolder()
        let root = top + "/cases/4711/DiagLogs-PC-042-20260324T092249Z"
        let logs = root + "/" + Self.logsFolder
        for (name, fixture) in Self.logs { try TestSupport.writeFile(logs + "/" + name, try DiagnosticsZipBuilder.fixture(fixture)) }
        try TestSupport.writeFile(root + "/results.xml", DiagnosticsZipBuilder.results(Self.items))
        try TestSupport.writeFile(root + "/(3) Command windir_system32_ipconfig_exe all output.log", Array("ipconfig\r\n".utf8))
        try TestSupport.writeFile(root + "/(1) RegistryKey HKLM_SOFTWARE_Microsoft_IntuneManagementExtension export.reg",
                                  DiagnosticsZipBuilder.utf16LE(DiagnosticsZipBuilder.imeRegistry))
        try FileManager.default.createSymbolicLink(atPath: top + "/cases/loop", withDestinationPath: top)
        let input = try IMELogInput.resolve([top])
        XCTAssertEqual(input.logs.map(\.name), Self.order.map { logs + "/" + $0 })
        let d = try XCTUnwrap(input.diagnostics.first)
        XCTAssertEqual(d.evidence(.imeLogs)?.present, true)
        XCTAssertEqual(d.evidence(.imeRegistry)?.present, true)
        XCTAssertEqual(d.evidence(.uninstallRegistry)?.present, false, "the Uninstall export is not in this folder")
        XCTAssertEqual(d.registry.apps.count, 1)
        XCTAssertNil(d.deviceName, "a folder has no zip name")
        // The Logs folder itself still reads as before, and a rotated generation orders the same way.
        XCTAssertEqual(try IMELogInput.resolve([logs]).logs.map(\.name), Self.order.map { logs + "/" + $0 })
        XCTAssertEqual(try IMELogInput.resolve([logs]).diagnostics, [])
    }

    func testAnyZipHoldingIMELogs() throws {
        let folder = try makeTemporaryFolder()
        let zip = folder + "/collected.zip"
        try DiagnosticsZipBuilder.makeZip(zip, [
            Entry(name: "Logs/AppWorkload.log", bytes: try DiagnosticsZipBuilder.fixture("ime2021_agent-start.log"), stored: true),
            Entry(name: "Logs/other.txt", bytes: [1, 2, 3]),
        ], work: try makeTemporaryFolder("work"))
        let input = try IMELogInput.resolve([zip])
        XCTAssertEqual(input.logs.map(\.name), ["collected.zip:Logs/AppWorkload.log"])
        XCTAssertEqual(input.diagnostics, [])
        XCTAssertEqual(try read(input.logs).map(\.message), try CMTraceReader.records(path: TestSupport.imeLogs + "/ime2021_agent-start.log").map(\.message))
    }

    func testStandardInput() throws {
        let path = TestSupport.imeLogs + "/ime2021_agent-start.log"
        let saved = dup(0)
        let fd = open(path, O_RDONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        dup2(fd, 0)
        close(fd)
        defer { dup2(saved, 0); close(saved) }
        let input = try IMELogInput.resolve(["-"])
        XCTAssertEqual(input.logs, [IMELogSource(.standardInput)])
        let records = try read(input.logs)
        XCTAssertEqual(records.map(\.message), try CMTraceReader.records(path: path).map(\.message))
        XCTAssertEqual(records.first?.source, "-")
        assertThrows(.usage) { try IMELogInput.resolve(["-", "-"]) }
    }

    /// A pipe given as a path (`ime-log <(zcat AppWorkload.log.gz)`) is read as a log, its first bytes not
    /// taken by the zip probe.
    func testNamedPipe() throws {
        let path = try makeTemporaryFolder() + "/pipe.log"
        XCTAssertEqual(mkfifo(path, 0o600), 0)
        let bytes = try DiagnosticsZipBuilder.fixture("ime2021_agent-start.log")
        let writer = Thread {
            let fd = open(path, O_WRONLY)
            guard fd >= 0 else { return }
            bytes.withUnsafeBytes { _ = write(fd, $0.baseAddress!, $0.count) }
            close(fd)
        }
        writer.start()
        let input = try IMELogInput.resolve([path])
        XCTAssertEqual(input.logs, [IMELogSource(.file(path))])
        XCTAssertEqual(try read(input.logs).map(\.message), try CMTraceReader.records(path: TestSupport.imeLogs + "/ime2021_agent-start.log").map(\.message))
    }

    func testRefusals() throws {
        let folder = try makeTemporaryFolder()
        var error = assertThrows(.badInput) { try IMELogInput.resolve([folder + "/missing.zip"]) }
        XCTAssertEqual(error?.path, folder + "/missing.zip")

        // Not a diagnostics zip, with a zip inside that is not opened.
        let other = folder + "/other.zip"
        let inner = folder + "/inner.zip"
        try DiagnosticsZipBuilder.makeZip(inner, [Entry(name: "AppWorkload.log", bytes: Array("x".utf8))], work: try makeTemporaryFolder("w1"))
        try DiagnosticsZipBuilder.makeZip(other, [Entry(name: "readme.txt", bytes: Array("hi".utf8)),
                                                  Entry(name: "nested.zip", bytes: try TestSupport.readFile(inner))], work: try makeTemporaryFolder("w2"))
        error = assertThrows(.nothingFound) { try IMELogInput.resolve([other]) }
        XCTAssertEqual(error?.path, other)
        XCTAssertTrue(error?.reason.contains("neither a diagnostics zip") ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.reason.contains("nested.zip") ?? false, "\(String(describing: error))")

        // A folder without logs: the existing message.
        let empty = folder + "/empty"
        try TestSupport.writeFile(empty + "/readme.txt", [1])
        error = assertThrows(.nothingFound) { try IMELogInput.resolve([empty]) }
        XCTAssertTrue(error?.reason.contains("no log files in the folder") ?? false)

        // A damaged zip.
        try TestSupport.writeFile(folder + "/broken.zip", Array("PK\u{3}\u{4}garbage".utf8))
        error = assertThrows(.badInput) { try IMELogInput.resolve([folder + "/broken.zip"]) }
        XCTAssertEqual(error?.path, folder + "/broken.zip")

        // A garbage file is kept as a log (the analyzer then reports no records).
        try TestSupport.writeFile(folder + "/garbage.bin", TestSupport.noise(1000))
        XCTAssertEqual(try IMELogInput.resolve([folder + "/garbage.bin"]).logs, [IMELogSource(.file(folder + "/garbage.bin"))])
    }

    /// A log entry declaring 80 MiB from ~80 KB (over 1000:1) is refused before anything is inflated.
    func testBombRefused() throws {
        let folder = try makeTemporaryFolder()
        let zip = folder + "/DiagLogs-BOMB-20260324T092249Z.zip"
        try DiagnosticsZipBuilder.makeZip(zip, [
            Entry(name: "results.xml", bytes: DiagnosticsZipBuilder.results([Self.items[5]])),
            Entry(name: "(1) FoldersFiles ProgramData_Microsoft_IntuneManagementExtension_Logs/AppWorkload.log", bytes: [UInt8](repeating: 0, count: 80 << 20)),
        ], work: try makeTemporaryFolder("work"))
        let error = assertThrows(.badInput) { try IMELogInput.resolve([zip]) }
        XCTAssertTrue(error?.reason.contains("zip bomb") ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.reason.contains("AppWorkload.log") ?? false)
    }

    /// The zip entry stream: small reads give the entry's bytes; a damaged entry fails its CRC.
    func testZipEntryStream() throws {
        let folder = try makeTemporaryFolder()
        let bytes = try DiagnosticsZipBuilder.fixture("ime2021_available-app_install-success_cleanup.log")
        let zip = folder + "/a.zip"
        try DiagnosticsZipBuilder.makeZip(zip, [Entry(name: "a.log", bytes: bytes), Entry(name: "b.log", bytes: bytes, stored: true)],
                                          work: try makeTemporaryFolder("work"))
        let reader = try ZipReader(source: FileRegion(path: zip))
        for entry in reader.entries {
            for step in [1, 333, 1 << 16] {
                let stream = try ZipEntryByteStream(zip: reader, entry: entry)
                var out: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: step)
                while true {
                    let n = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
                    if n == 0 { break }
                    out += buffer[0..<n]
                }
                XCTAssertEqual(out, bytes, "\(entry.name) step \(step)")
            }
        }
        // Flip a byte of the stored entry's data: the CRC check at its end fails.
        var damaged = try TestSupport.readFile(zip)
        let stored = reader.entries[1]
        let at = Int(try reader.dataOffset(of: stored)) + 100
        damaged[at] ^= 0x20
        try TestSupport.writeFile(folder + "/d.zip", damaged)
        let again = try ZipReader(source: FileRegion(path: folder + "/d.zip"))
        let stream = try ZipEntryByteStream(zip: again, entry: again.entries[1])
        assertThrows(.checkFailed) { _ = try stream.readAll(limit: 1 << 20, name: "d") }
    }

    func testZipNameParsing() {
        let parsed = DiagnosticsCollection.parseName("/tmp/DiagLogs-LAPTOP-7-AB-20251231T235959Z.zip")
        XCTAssertEqual(parsed?.device, "LAPTOP-7-AB")
        XCTAssertEqual(parsed?.time, Date(timeIntervalSince1970: 1_767_225_599))
        XCTAssertNil(DiagnosticsCollection.parseName("DiagLogs-PC-20251331T000000Z.zip"))
        XCTAssertNil(DiagnosticsCollection.parseName("DiagLogs-20251231T000000Z.zip"))
        XCTAssertNil(DiagnosticsCollection.parseName("logs.zip"))
        XCTAssertEqual(DiagnosticsCollection.hresult("-2147024894"), 0x80070002)
        XCTAssertEqual(DiagnosticsCollection.hresult("0x80070002"), 0x80070002)
        XCTAssertEqual(DiagnosticsCollection.hresult("0"), 0)
        XCTAssertNil(DiagnosticsCollection.hresult("x"))
    }
}
