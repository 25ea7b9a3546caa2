import Foundation
import XCTest
@testable import IntuneWin

/// IMERedactor, the app ids it keeps, redacted copies of logs, and the redacted real-device fixtures.
final class IMERedactionTests: XCTestCase {
    private let app = "3f2c1a9e-5b7d-4e21-9c4a-0d8e6f1b2a3c"
    private let user = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
    private let tenant = "0f1e2d3c-4b5a-4968-8776-655443322110"

    private func guid(_ n: Int) -> String { "00000000-0000-4000-8000-" + String(format: "%012d", n) }

    // MARK: placeholders

    func testSameOriginalSamePlaceholderInFirstSeenOrder() {
        let r = IMERedactor(appIDs: [])
        XCTAssertEqual(r.redact("user \(user) tenant \(tenant) again \(user.uppercased())"),
                       "user \(guid(1)) tenant \(guid(2)) again \(guid(1))")
        // Across calls: the mapping is the redactor's.
        XCTAssertEqual(r.redact("\(tenant) then a new one 11111111-2222-4333-8444-555555555555"), "\(guid(2)) then a new one \(guid(3))")
        XCTAssertEqual(r.counts[.guid], 3)
    }

    func testAppIDsStayWhateverTheirCase() {
        let r = IMERedactor(appIDs: [app.uppercased()])
        let line = "[Win32App][ActionProcessor] App with id: \(app.uppercased()), user \(user), content C:\\Windows\\IMECache\\\(app)_1"
        XCTAssertEqual(r.redact(line), "[Win32App][ActionProcessor] App with id: \(app.uppercased()), user \(guid(1)), content C:\\Windows\\IMECache\\\(app)_1")
    }

    func testPlaceholdersParseAsGUIDs() throws {
        let r = IMERedactor(appIDs: [])
        _ = r.redact((1...120).map { _ in UUID().uuidString }.joined(separator: " "))
        let p = r.placeholder(for: user, kind: .guid)
        XCTAssertEqual(p, guid(121))
        let uuid = try XCTUnwrap(UUID(uuidString: p))
        XCTAssertEqual(uuid.uuidString.lowercased(), p)
        XCTAssertEqual(IMEEvent.firstGUID(in: "App with id: \(p)."), p, "the analyzer's GUID scanner finds placeholders")
        XCTAssertEqual(Array(p)[14], "4", "version 4")
        XCTAssertEqual(Array(p)[19], "8", "RFC 4122 variant")
    }

    func testNilGUIDAndProductCodesStay() {
        let r = IMERedactor(appIDs: [])
        let code = "{DE7BE503-D5D8-40A5-966C-32CFC89C1058}"
        let lines = [
            "storage path: 00000000-0000-0000-0000-000000000000\\GRS\\",
            "CheckProductCodeExists fails with product code \(code), errorCode = 1605, try without brace",
            "CheckProductCodeExists fails with product code DE7BE503-D5D8-40A5-966C-32CFC89C1058, errorCode = 87",
            "Checked key HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\\(code), valueName: ",
            "\"UninstallCommandLine\":\"msiexec /x \\\"\(code)\\\" /qn\"",
        ]
        for line in lines { XCTAssertEqual(r.redact(line), line) }
        // The same GUID braced without such a phrase is not a product code.
        XCTAssertEqual(r.redact("session \(code)"), "session {\(guid(1))}")
    }

    func testSIDs() {
        let r = IMERedactor(appIDs: [])
        XCTAssertEqual(r.redact("[Win32App] WindowsSID : S-1-12-1-2884045568-1247733902-2021144510-3140470914"),
                       "[Win32App] WindowsSID : S-1-12-1-0-0-0-1")
        XCTAssertEqual(r.redact("userSID: S-1-5-21-1004336348-1177238915-682003330-1001, again S-1-12-1-2884045568-1247733902-2021144510-3140470914."),
                       "userSID: S-1-5-21-0-0-0-2, again S-1-12-1-0-0-0-1.")
        for builtIn in ["S-1-5-18", "S-1-5-32-545", "S-1-5-21-1-2", "xS-1-12-1-1-2-3-4"] { XCTAssertEqual(r.redact("sid \(builtIn)"), "sid \(builtIn)") }
    }

    func testEmailAddresses() {
        let r = IMERedactor(appIDs: [])
        XCTAssertEqual(r.redact("UPN adele.vance@contoso.onmicrosoft.com, mail Adele.Vance@Contoso.OnMicrosoft.com; other bob@fabrikam.co.uk."),
                       "UPN user1@example.invalid, mail user1@example.invalid; other user2@example.invalid.")
        for kept in ["events processing @ 9/1/2025 10:02:43 AM", "@{l='c';e={1}}", "odata SideCarGatewaySessions/@Element", "a@b", "x@localhost"] {
            XCTAssertEqual(r.redact(kept), kept)
        }
    }

    func testAccountNamesAndComputerNames() {
        let r = IMERedactor(appIDs: [])
        XCTAssertEqual(r.redact("After impersonation: AzureAD\\AdeleVance"), "After impersonation: AzureAD\\user1")
        XCTAssertEqual(r.redact("C:\\Windows\\TEMP\\IntuneWindowsAgent_Proxy_AzureAD_AdeleVance.txt"), "C:\\Windows\\TEMP\\IntuneWindowsAgent_Proxy_AzureAD_user1.txt")
        XCTAssertEqual(r.redact("agentexecutor.exe\"  -proxy  \"LFP-PF5QLRNK\\jdoe\" https://agents.msud01.manage.microsoft.com/x"),
                       "agentexecutor.exe\"  -proxy  \"DEVICE1\\user2\" https://agents.msud01.manage.microsoft.com/x")
        // Learned: the computer name anywhere as a word, the account after a separator.
        XCTAssertEqual(r.redact("Processing session id 1 done for LFP-PF5QLRNK_jdoe"), "Processing session id 1 done for DEVICE1_user2")
        XCTAssertEqual(r.redact("host lfp-pf5qlrnk is up"), "host DEVICE1 is up")
        // Profile paths, also JSON-escaped; built-in accounts and profiles stay.
        // Windows names are case-insensitive: adelevance is AdeleVance.
        XCTAssertEqual(r.redact("C:\\Users\\adelevance\\AppData and C:\\\\Users\\\\AdeleVance\\\\Desktop"),
                       "C:\\Users\\user1\\AppData and C:\\\\Users\\\\user1\\\\Desktop")
        for kept in ["After impersonation: LFP-PF5QLRNK\\defaultuser0".replacingOccurrences(of: "LFP-PF5QLRNK", with: "NT AUTHORITY"),
                     "C:\\Users\\Public\\Desktop", "C:\\Users\\defaultuser0\\AppData", "After impersonation: BUILTIN\\Administrator",
                     "C:\\Program Files\\Microsoft Intune Management Extension\\Content"] {
            XCTAssertEqual(r.redact(kept), kept)
        }
        XCTAssertEqual(r.redact("After impersonation: LFP-PF5QLRNK\\defaultuser0"), "After impersonation: DEVICE1\\defaultuser0")
        // A GUID-named registry path after "for user" is no account.
        XCTAssertEqual(r.redact("for user \(user)\\GRS\\abc"), "for user \(guid(1))\\GRS\\abc")
    }

    func testThumbprintAndToken() {
        let r = IMERedactor(appIDs: [])
        let thumb = "AACF578E17085FD72BDF697EC2E97D55073858FA"
        XCTAssertEqual(r.redact("Add MdmDeviceCertificate \(thumb) into WebRequest with True"),
                       "Add MdmDeviceCertificate 0000000000000000000000000000000000000001 into WebRequest with True")
        XCTAssertEqual(r.redact("[HS] Runner Set MdmDeviceCertificate : \(thumb.lowercased())"),
                       "[HS] Runner Set MdmDeviceCertificate : 0000000000000000000000000000000000000001")
        XCTAssertEqual(r.redact("ServiceAddresses, thumbprint \(thumb),True"), "ServiceAddresses, thumbprint 0000000000000000000000000000000000000001,True")
        let ca = "[TamperProtection] Blob embedded certs:DigiCert Global Root G2|3/8/2013|3/8/2023|DF3C24F9BFD666761B268073FE06D1CC8D4F82A4"
        XCTAssertEqual(r.redact(ca), ca, "public CA thumbprints stay")
        XCTAssertEqual(r.redact("Registered channel URI: https://wns2-bl2p.notify.windows.com/?token=AwYAAABaAY8uZ7%2bHLVBLoYzKucYp%2fXhfQ%3d,09/15/2025"),
                       "Registered channel URI: https://wns2-bl2p.notify.windows.com/?token=REDACTED-TOKEN-1,09/15/2025")
    }

    func testRedactingRedactedTextChangesNothing() throws {
        let text = try String(contentsOfFile: TestSupport.imeLogs + "/ime2021_agent-start.log", encoding: .utf8)
            + "\nAfter impersonation: AzureAD\\AdeleVance, WORKSTATION-7\\jdoe, C:\\Users\\jdoe\\x, S-1-12-1-1-2-3-4, a@contoso.com,"
            + " MdmDeviceCertificate AACF578E17085FD72BDF697EC2E97D55073858FA ?token=AwYAAABaAY8uZ7%2bHLVBLoYzKucYp user \(user)\n"
        let once = IMERedactor(appIDs: []).redact(text)
        XCTAssertNotEqual(once, text)
        XCTAssertEqual(IMERedactor(appIDs: []).redact(once), once, "a fresh redactor finds nothing left")
        let same = IMERedactor(appIDs: [])
        XCTAssertEqual(same.redact(same.redact(text)), once, "the same redactor neither")
    }

    func testLearnedNamesApplyToEarlierLinesAfterLearn() {
        let earlier = "Processing session id 1 done for WORKSTATION-7_jdoe"
        let later = "After impersonation: WORKSTATION-7\\jdoe"
        let r = IMERedactor(appIDs: [])
        r.learn(earlier)
        r.learn(later)
        XCTAssertEqual(r.redact(earlier), "Processing session id 1 done for DEVICE1_user1")
        XCTAssertEqual(r.redact(later), "After impersonation: DEVICE1\\user1")
    }

    func testHostileInputNeitherCrashesNorStalls() {
        let r = IMERedactor(appIDs: [])
        let big = 1 << 20
        let inputs: [String] = [
            String(repeating: "a", count: big) + "@" + String(repeating: "b", count: big) + ".com",
            String(repeating: "a@", count: big / 2),
            String(repeating: "S-1-5-21-", count: big / 9),
            String(repeating: "S-1-12-1-4294967295-", count: big / 20) + "1",
            String(repeating: "AzureAD\\", count: big / 8) + "AzureAD_",
            String(repeating: "token=", count: big / 6) + "thumbprint" + "MdmDeviceCertificate : ",
            String(repeating: "C:\\Users\\", count: big / 9),
            String(repeating: "0123456789abcdef-", count: big / 17) + "01234567-89ab-cdef-0123-4567",
            String(repeating: "After impersonation: ", count: big / 21) + "X\\",
            String(repeating: "é\\", count: big / 3),
            "", "@", "S-1-", "AzureAD", "\\Users\\", "token=",
        ]
        let start = Date()
        for (n, input) in inputs.enumerated() {
            let t = Date()
            _ = r.redact(input)
            if ProcessInfo.processInfo.environment["REDACT_TIMES"] != nil { print("hostile input \(n): \(Date().timeIntervalSince(t)) s") }
        }
        var bytes = [UInt8](repeating: 0xFF, count: big)
        bytes.replaceSubrange(10..<46, with: Array(user.utf8))
        XCTAssertNotNil(bytes.withUnsafeBufferPointer { r.redact(bytes: $0) }, "invalid UTF-8 around a GUID")
        // Linear scanners: about a second for all of this in a debug build; a quadratic one would take minutes.
        XCTAssertLessThan(Date().timeIntervalSince(start), 20)
    }

    // MARK: app ids

    func testAppIDsFromStrongContextsOnly() {
        let a = "11111111-1111-4111-8111-111111111111", b = "22222222-2222-4222-8222-222222222222", c = "33333333-3333-4333-8333-333333333333"
        let strong: [(String, [String])] = [
            ("Get policies = [{\"Id\":\"\(a)\",\"Name\":\"X\",\"AssignmentFilterIds\":[\"\(b)\"]}]", [a]),
            ("[Win32App][V3Processor] Processing subgraph with app ids: \(a), \(b),\(c)", [a, b, c]),
            ("[Win32App][ActionProcessor] Found: 2 apps with intent to install: [\(a), \(b)].", [a, b]),
            ("[Win32App][ActionProcessor] App with id: \(a), targeted intent: RequiredInstall", [a]),
            ("[Win32App] Downloading app (id = \(a), name X) via DO", [a]),
            ("Saved AppInstallStatusReport for user \(b) for app \(a)", [a]),
            ("Sending status update for user with id: \(b) and app: \(a).", [a]),
            ("[Win32App][DetectionActionHandler] Detection running for policy with id: \(a).", [a]),
            ("ReportingState: {\"ApplicationId\":\"\(a)\",\"UserId\":\"\(b)\"}", [a]),
            ("Cleaning up staged content C:\\Windows\\IMECache\\\(a)_3", [a]),
            ("removing content from cache C:\\Program Files (x86)\\Microsoft Intune Management Extension\\Content\\Incoming\\\(a)_1.bin", [a]),
            ("Found GRS value: 03/17/2026 19:43:28 at key \(b)\\GRS\\5Qc5QpbCtV2nWC1F35REpEjkdOMaEd4gwbMcoP3hDDA=\\\(a).", [a]),
            ("[Win32App] ExecManager: processing targeted app (name='X', id='\(a)') with intent=3", [a]),
        ]
        for (message, expected) in strong {
            XCTAssertEqual(IMERedactor.appIDs(in: [CMTraceRecord(kind: .text, message: message)]), Set(expected), message)
        }
        let weak = [
            "[PowerShell] Processing user session 1, user id = \(a)",
            "[HS] Processing policy with id = \(a)",
            "C:\\Windows\\IMECache\\HealthScripts\\\(a)_8\\detect.ps1",
            "Calculating desired states for subgraph with id: \(a).",
            "{\"Id\":\"\(a)\"}",
            "Account ID is : \(a) Device Id is : \(b)",
        ]
        for message in weak { XCTAssertEqual(IMERedactor.appIDs(in: [CMTraceRecord(kind: .text, message: message)]), [], message) }
    }

    func testRedactedSampleAnalysesTheSame() throws {
        let path = TestSupport.imeLogs + "/ime2021_available-app_install-failed-exit1-unmapped.log"
        let original = try IMELogAnalyzer.analyze(paths: [path])
        var ids = try IMERedactor.appIDs(inFiles: [path])
        XCTAssertFalse(ids.isEmpty)
        ids.formUnion(original.apps.map(\.id))
        let folder = try temporaryFolder()
        try IMELogRedaction.writeRedactedCopies(of: [path], to: folder, appIDs: ids)
        let redacted = try IMELogAnalyzer.analyze(paths: [folder + "/" + (path as NSString).lastPathComponent])
        XCTAssertEqual(redacted.recordCount, original.recordCount)
        XCTAssertEqual(redacted.apps.map(\.id), original.apps.map(\.id))
        XCTAssertEqual(redacted.apps.map { $0.checkIns.map { $0.phases.map(\.kind) } }, original.apps.map { $0.checkIns.map { $0.phases.map(\.kind) } })
        XCTAssertEqual(redacted.findings.map(\.kind), original.findings.map(\.kind))
    }

    // MARK: redacted copies

    private func temporaryFolder() throws -> String {
        let folder = NSTemporaryDirectory() + "imeredact-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        return folder
    }

    func testCopiesAreByteForByteExceptTheReplacements() throws {
        let folder = try temporaryFolder()
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let first = "<![LOG[[Win32App] WindowsSID : S-1-12-1-2884045568-1247733902-2021144510-3140470914]LOG]!><time=\"11:54:37.7067748\" date=\"3-24-2026\" component=\"AppWorkload\" context=\"\" type=\"1\" thread=\"76\" file=\"\">\r\n"
        let second = "<![LOG[Processing session id 1 done for WORKSTATION-7_jdoe\r\nsecond line of the record, user \(user)]LOG]!><time=\"11:54:37.7067748\" date=\"3-24-2026\" component=\"AppWorkload\" context=\"\" type=\"1\" thread=\"76\" file=\"\">\r\n"
        let third = "<![LOG[After impersonation: WORKSTATION-7\\jdoe, App with id: \(app)]LOG]!><time=\"11:54:37.7067748\" date=\"3-24-2026\" component=\"AppWorkload\" context=\"\" type=\"1\" thread=\"76\" file=\"\">"
        let source = folder + "/AppWorkload.log"
        let original = bom + Array(first.utf8) + Array(second.utf8) + bom + Array(third.utf8)
        try TestSupport.writeFile(source, original)
        let out = folder + "/out"
        let written = try IMELogRedaction.writeRedactedCopies(of: [source], to: out, redactor: IMERedactor(appIDs: [app]))
        XCTAssertEqual(written, [out + "/AppWorkload.log"])
        let expected = bom + Array(first.replacingOccurrences(of: "S-1-12-1-2884045568-1247733902-2021144510-3140470914", with: "S-1-12-1-0-0-0-1").utf8)
            + Array(second.replacingOccurrences(of: "WORKSTATION-7_jdoe", with: "DEVICE1_user1").replacingOccurrences(of: user, with: guid(1)).utf8)
            + bom + Array(third.replacingOccurrences(of: "WORKSTATION-7\\jdoe", with: "DEVICE1\\user1").utf8)
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: written[0]))), expected)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), ["AppWorkload.log"], "no temporary file left")

        // Not overwritten unless asked; never over the log itself; two logs of the same name refused.
        XCTAssertThrowsError(try IMELogRedaction.writeRedactedCopies(of: [source], to: out, redactor: IMERedactor(appIDs: []))) { error in
            XCTAssertEqual((error as? IntuneWinError)?.remedy, .allowOverwrite)
        }
        try IMELogRedaction.writeRedactedCopies(of: [source], to: out, redactor: IMERedactor(appIDs: []), overwrite: true)
        XCTAssertNotEqual(Array(try Data(contentsOf: URL(fileURLWithPath: written[0]))), expected, "rewritten: the app id is no longer kept")
        XCTAssertThrowsError(try IMELogRedaction.writeRedactedCopies(of: [source], to: folder, redactor: IMERedactor(appIDs: []), overwrite: true))
        XCTAssertThrowsError(try IMELogRedaction.writeRedactedCopies(of: [source, written[0]], to: folder + "/other", redactor: IMERedactor(appIDs: [])))
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: source))), original, "source untouched")
    }

    func testUTF16LogsStayUTF16() throws {
        let folder = try temporaryFolder()
        let text = "<![LOG[user \(user)]LOG]!>\r\n<![LOG[no identifier]LOG]!>\r\n"
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in text.utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        try TestSupport.writeFile(folder + "/IntuneManagementExtension.log", bytes)
        let written = try IMELogRedaction.writeRedactedCopies(of: [folder + "/IntuneManagementExtension.log"], to: folder + "/out", redactor: IMERedactor(appIDs: []))
        var expected: [UInt8] = [0xFF, 0xFE]
        for unit in text.replacingOccurrences(of: user, with: guid(1)).utf16 { expected += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: written[0]))), expected)
    }

    // MARK: the redacted real-device fixtures

    /// SHA-256 of the identifiers the original device logs hold (lower case): the user, tenant and device
    /// ids, the enrollment ids, a customer id, both SIDs, the certificate thumbprints, the account and
    /// computer names and the WNS token's first word. Digests, so the test does not carry the identifiers.
    private static let originalIdentifierDigests: Set<String> = [
        "33232a653ff5204a201f9cc6b378597bb00874b0cc8c3d93cf9afed5ced0b2dd", "7befd530736ff9787c9f5c2ac43e543f9a4687c3d32827da43c7eda97df44eec",
        "6305588ec5ffa9dc8c3b3820669ae6de2cff670b770222bb034425916ac836d7", "5f35b7f6d47f9177d0a7f5674126ca56ec3924562b4ded20c6629881709d3a1d",
        "cadebcec6beb660667f422f7c99623674135b2d90150417a7738b68df81daf95", "79eeed47cccbf22c14d93101e75bb3f9c75e97726d8ca08ddeb31a73644bb2b5",
        "e38fa4c7dd56e634c93278540c31c60b97c88e8a01a6f7d82a85b7697b5afc33", "8b451ecac8a2a236bdf13b2a31b727f93f0ad905c9e7e62bb79bdf23f701e3ea",
        "eb5664902617f0e6f75a3dbf9519b31018337105d1bc3bcfc5c3955785d3fa90", "589d15fede4ebe8083ef62d0e0c1e355966e68027c1f2bc88e5f8d6ceaa31e03",
        "2faad65a8ca2f88aed8496486acde58539dd46be6e9bdf20c9c1c01d1d27e609", "ab1b43f5880ef2ed3fc18c1b9ee1fdf784bd7eb4552d11649c222eb9d27afd0d",
        "04adc2618378918f2e0898b41e5c7292a5e40e596f627a761ddaffca0ce61ea5", "762cf19186b7882539772b21f9835d521f1f1bd119cd9ca0835fc83aefc7b8a8",
        "f8dbd50d771934f62fec10237163d44bf59306f09c7d63e539a22e6986d1c8e3", "76e92059cea2d3c728a5aa473d7364e525634d99e5b072a249d23593bbb9b245",
        "ad04d400895afe886d73591c7c8041f83a964f2bfca1419edbb4bb1fe5a95949", "8233ac8adab9c9e79b723daa01917b486f3c8ecae1cadc4a6aef055ca00f56a7",
    ]

    /// The distinct words (runs of letters, digits and `-`, lower case, 4 to 64 long) of a file.
    static func words(of path: String) throws -> Set<String> {
        var words: Set<String> = []
        try IMELogRedaction.forEachLine(of: path) { line, _ in
            var start = -1
            for k in 0...line.count {
                let c: UInt8 = k < line.count ? line[k] : 0x20
                if IMERedactionBytes.isAlnum(c) || c == UInt8(ascii: "-") {
                    if start < 0 { start = k }
                } else if start >= 0 {
                    if (4...64).contains(k - start) { words.insert(String(decoding: line[start..<k].map(IMERedactionBytes.lower), as: UTF8.self)) }
                    start = -1
                }
            }
        }
        return words
    }

    static let deviceFixtures = ["device-2026/AppWorkload-20260324-092249.log", "device-2026/AppWorkload.log", "device-2026/AppActionProcessor.log",
                                 "device-2026/IntuneManagementExtension.log", "device-2026/AgentExecutor.log", "device-2025/IntuneManagementExtension.log"]

    func testRedactedFixturesHoldNoOriginalIdentifier() throws {
        var seen = 0
        for name in Self.deviceFixtures {
            let words = try Self.words(of: TestSupport.imeLogs + "/" + name)
            seen += words.count
            let hits = words.filter { Self.originalIdentifierDigests.contains(SHA256.hash(Array($0.utf8)).map { String(format: "%02x", $0) }.joined()) }
            XCTAssertEqual(hits.count, 0, "\(name): \(hits.count) original identifier(s) left (not printed)")
        }
        XCTAssertGreaterThan(seen, 10_000, "the fixtures were read")
        // The digests are of words as this test cuts them: the placeholders' words are not among them.
        for word in ["00000000-0000-4000-8000-000000000001", "s-1-12-1-0-0-0-1", "user1", "device1"] {
            XCTAssertFalse(Self.originalIdentifierDigests.contains(SHA256.hash(Array(word.utf8)).map { String(format: "%02x", $0) }.joined()))
        }
    }

    func testRedactedFixturesHoldNothingLeftToRedact() throws {
        let paths = Self.deviceFixtures.map { TestSupport.imeLogs + "/" + $0 }
        var ids = try IMERedactor.appIDs(inFiles: paths)
        XCTAssertGreaterThan(ids.count, 60, "the app ids are in the fixtures")
        ids.formUnion(try IMELogAnalyzer.analyze(paths: paths).apps.map(\.id))
        let redactor = IMERedactor(appIDs: ids)
        for path in paths {
            var lineNumber = 0
            var problems: [String] = []
            try IMELogRedaction.forEachLine(of: path) { line, _ in
                lineNumber += 1
                if redactor.redact(bytes: line) != nil { problems.append("line \(lineNumber): an identifier the redactor replaces") }
                for problem in Self.independentChecks(line, appIDs: ids) { problems.append("line \(lineNumber): \(problem)") }
            }
            XCTAssertGreaterThan(lineNumber, 100)
            XCTAssertEqual(problems.count, 0, "\((path as NSString).lastPathComponent): " + problems.prefix(5).joined(separator: "; "))
        }
    }

    func testIndependentChecksSeeUnredactedLines() {
        let line = "user \(user) app \(app) sid S-1-12-1-2884045568-1247733902-2021144510-3140470914 After impersonation: AzureAD\\AdeleVance, adele@contoso.com"
        let problems = Array(line.utf8).withUnsafeBufferPointer { Self.independentChecks($0, appIDs: [app]) }
        XCTAssertEqual(problems.sorted(), ["a GUID that is neither an app id nor a placeholder", "a SID", "an account name", "an e-mail address"])
        let redacted = IMERedactor(appIDs: [app]).redact(line)
        XCTAssertEqual(Array(redacted.utf8).withUnsafeBufferPointer { Self.independentChecks($0, appIDs: [app]) }, [])
    }

    /// Checks written apart from the redactor's scanners (plain byte tests, no word boundaries): what kind of
    /// identifier a line still holds; never the identifier itself.
    static func independentChecks(_ b: UnsafeBufferPointer<UInt8>, appIDs: Set<String>) -> [String] {
        var problems: [String] = []
        let text = String(decoding: b, as: UTF8.self).lowercased()
        let l = Array(text.utf8)
        func lowered(_ from: Int, _ to: Int) -> String { String(decoding: l[max(0, from)..<min(l.count, to)], as: UTF8.self) }
        l.withUnsafeBufferPointer { l in
            // Every 8-4-4-4-12 hex run, wherever it is: a placeholder, the nil GUID, an app id or a vendor code.
            var i = 0
            while i + 36 <= l.count {
                if l[i + 8] == UInt8(ascii: "-"), IMERedactionBytes.isGUID(l, at: i) {
                    let id = lowered(i, i + 36), before = lowered(i - 40, i)
                    let vendor = ["product", "uninstall", "package cache", "msiexec", "clientstate"].contains { before.contains($0) }
                    if !(id.hasPrefix("00000000-0000-4000-8000-") || id == "00000000-0000-0000-0000-000000000000" || appIDs.contains(id) || vendor) {
                        problems.append("a GUID that is neither an app id nor a placeholder")
                    }
                    i += 36
                } else {
                    i += 1
                }
            }
            // SIDs of users and domains: placeholders only.
            for prefix in ["s-1-12-1-", "s-1-5-21-"] as [StaticString] {
                IMERedactionBytes.forEach(prefix, in: l) { k in
                    if !IMERedactionBytes.startsWith(l, at: k + prefix.utf8CodeUnitCount, "0-0-0-"), k + prefix.utf8CodeUnitCount < l.count,
                       IMERedactionBytes.isDigit(l[k + prefix.utf8CodeUnitCount]) { problems.append("a SID") }
                    return true
                }
            }
            // Account names after AzureAD\ or AzureAD_: placeholders only.
            IMERedactionBytes.forEach("azuread", in: l) { k in
                var j = k + 7
                while j < l.count, l[j] == UInt8(ascii: "\\") || l[j] == UInt8(ascii: "_") { j += 1 }
                guard j > k + 7 else { return true }
                let name = lowered(j, IMERedactionBytes.runEnd(l, from: j, limit: 64) { IMERedactionBytes.isAlnum($0) || $0 == UInt8(ascii: "-") })
                if !(name.hasPrefix("user") && name.count > 4 && name.dropFirst(4).allSatisfy(\.isNumber)) { problems.append("an account name") }
                return true
            }
            // Addresses: whatever is around an @ followed by a dotted name is example.invalid.
            IMERedactionBytes.forEach("@", in: l) { k in
                let domain = lowered(k + 1, IMERedactionBytes.runEnd(l, from: k + 1, limit: 255) { IMERedactionBytes.isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") })
                let local = k > 0 && (IMERedactionBytes.isAlnum(l[k - 1]) || l[k - 1] == UInt8(ascii: "."))
                if local, domain.contains("."), !domain.hasPrefix(IMERedactionKind.emailDomain) { problems.append("an e-mail address") }
                return true
            }
        }
        return problems
    }
}
