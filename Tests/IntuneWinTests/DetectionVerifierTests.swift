import Foundation
import XCTest
@testable import IntuneWin

/// The library side of issue 25's "verify a Detection.xml" and "packages other tools made": file
/// signatures, the metadata checks, the content layout checks and anonymous temporary content.
final class DetectionVerifierTests: XCTestCase {
    /// A Detection.xml as Microsoft's tool writes one for an MSI, with `change` applied to the text.
    private func detection(_ change: (String) -> String = { $0 }) -> [UInt8] {
        func b64(_ n: Int) -> String { Data(repeating: 0xA5, count: n).base64EncodedString() }
        let xml = """
            <ApplicationInfo xmlns:xsd="http://www.w3.org/2001/XMLSchema" ToolVersion="1.8.6.0">
              <Name>App</Name>
              <UnencryptedContentSize>4096</UnencryptedContentSize>
              <FileName>IntunePackage.intunewin</FileName>
              <SetupFile>app.msi</SetupFile>
              <EncryptionInfo>
                <EncryptionKey>\(b64(32))</EncryptionKey>
                <MacKey>\(b64(32))</MacKey>
                <InitializationVector>\(b64(16))</InitializationVector>
                <Mac>\(b64(32))</Mac>
                <ProfileIdentifier>ProfileVersion1</ProfileIdentifier>
                <FileDigest>\(b64(32))</FileDigest>
                <FileDigestAlgorithm>SHA256</FileDigestAlgorithm>
              </EncryptionInfo>
              <MsiInfo>
                <MsiProductCode>{A39A1B33-CEB9-4875-BA5B-980AD93D91FC}</MsiProductCode>
                <MsiProductVersion>2.6.3</MsiProductVersion>
                <MsiPackageCode>{712AD9AE-A5E8-4F31-9BAC-BA3997370490}</MsiPackageCode>
                <MsiExecutionContext>User</MsiExecutionContext>
                <MsiRequiresLogon>true</MsiRequiresLogon>
                <MsiIsMachineInstall>false</MsiIsMachineInstall>
                <MsiIsUserInstall>true</MsiIsUserInstall>
              </MsiInfo>
            </ApplicationInfo>
            """
        return Array(change(xml).utf8)
    }

    private func outcomes(_ report: VerificationReport) -> [String: VerificationCheck.Outcome] {
        Dictionary(report.checks.map { ($0.name, $0.outcome) }, uniquingKeysWith: { a, _ in a })
    }

    func testAWellFormedDetectionXMLPassesEveryMetadataCheck() {
        let report = DetectionVerifier.checkMetadata(detection(), path: "Detection.xml")
        XCTAssertTrue(report.passed, "\(report.failures)")
        XCTAssertEqual(report.checks.map(\.name), ["detection-xml", "required-fields", "key-material", "profile", "sizes",
                                                   "tool-version", "setup-path", "msi-info", "msi-consistency"])
    }

    func testEachDefectFailsItsOwnCheck() {
        let cases: [(String, (String) -> String)] = [
            ("required-fields", { $0.replacingOccurrences(of: "<FileName>IntunePackage.intunewin</FileName>", with: "") }),
            ("key-material", { $0.replacingOccurrences(of: "<InitializationVector>\(Data(repeating: 0xA5, count: 16).base64EncodedString())", with: "<InitializationVector>@@@") }),
            ("profile", { $0.replacingOccurrences(of: ">SHA256<", with: ">SHA1<") }),
            ("sizes", { $0.replacingOccurrences(of: ">4096<", with: ">4k<") }),
            ("tool-version", { $0.replacingOccurrences(of: "1.8.6.0", with: "one") }),
            ("setup-path", { $0.replacingOccurrences(of: ">app.msi<", with: ">C:\\app.msi<") }),
            ("msi-info", { $0.replacingOccurrences(of: "<MsiRequiresLogon>true", with: "<MsiRequiresLogon>yes") }),
            ("msi-consistency", { $0.replacingOccurrences(of: "<MsiIsMachineInstall>false", with: "<MsiIsMachineInstall>true") }),
        ]
        for (name, change) in cases {
            let report = DetectionVerifier.checkMetadata(detection(change), path: "Detection.xml")
            XCTAssertEqual(report.failures.map(\.name), [name], "\(name): \(report.failures)")
        }
        let broken = DetectionVerifier.checkMetadata(Array("<ApplicationInfo><Name>".utf8), path: "Detection.xml")
        XCTAssertEqual(broken.failures.map(\.name), ["detection-xml"])
    }

    func testGUIDsAndVersions() {
        XCTAssertTrue(DetectionVerifier.isBracedGUID("{a39a1b33-CEB9-4875-BA5B-980AD93D91FC}"))
        XCTAssertFalse(DetectionVerifier.isBracedGUID("A39A1B33-CEB9-4875-BA5B-980AD93D91FC"))
        XCTAssertFalse(DetectionVerifier.isBracedGUID("{A39A1B33-CEB9-4875-BA5B-980AD93D91FG}"))
        XCTAssertTrue(DetectionVerifier.isDottedVersion("1.8.6.0"))
        XCTAssertFalse(DetectionVerifier.isDottedVersion("1..6"))
        XCTAssertFalse(DetectionVerifier.isDottedVersion("1"))
    }

    func testFileSignatures() {
        XCTAssertEqual(FileSignature(head: [0x50, 0x4B, 0x03, 0x04, 0]), .zip)
        XCTAssertEqual(FileSignature(head: [0x50, 0x4B, 0x05, 0x06]), .emptyZip)
        XCTAssertEqual(FileSignature(head: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]), .compoundFile)
        XCTAssertEqual(FileSignature(head: Array("MZ\u{90}".utf8)), .windowsExecutable)
        XCTAssertEqual(FileSignature(head: [0xEF, 0xBB, 0xBF] + Array(" \r\n<ApplicationInfo>".utf8)), .xml)
        XCTAssertEqual(FileSignature(head: [0xFF, 0xFE, 0x7B, 0x00]), .json)
        XCTAssertEqual(FileSignature(head: []), .empty)
        XCTAssertEqual(FileSignature(head: [0x13, 0x37, 0x00, 0xFF]), .unknown)
        XCTAssertFalse(FileSignature.unknown.isKnown)
        // Encrypted content starts with a random MAC: one matching byte, or bytes that are not text, are not a signature.
        XCTAssertEqual(FileSignature(head: [0x3C, 0x01, 0x9F, 0x00]), .unknown)
        XCTAssertEqual(FileSignature(head: Array("<\u{7}x".utf8)), .unknown)
        XCTAssertEqual(FileSignature(head: Array("{ 7".utf8)), .unknown)
        XCTAssertEqual(FileSignature(head: [0x1F, 0x8B, 0x00]), .unknown)
    }

    func testMZCountsOnlyWithAPEHeader() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("iwt-mz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var bytes = [UInt8](repeating: 0x11, count: 512)
        bytes[0] = 0x4D; bytes[1] = 0x5A
        let file = folder.appendingPathComponent("x").path
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        XCTAssertEqual(try FileSignature(path: file), .unknown, "MZ and random bytes: could be encrypted content")
        bytes[0x3C] = 0x80; bytes[0x3D] = 0; bytes[0x3E] = 0; bytes[0x3F] = 0
        bytes[0x80] = 0x50; bytes[0x81] = 0x45; bytes[0x82] = 0; bytes[0x83] = 0
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        XCTAssertEqual(try FileSignature(path: file), .windowsExecutable)
    }

    func testEncryptedSizeFollowsThePlainSize() {
        XCTAssertEqual(EncryptedContent.encryptedSize(plainSize: 0), 64)
        XCTAssertEqual(EncryptedContent.encryptedSize(plainSize: 15), 64)
        XCTAssertEqual(EncryptedContent.encryptedSize(plainSize: 16), 80)
        XCTAssertEqual(EncryptedContent.encryptedSize(plainSize: 2034549), 2034608)
    }

    func testAnAnonymousRegionHoldsWhatWasWrittenAndLeavesNoFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("iwt-anon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let saved = ProcessInfo.processInfo.environment["TMPDIR"]
        setenv("TMPDIR", folder.path, 1)
        defer { if let saved { setenv("TMPDIR", saved, 1) } else { unsetenv("TMPDIR") } }
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let region = try FileRegion.anonymous(path: "pkg.intunewin") { write in
            try bytes.withUnsafeBytes { raw in
                try write(UnsafeRawBufferPointer(rebasing: raw[0..<100_000]))
                try write(UnsafeRawBufferPointer(rebasing: raw[100_000...]))
            }
        }
        XCTAssertEqual(region.size, 300_000)
        XCTAssertEqual(region.path, "pkg.intunewin")
        XCTAssertEqual(try region.readExactly(at: 123_456, count: 1_000), Array(bytes[123_456..<124_456]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [], "the temporary file is unlinked at once")
    }
}
