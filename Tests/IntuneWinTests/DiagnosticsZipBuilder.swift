import Foundation
import XCTest
@testable import IntuneWin

/// Builds zips for the ime-log input tests with Python's `zipfile` (an independent writer): each entry
/// a name and its bytes (deflated unless `stored`), zero-byte entries included. Also the texts a
/// diagnostics collection holds (results.xml, a UTF-16LE `.reg` export).
enum DiagnosticsZipBuilder {
    struct Entry {
        var name: String
        var bytes: [UInt8]
        var stored = false
    }

    /// Writes `entries` into a zip at `path` (folders for the entries' bytes go in `work`).
    static func makeZip(_ path: String, _ entries: [Entry], work: String) throws {
        var manifest: [[Any]] = []
        for (i, entry) in entries.enumerated() {
            let file = work + "/entry-\(i).bin"
            try TestSupport.writeFile(file, entry.bytes)
            manifest.append([entry.name, file, entry.stored])
        }
        let list = work + "/manifest.json"
        try Data(JSONSerialization.data(withJSONObject: manifest)).write(to: URL(fileURLWithPath: list))
        let script = """
        import json, sys, zipfile
        entries = json.load(open(sys.argv[2]))
        with zipfile.ZipFile(sys.argv[1], "w") as z:
            for name, src, stored in entries:
                z.writestr(zipfile.ZipInfo(name, (2026, 3, 24, 9, 22, 48)), open(src, "rb").read(),
                           compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
        """
        let run = try TestSupport.run("python3", ["-c", script, path, list])
        XCTAssertEqual(run.status, 0, run.stderr)
    }

    /// Text as UTF-16LE with a BOM (how Windows writes `.reg` exports).
    static func utf16LE(_ text: String, bom: Bool = true) -> [UInt8] {
        (bom ? [0xFF, 0xFE] : []) + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }

    /// Text as UTF-16BE.
    static func utf16BE(_ text: String, bom: Bool = true) -> [UInt8] {
        (bom ? [0xFE, 0xFF] : []) + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    static let userId = "00000000-0000-0000-0000-000000000000"
    static let appId = "0b8f1c9e-0000-4000-8000-000000000001"

    /// An IME registry export: one Win32 app (enforcement JSON in its subkey, an ExitCode), a GRS value.
    static let imeRegistry = """
    Windows Registry Editor Version 5.00\r
    \r
    [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\IntuneManagementExtension]\r
    "Version"="1.101.111.0"\r
    \r
    [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\IntuneManagementExtension\\Win32Apps\\\(userId)\\\(appId)_1]\r
    "ExitCode"=dword:00000643\r
    "Intent"=dword:00000003\r
    \r
    [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\IntuneManagementExtension\\Win32Apps\\\(userId)\\\(appId)_1\\EnforcementStateMessage]\r
    "EnforcementStateMessage"="{\\"EnforcementState\\":5000,\\"ErrorCode\\":-2147024895,\\"TargetingMethod\\":0}"\r
    \r
    [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\IntuneManagementExtension\\Win32Apps\\\(userId)\\\(appId)_1\\ComplianceStateMessage]\r
    "ComplianceStateMessage"="{\\"Applicability\\":0,\\"ComplianceState\\":2,\\"DesiredState\\":2,\\"ErrorCode\\":-2147024895,\\"ProductVersion\\":null}"\r
    \r
    [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\IntuneManagementExtension\\Win32Apps\\\(userId)\\GRS\\3d2b9c2e0f]\r
    "\(appId)"="3/24/2026 9:12:03 AM"\r
    \r

    """

    /// An Uninstall export: one native product, one under WOW6432Node.
    static let uninstallRegistry = """
    Windows Registry Editor Version 5.00\r
    \r
    [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\7-Zip]\r
    "DisplayName"="7-Zip 24.09 (x64)"\r
    "DisplayVersion"="24.09"\r
    "Publisher"="Igor Pavlov"\r
    "UninstallString"="\\"C:\\\\Program Files\\\\7-Zip\\\\Uninstall.exe\\""\r
    \r
    [HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{11111111-2222-3333-4444-555555555555}]\r
    "DisplayName"="Citrix Workspace"\r
    "DisplayVersion"="21.9.0.31"\r
    \r

    """

    /// results.xml of a collection of `items` (kind, target, HRESULT text).
    static func results(_ items: [(String, String, String)]) -> [UInt8] {
        var xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<Collection HRESULT=\"0\">\r\n  <ID>0a1b2c3d-0000-4000-8000-000000000000</ID>\r\n  <SasUrl></SasUrl>\r\n"
        for (kind, target, hresult) in items { xml += "  <\(kind) HRESULT=\"\(hresult)\">\(target)</\(kind)>\r\n" }
        xml += "</Collection>\r\n"
        return Array(xml.utf8)
    }

    static func fixture(_ name: String) throws -> [UInt8] { try TestSupport.readFile(TestSupport.imeLogs + "/" + name) }
}
