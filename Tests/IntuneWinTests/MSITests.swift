import Foundation
import XCTest
@testable import IntuneWin

/// The MSI database reader and Microsoft's MsiInfo rules, checked against msitools (`wixl` builds the
/// MSIs from Tests/Fixtures/msi, `msibuild` alters them, `msiinfo` is the independent reader) and against
/// Microsoft's own answer for the MSI inside sample 09.
final class MSITests: XCTestCase {
    static let fixtures = TestSupport.repoRoot + "/Tests/Fixtures/msi"

    /// Builds `<name>.wxs` with wixl into a temp folder, then runs msibuild steps (SQL queries or imports).
    private func buildMSI(_ name: String, _ steps: [[String]] = []) throws -> String {
        let folder = try makeTemporaryFolder()
        for file in [name + ".wxs", "payload.txt", "ODBCDataSource.idt"] {
            try FileManager.default.copyItem(atPath: Self.fixtures + "/" + file, toPath: folder + "/" + file)
        }
        let msi = folder + "/" + name + ".msi"
        let built = try TestSupport.run("sh", ["-c", "cd '\(folder)' && wixl -o '\(msi)' '\(name).wxs'"])
        XCTAssertEqual(built.status, 0, built.stderr)
        for step in steps {
            let r = try TestSupport.run("sh", ["-c", "cd '\(folder)' && msibuild \"$@\"", "msibuild", msi] + step)
            XCTAssertEqual(r.status, 0, "msibuild \(step): \(r.stderr)")
        }
        return msi
    }

    private func info(_ msi: String) throws -> MsiInfo {
        try MsiInfo(database: try MSIDatabase(path: msi), fileName: (msi as NSString).lastPathComponent)
    }

    private func fields(_ info: MsiInfo) -> [String: String] {
        Dictionary(uniqueKeysWithValues: info.fields.map { ($0.name, $0.value) })
    }

    /// Every table msiinfo lists decodes to the same rows as `msiinfo export`, in the same order.
    private func assertTablesMatchMsiinfo(_ msi: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let db = try MSIDatabase(path: msi)
        let listed = String(decoding: try TestSupport.run("msiinfo", ["tables", msi]).stdout, as: UTF8.self)
            .split(separator: "\n").map(String.init).filter { !$0.hasPrefix("_") }
        XCTAssertGreaterThan(listed.count, 5, file: file, line: line)
        XCTAssertEqual(Set(listed), Set(db.tableNames.filter { !$0.hasPrefix("_") }), "table catalog", file: file, line: line)
        // Exporting a table of streams (Binary) also writes them to ./<table>/: in a scratch folder of its own.
        let exportFolder = try makeTemporaryFolder()
        for name in listed {
            let export = String(decoding: try TestSupport.run("msiinfo", ["export", msi, name], in: exportFolder).stdout, as: UTF8.self)
            var lines = export.components(separatedBy: "\r\n").joined(separator: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            guard let table = try db.table(name) else { XCTFail("no table \(name)", file: file, line: line); continue }
            XCTAssertEqual(lines.first, table.columns.map(\.name).joined(separator: "\t"), "\(name) columns", file: file, line: line)
            XCTAssertEqual(lines.dropFirst().first, table.columns.map(\.idtType).joined(separator: "\t"), "\(name) types", file: file, line: line)
            let ours = table.rows.map { row in zip(row, table.columns).map { cell, column -> String in
                switch cell {
                case .stream: return "[stream]"
                // msitools stores 1-byte integer columns (WiX's i1) in 2 bytes like Windows Installer, but
                // converts them with the 4-byte bias, so it shows 1 as -2147450879. We show 1; compare in its terms.
                case .integer(let v) where column.width == 1: return String(v + 0x8000 - 0x8000_0000)
                default: return cell.description
                }
            }.joined(separator: "\t") }
            let theirs = Array(lines.dropFirst(3)).map { line in
                zip(line.components(separatedBy: "\t"), table.columns).map { cell, column in column.isStream && !cell.isEmpty ? "[stream]" : cell }.joined(separator: "\t")
            }
            XCTAssertEqual(ours, theirs, "\(name) rows", file: file, line: line)
        }
    }

    func testPerMachineMSIWithServiceRegistryAndSystemFolder() throws {
        let msi = try buildMSI("machine")
        try assertTablesMatchMsiinfo(msi)
        let i = try info(msi)
        XCTAssertEqual(i.name, "Machine Product")
        let suminfo = String(decoding: try TestSupport.run("msiinfo", ["suminfo", msi]).stdout, as: UTF8.self)
        let revision = suminfo.split(separator: "\n").first { $0.hasPrefix("Revision number") }?.split(separator: " ").last.map(String.init)
        XCTAssertEqual(fields(i), [
            "MsiProductCode": "{11111111-2222-3333-4444-555555555555}", "MsiProductVersion": "1.2.3",
            "MsiPackageCode": revision ?? "?", "MsiUpgradeCode": "{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}",
            "MsiExecutionContext": "System", "MsiRequiresLogon": "false", "MsiRequiresReboot": "true",
            "MsiIsMachineInstall": "true", "MsiIsUserInstall": "false",
            "MsiIncludesServices": "false", "MsiIncludesODBCDataSource": "false",
            "MsiContainsSystemRegistryKeys": "true", "MsiContainsSystemFolders": "true", "MsiPublisher": "Contoso Ltd",
        ])
        XCTAssertEqual(i.fields.map(\.name), ["MsiProductCode", "MsiProductVersion", "MsiPackageCode", "MsiUpgradeCode",
            "MsiExecutionContext", "MsiRequiresLogon", "MsiRequiresReboot", "MsiIsMachineInstall", "MsiIsUserInstall",
            "MsiIncludesServices", "MsiIncludesODBCDataSource", "MsiContainsSystemRegistryKeys", "MsiContainsSystemFolders", "MsiPublisher"])
        XCTAssertEqual(i.serviceCount, 1)
        XCTAssertEqual(i.differences.count, 1, "1 service but Microsoft says false")
        XCTAssertFalse(try SourceResiliency(database: try MSIDatabase(path: msi), folder: nil).needsSource)

        // Summary information agrees with msiinfo suminfo.
        let summary = try MSIDatabase(path: msi).summaryInformation()
        XCTAssertTrue(suminfo.contains("Subject: \(summary.subject ?? "?")\n"))
        XCTAssertTrue(suminfo.contains("Author: \(summary.author ?? "?")\n"))
        XCTAssertTrue(suminfo.contains("Template: \(summary.template ?? "?")\n"))
        XCTAssertTrue(suminfo.contains("Version: \(summary.integer(14) ?? -1) "))
        XCTAssertTrue(suminfo.contains("Source: \(summary.wordCount ?? -1) "))
    }

    func testMicrosoftsInvertedServiceAndODBCChecks() throws {
        // ServiceInstall present but empty → Microsoft says true; ODBCDataSource with a row → false; emptied → true.
        let emptied = try buildMSI("machine", [["-q", "DELETE FROM `ServiceInstall`"], ["-i", "ODBCDataSource.idt"]])
        try assertTablesMatchMsiinfo(emptied)
        var i = try info(emptied)
        XCTAssertEqual(fields(i)["MsiIncludesServices"], "true")
        XCTAssertEqual(i.serviceCount, 0)
        XCTAssertEqual(fields(i)["MsiIncludesODBCDataSource"], "false")
        XCTAssertEqual(i.odbcDataSourceCount, 1)
        let noODBCRows = try buildMSI("machine", [["-i", "ODBCDataSource.idt"], ["-q", "DELETE FROM `ODBCDataSource`"]])
        i = try info(noODBCRows)
        XCTAssertEqual(fields(i)["MsiIncludesODBCDataSource"], "true")
    }

    func testPerUserMSI() throws {
        let msi = try buildMSI("peruser")
        try assertTablesMatchMsiinfo(msi)
        let f = fields(try info(msi))
        XCTAssertEqual(f["MsiExecutionContext"], "User")
        XCTAssertEqual(f["MsiRequiresLogon"], "true")
        XCTAssertEqual(f["MsiIsUserInstall"], "true")
        XCTAssertEqual(f["MsiIsMachineInstall"], "false")
        XCTAssertEqual(f["MsiRequiresReboot"], "false")
        XCTAssertEqual(f["MsiContainsSystemRegistryKeys"], "false", "HKCU only")
        XCTAssertEqual(f["MsiContainsSystemFolders"], "false")
        // wixl always writes a ServiceInstall table; empty, Microsoft's inverted check says true.
        XCTAssertEqual(f["MsiIncludesServices"], "true")
        XCTAssertEqual(try info(msi).serviceCount, 0)
        XCTAssertTrue(try info(msi).differences.first?.contains("0 services") ?? false)
    }

    /// wixl writes HKMU as Root 4 (not a valid root; Windows Installer's HKMU is -1), so the fixture is fixed up.
    static let hkmu = ["-q", "UPDATE `Registry` SET `Root` = -1"]

    func testDualPurposeNonASCIIExternalCabinetNoUpgradeCode() throws {
        let msi = try buildMSI("dualpurpose", [Self.hkmu])
        try assertTablesMatchMsiinfo(msi)
        let i = try info(msi)
        XCTAssertEqual(i.name, "Prüfprodukt Größe")
        XCTAssertEqual(i.publisher, "Müller & Söhne")
        let f = fields(i)
        XCTAssertNil(f["MsiUpgradeCode"], "omitted when the MSI has none")
        XCTAssertEqual(i.fields.count, 13)
        XCTAssertEqual(f["MsiExecutionContext"], "Any")
        XCTAssertEqual(f["MsiIsUserInstall"], "true", "ALLUSERS=2 with MSIINSTALLPERUSER=1 is per-user")
        XCTAssertEqual(f["MsiContainsSystemRegistryKeys"], "false", "HKMU (-1) counts only for per-machine installs")
        XCTAssertEqual(f["MsiContainsSystemFolders"], "true", "FontsFolder")
        let resiliency = try SourceResiliency(database: try MSIDatabase(path: msi), folder: nil)
        XCTAssertTrue(resiliency.needsSource)
        XCTAssertEqual(resiliency.externalFiles, ["data1.cab"])

        // Without MSIINSTALLPERUSER the same MSI installs per machine, and HKMU becomes a system key.
        let machine = try buildMSI("dualpurpose", [Self.hkmu, ["-q", "DELETE FROM `Property` WHERE `Property` = 'MSIINSTALLPERUSER'"]])
        let g = fields(try info(machine))
        XCTAssertEqual(g["MsiIsUserInstall"], "false")
        XCTAssertEqual(g["MsiContainsSystemRegistryKeys"], "true")
    }

    func testUncompressedFilesAndTransformsBesideTheMSINeedTheSource() throws {
        let msi = try buildMSI("uncompressed", [["-q", "UPDATE `File` SET `Attributes` = 8192"]])
        let resiliency = try SourceResiliency(database: try MSIDatabase(path: msi), folder: nil)
        XCTAssertTrue(resiliency.needsSource)
        XCTAssertTrue(resiliency.findings.first?.contains("uncompressed") ?? false, "\(resiliency.findings)")
        let folder = (msi as NSString).deletingLastPathComponent
        try TestSupport.writeFile(folder + "/custom.mst", [1, 2, 3])
        let withTransform = try SourceResiliency(database: try MSIDatabase(path: msi), folder: folder)
        XCTAssertTrue(withTransform.externalFiles.contains("custom.mst"))
    }

    func testInvalidALLUSERSAndMissingProductCodeAreErrors() throws {
        let bad = try buildMSI("machine", [["-q", "UPDATE `Property` SET `Value` = '3' WHERE `Property` = 'ALLUSERS'"]])
        let error = assertThrows(.badInput) { try info(bad) }
        XCTAssertTrue(error?.reason.contains("Invalid ALLUSERS property value: 3") ?? false)
        let noCode = try buildMSI("machine", [["-q", "DELETE FROM `Property` WHERE `Property` = 'ProductCode'"]])
        assertThrows(.badInput) { try info(noCode) }
    }

    func testMoreThan65535StringsUseThreeByteReferences() throws {
        let folder = try makeTemporaryFolder()
        var idt = "Key\tText\ns72\tS255\nBigTable\tKey\n"
        for n in 0..<70_000 { idt += "k\(n)\tvalue number \(n)\n" }
        try TestSupport.writeFile(folder + "/BigTable.idt", Array(idt.utf8))
        let msi = try buildMSI("machine", [["-i", folder + "/BigTable.idt"]])
        let db = try MSIDatabase(path: msi)
        XCTAssertEqual(db.strings.referenceWidth, 3)
        let table = try XCTUnwrap(try db.table("BigTable"))
        XCTAssertEqual(table.rows.count, 70_000)
        XCTAssertEqual(table.value("Text", where: "Key", is: "k69999"), .string("value number 69999"))
        try assertTablesMatchMsiinfo(msi)
        XCTAssertEqual(fields(try info(msi))["MsiPublisher"], "Contoso Ltd")
    }

    /// Microsoft's answer for a real MSI: sample 09 holds AESetup.msi and the Detection.xml the tool wrote for it.
    func testSample09MSIGivesMicrosoftsMsiInfoByteForByte() throws {
        let folder = try makeTemporaryFolder()
        let sample = TestSupport.sample("09_")
        let package = try IntuneWinPackage(path: sample)
        _ = try Decryptor.unpack(package, to: folder + "/src", overwrite: false)
        try assertTablesMatchMsiinfo(folder + "/src/AESetup.msi")
        let i = try info(folder + "/src/AESetup.msi")
        XCTAssertEqual(i.name, package.detection.name)
        XCTAssertEqual(i.fields, package.detection.msiInfo)
        XCTAssertEqual(i.serviceCount, 2)
        XCTAssertTrue(i.differences.first?.contains("2 services") ?? false)

        // Packing that folder with the sample's keys writes Microsoft's Detection.xml, ToolVersion aside.
        var request = PackRequest(sourceFolder: folder + "/src", setupFile: "AESetup.msi", output: folder + "/out.intunewin")
        request.keys = package.keys
        request.compression.exact = true  // Microsoft deflates each file whole
        request.toolVersion = package.detection.toolVersion
        let result = try Packager.pack(request)
        XCTAssertEqual(result.detection.encryptionInfo.fileDigest, package.detection.encryptionInfo.fileDigest)
        XCTAssertEqual(result.detection.serialized(), package.detection.serialized())
        var xml = [UInt8]()
        try package.outer.extract(package.detectionEntry) { xml.append(contentsOf: $0) }
        let ours = try IntuneWinPackage(path: result.outputPath)
        var ourXML = [UInt8]()
        try ours.outer.extract(ours.detectionEntry) { ourXML.append(contentsOf: $0) }
        XCTAssertEqual(ourXML, xml, "Detection.xml byte for byte")
    }

    /// A one-section property set holding PID_CODEPAGE (VT_I2) and one VT_LPSTR property 3 (Subject).
    private func propertySet(codePage: UInt16, subject: [UInt8]) -> [UInt8] {
        func u16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        let text = subject + [0]
        let codePageProperty = u32(2) + u16(codePage) + [0, 0]
        let subjectProperty = u32(30) + u32(text.count) + text
        let listSize = 8 + 2 * 8
        var section = u32(0) + u32(2) + u32(1) + u32(listSize) + u32(3) + u32(listSize + codePageProperty.count)
        section += codePageProperty + subjectProperty
        section.replaceSubrange(0..<4, with: u32(section.count))
        return u16(0xFFFE) + u16(0) + u32(2) + [UInt8](repeating: 0, count: 16) + u32(1) + [UInt8](repeating: 0, count: 16) + u32(48) + section
    }

    /// Summary strings written in their code page, as Windows Installer's tools write them, decode with
    /// that code page; UTF-8 (as msitools writes it whatever the code page says) decodes as UTF-8.
    func testSummaryStringsDecodeWithTheirCodePage() throws {
        let cases: [(UInt16, [UInt8], String)] = [
            (1252, [0x42, 0x61, 0x72, 0x20, 0xDC, 0x6E, 0xEF], "Bar Ünï"),          // Windows-1252
            (1251, [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2], "Привет"),                 // Windows-1251
            (1250, [0x8A, 0x6B, 0x6F, 0x64, 0x61], "Škoda"),                        // Windows-1250
            (1252, Array("Bar Test Ünïcode".utf8), "Bar Test Ünïcode"),           // msitools: UTF-8 under 1252
            (65001, Array("Größe".utf8), "Größe"),
        ]
        for (codePage, bytes, expected) in cases {
            let summary = try SummaryInformation.parse(propertySet(codePage: codePage, subject: bytes), path: "x.msi")
            XCTAssertEqual(summary.integer(1).map { UInt16(truncatingIfNeeded: $0) }, codePage)
            XCTAssertEqual(summary.subject, expected, "code page \(codePage)")
        }
    }

    func testNotAnMSIIsBadInput() throws {
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/fake.msi", Array("MZ this is not a compound file".utf8))
        assertThrows(.badInput) { try MSIDatabase(path: folder + "/fake.msi") }
        var request = PackRequest(sourceFolder: folder, setupFile: "fake.msi", output: folder + "/../out-\(UUID().uuidString)")
        request.overwrite = true
        assertThrows(.badInput) { try Packager.pack(request) }
    }

    func testMspSetupWritesNoMsiInfo() throws {
        let folder = try makeTemporaryFolder()
        let msi = try buildMSI("machine")
        try FileManager.default.createDirectory(atPath: folder + "/src", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: msi, toPath: folder + "/src/update.msp")
        let result = try Packager.pack(PackRequest(sourceFolder: folder + "/src", setupFile: "update.msp", output: folder + "/out"))
        XCTAssertNil(result.detection.msiInfo)
        XCTAssertEqual(result.detection.name, "update.msp")
    }
}
