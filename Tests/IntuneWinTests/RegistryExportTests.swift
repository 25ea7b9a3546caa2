import Foundation
import XCTest
@testable import IntuneWin

final class RegistryExportTests: XCTestCase {
    func testValueKindsEscapesContinuationsAndDeletions() throws {
        let text = """
        Windows Registry Editor Version 5.00\r
        \r
        [HKEY_LOCAL_MACHINE\\SOFTWARE\\Test]\r
        @="default"\r
        "Path"="C:\\\\Program Files\\\\A \\"quoted\\""\r
        "Count"=dword:0000002a\r
        "Big"=hex(b):00,00,00,00,01,00,00,00\r
        "Expand"=hex(2):25,00,54,00,45,00,4d,00,50,00,25,00,00,00\r
        "Multi"=hex(7):61,00,00,00,62,00,63,00,00,00,00,00\r
        "Blob"=hex:01,02,\\\r
          03,04\r
        "Gone"=-\r
        "Odd"=hex(4):2a,00,00,00\r
        "Weird"=hex(20):ff\r
        \r
        [-HKEY_LOCAL_MACHINE\\SOFTWARE\\Removed]\r
        "Hidden"="no"\r
        \r
        [HKEY_LOCAL_MACHINE\\SOFTWARE\\Test\\Sub]\r
        "name with \\"quote\\""=""\r

        """
        let values = try RegistryExport.values(DiagnosticsZipBuilder.utf16LE(text), name: "t.reg")
        let key = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Test"
        XCTAssertEqual(values, [
            RegistryValue(key: key, name: "", data: .string("default")),
            RegistryValue(key: key, name: "Path", data: .string("C:\\Program Files\\A \"quoted\"")),
            RegistryValue(key: key, name: "Count", data: .dword(42)),
            RegistryValue(key: key, name: "Big", data: .qword(1 << 32)),
            RegistryValue(key: key, name: "Expand", data: .expandString("%TEMP%")),
            RegistryValue(key: key, name: "Multi", data: .multiString(["a", "bc"])),
            RegistryValue(key: key, name: "Blob", data: .binary([1, 2, 3, 4])),
            RegistryValue(key: key, name: "Odd", data: .dword(42)),
            RegistryValue(key: key, name: "Weird", data: .other(type: 0x20, bytes: [0xFF])),
            RegistryValue(key: key + "\\Sub", name: "name with \"quote\"", data: .string("")),
        ])
        // The same text as UTF-8 reads the same.
        XCTAssertEqual(try RegistryExport.values(Array(text.utf8), name: "t.reg"), values)
    }

    func testANSIExport() throws {
        let bytes = Array("REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\A]\r\n\"Name\"=\"Caf".utf8) + [0xE9] + Array("\"\r\n".utf8)
        XCTAssertEqual(try RegistryExport.values(bytes, name: "a.reg"), [RegistryValue(key: "HKEY_LOCAL_MACHINE\\SOFTWARE\\A", name: "Name", data: .string("Café"))])
    }

    func testRefusals() throws {
        func refused(_ text: [UInt8], _ contains: String, file: StaticString = #filePath, line: UInt = #line) {
            let error = assertThrows(.badInput, file: file, line: line) { try RegistryExport.values(text, name: "bad.reg") }
            XCTAssertEqual(error?.path, "bad.reg", file: file, line: line)
            XCTAssertTrue(error?.reason.contains(contains) ?? false, "\(String(describing: error))", file: file, line: line)
        }
        refused(Array("hello\n".utf8), "not a registry export")
        refused([], "empty")
        refused(TestSupport.noise(5000), "not a registry export")
        let head = "Windows Registry Editor Version 5.00\r\n"
        refused(Array((head + "\"a\"=\"b\"\r\n").utf8), "before any [key]")
        refused(Array((head + "[HKEY_X\r\n").utf8), "closing ]")
        refused(Array((head + "[K]\r\n\"a\"=dword:123456789\r\n").utf8), "dword")
        refused(Array((head + "[K]\r\n\"a\"=hex:zz\r\n").utf8), "not a byte")
        refused(Array((head + "[K]\r\n\"a\"=\"open\r\n").utf8), "closing quote")
        // An absurd line (no line end for more than the limit) is refused, not held.
        refused(Array(head.utf8) + [UInt8](repeating: 0x41, count: RegistryExport.maximumLineBytes + 70_000), "longer than")
    }

    func testIMERegistryFacts() throws {
        var facts = IMERegistryFacts()
        try facts.add(export: MemoryByteStream(DiagnosticsZipBuilder.utf16LE(DiagnosticsZipBuilder.imeRegistry)), name: "ime.reg")
        try facts.add(export: MemoryByteStream(DiagnosticsZipBuilder.utf16LE(DiagnosticsZipBuilder.uninstallRegistry)), name: "u.reg")
        XCTAssertEqual(facts.apps.count, 1)
        let app = try XCTUnwrap(facts.apps.first)
        XCTAssertEqual(app.appId, DiagnosticsZipBuilder.appId)
        XCTAssertEqual(app.userId, DiagnosticsZipBuilder.userId)
        XCTAssertEqual(app.revision, 1)
        XCTAssertEqual(app.exitCode, 1603)
        XCTAssertEqual(app.enforcementState, 5000)
        XCTAssertEqual(app.enforcementErrorCode, -2147024895)
        XCTAssertEqual(app.complianceState, 2)
        XCTAssertEqual(app.desiredState, 2)
        XCTAssertEqual(app.json["ComplianceStateMessage"]?["ProductVersion"], "")
        XCTAssertEqual(app.values["Intent"], .dword(3))
        XCTAssertEqual(Set(app.values.keys), ["ExitCode", "Intent", "EnforcementStateMessage", "ComplianceStateMessage"])
        XCTAssertEqual(facts.grs, [IMERegistryFacts.GRSValue(userId: DiagnosticsZipBuilder.userId, hash: "3d2b9c2e0f",
                                                             appId: DiagnosticsZipBuilder.appId, time: "3/24/2026 9:12:03 AM")])
        XCTAssertEqual(facts.installed, [
            IMERegistryFacts.InstalledProduct(key: "7-Zip", wow6432: false, displayName: "7-Zip 24.09 (x64)", displayVersion: "24.09", publisher: "Igor Pavlov"),
            IMERegistryFacts.InstalledProduct(key: "{11111111-2222-3333-4444-555555555555}", wow6432: true, displayName: "Citrix Workspace", displayVersion: "21.9.0.31", publisher: nil),
        ])
    }
}
