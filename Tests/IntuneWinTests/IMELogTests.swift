import Foundation
import XCTest
@testable import IntuneWin

/// Each sample in Tests/Fixtures/ime-logs, with expectations read from the sample text itself.
final class IMELogTests: XCTestCase {
    static let logs = TestSupport.imeLogs

    private func report(_ name: String) throws -> IMELogReport { try IMELogAnalyzer.analyze(paths: [Self.logs + "/" + name]) }

    private func report(text: String) throws -> IMELogReport {
        let analyzer = IMELogAnalyzer()
        try CMTraceReader(bytes: Array(text.utf8), source: "synthetic").forEach { analyzer.add($0) }
        return analyzer.report()
    }

    private func ts(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, _ ms: Int) -> String {
        LogTimestamp(year: y, month: mo, day: d, hour: h, minute: mi, second: s, nanoseconds: ms * 1_000_000).description
    }

    /// The phase kinds in order of first appearance.
    private func order(_ attempt: IMECheckIn) -> [IMEPhase.Kind] {
        var seen: [IMEPhase.Kind] = []
        for phase in attempt.phases where !seen.contains(phase.kind) { seen.append(phase.kind) }
        return seen
    }

    func testFailedExit1Unmapped() throws {
        let r = try report("ime2021_available-app_install-failed-exit1-unmapped.log")
        let app = try XCTUnwrap(r.apps.first { $0.id == "48dba220-a72d-4db0-963a-91b701f43c54" })
        XCTAssertEqual(r.apps.map(\.id), ["48dba220-a72d-4db0-963a-91b701f43c54"])
        XCTAssertEqual(app.name, "Citrix Workspace 21.8.0.4026")
        XCTAssertEqual(app.version, "1")
        XCTAssertEqual(app.intent, 1)
        XCTAssertEqual(app.installCommand, "PatchMyPC-ScriptRunner.exe /InstallPackage")
        XCTAssertEqual(app.installContext, "system")
        XCTAssertEqual(app.detectionTypes, [3])
        XCTAssertEqual(app.checkIns.count, 1)
        let a = app.checkIns[0]
        XCTAssertEqual(a.thread, 8)
        XCTAssertEqual(a.detectedBefore, false)
        XCTAssertEqual(a.applicability, "Applicable")
        XCTAssertEqual(a.download?.mode, "DO")
        XCTAssertEqual(a.download?.finishedBytes, 152_745_173)
        XCTAssertEqual(a.download?.milliseconds, 24_445)
        XCTAssertEqual(a.processID, 4684)
        XCTAssertEqual(a.installContext, "machine")
        XCTAssertEqual(a.exitCode, 1)
        XCTAssertEqual(a.hresult, -2_147_024_895)
        XCTAssertEqual(a.hresult.map(IMEFindings.hex), "0x80070001")
        XCTAssertEqual(a.exitCodeMapping, "unmapped")
        XCTAssertEqual(a.detectedAfter, false)
        // Every app runs through IME's dependency chain; the status service reports progress as it goes.
        XCTAssertEqual(order(a), [.policyReceived, .processing, .dependency, .detectionBefore, .applicability, .reporting, .grs, .download,
                                  .contentInfo, .downloadProgress, .hashValidation, .decryption, .unzip, .install, .exitCode,
                                  .detectionAfter, .cleanupIMECache])
        XCTAssertEqual(a.download?.samples.map(\.bytes).last, a.download?.totalBytes, "the DO progress reached the encrypted size")
        XCTAssertEqual(a.download?.totalBytes, 152_745_232)
        XCTAssertEqual(a.reported?.status, "Failed")
        XCTAssertEqual(a.outcome.kind, .failed)
        XCTAssertEqual(a.first(.install)?.time?.description, ts(2021, 9, 16, 22, 57, 4, 432))
        XCTAssertEqual(a.first(.exitCode)?.time?.description, ts(2021, 9, 16, 23, 3, 21, 697))
        // The failed install keeps the .bin: no Incoming cleanup, IMECache still removed.
        XCTAssertNil(a.first(.cleanupIncoming))
        let cleanup = try XCTUnwrap(a.first(.cleanupIMECache))
        XCTAssertEqual(cleanup.time?.description, ts(2021, 9, 16, 23, 3, 38, 416))
        XCTAssertEqual(cleanup.detail, #"C:\Windows\IMECache\48dba220-a72d-4db0-963a-91b701f43c54_1"#)
        XCTAssertEqual(r.findings.map(\.kind), [.unmappedExitCode])
        XCTAssertTrue(r.findings.first?.evidence.contains { $0.text == "[Win32App] lpExitCode 1" } == true)
        let advice = try XCTUnwrap(r.findings.first?.suggestion)
        XCTAssertFalse(advice.contains("if it means success"), advice)
        XCTAssertTrue(advice.contains("only if the vendor documents it"), "exit 1 is never advised as a success without the vendor saying so: \(advice)")
        XCTAssertEqual(r.fragmentCount, 0)
    }

    func testSuccessCleanupOrder() throws {
        let r = try report("ime2021_available-app_install-success_cleanup.log")
        XCTAssertEqual(r.apps.map(\.id), ["f86744e0-2d10-415f-bca5-76e6e1b075e9"])
        let a = try XCTUnwrap(r.apps.first?.checkIns.first)
        XCTAssertEqual(r.apps[0].checkIns.count, 1)
        XCTAssertEqual(a.thread, 11)
        XCTAssertEqual(a.processID, 3776)
        XCTAssertEqual(a.exitCode, 0)
        XCTAssertEqual(a.hresult, 0)
        XCTAssertEqual(a.exitCodeMapping, "Success")
        XCTAssertEqual(a.detectedBefore, false)
        XCTAssertEqual(a.detectedAfter, true)
        let incoming = try XCTUnwrap(a.first(.cleanupIncoming))
        let imeCache = try XCTUnwrap(a.first(.cleanupIMECache))
        XCTAssertEqual(incoming.time?.description, ts(2021, 9, 16, 23, 55, 50, 808))
        XCTAssertTrue(incoming.detail.hasSuffix(#"Content\Incoming\f86744e0-2d10-415f-bca5-76e6e1b075e9_1.bin"#))
        XCTAssertEqual(imeCache.time?.description, ts(2021, 9, 16, 23, 55, 55, 998))
        let phases = a.phases.map(\.kind)
        XCTAssertLessThan(try XCTUnwrap(phases.firstIndex(of: .cleanupIncoming)), try XCTUnwrap(phases.firstIndex(of: .cleanupIMECache)))
        XCTAssertLessThan(try XCTUnwrap(phases.firstIndex(of: .exitCode)), try XCTUnwrap(phases.firstIndex(of: .detectionAfter)))
        XCTAssertEqual(r.findings, [])
    }

    func testReevaluationAlreadyDetected() throws {
        let r = try report("ime2021_available-app_reeval_already-detected.log")
        let a = try XCTUnwrap(r.apps.first { $0.id == "f86744e0-2d10-415f-bca5-76e6e1b075e9" }?.checkIns.first)
        XCTAssertEqual(a.detectedBefore, true)
        XCTAssertNil(a.first(.download))
        XCTAssertNil(a.first(.install))
        XCTAssertNil(a.exitCode)
        XCTAssertEqual(r.findings, [])
    }

    func testDOJobErrorCDNFallback() throws {
        let r = try report("ime2020_do-job-error_cdn-fallback.log")
        let app = try XCTUnwrap(r.apps.first { $0.id == "54bea6da-9d3f-4933-968e-6532b0c2a091" })
        let a = try XCTUnwrap(app.checkIns.first)
        XCTAssertEqual(a.download?.mode, "CDN")
        XCTAssertEqual(order(a), [.downloadFailure, .cdnFallback, .download])
        let finding = try XCTUnwrap(r.findings.first { $0.kind == .downloadFallback })
        XCTAssertEqual(finding.appID, app.id)
        XCTAssertTrue(finding.evidence.contains { $0.text == "Job has failed. Error: 80070005" })
        XCTAssertTrue(finding.evidence.contains { $0.text.hasPrefix("[Win32App] CDN mode, content raw URL is") })
    }

    func testCopyExportStepsCleanupAndTimeout() throws {
        let r = try report("ime2020-2022_cmtrace-copy-export_step-sequence_cleanup_timeout.tsv.log")
        let app = try XCTUnwrap(r.apps.first { $0.id == "b213bd21-8f4f-4711-81c6-558ef3c18a23" })
        XCTAssertEqual(app.name, "Cisco AnyConnect Secure Mobility Client")
        let a = try XCTUnwrap(app.checkIns.first)
        XCTAssertEqual(a.first(.cleanupIncoming)?.time, LogTimestamp(year: 2020, month: 6, day: 11, hour: 9, minute: 2, second: 2))
        XCTAssertEqual(a.first(.cleanupIMECache)?.time, LogTimestamp(year: 2020, month: 6, day: 11, hour: 9, minute: 2, second: 7))
        // The timeout lines are from 2022 and name no app: a device-level finding.
        let timeout = try XCTUnwrap(r.findings.first { $0.kind == .timeout })
        XCTAssertNil(timeout.appID)
        XCTAssertEqual(timeout.evidence.map(\.text), ["[Win32App] Installation is timeout, collecting result",
                                                      "[Win32App] installer is running timeout, skip staged content clean up."])
    }

    func testMessageOnlyAutopilotLines() throws {
        let r = try report("ime_autopilotmonitor_reallines_guid-neutralized_message-only.log")
        let id = "5c95bf94-1cf4-4629-88d1-3f616e7a405c"
        let kinds = Set(r.findings.filter { $0.appID == id }.map(\.kind))
        // `DO download is not finished after 600 seconds, timeout`: IME stopped waiting, a timeout.
        XCTAssertEqual(kinds, [.unmappedExitCode, .stuckInGRS, .downloadTimedOut])
        let advice = try XCTUnwrap(r.findings.first { $0.kind == .unmappedExitCode }?.suggestion)
        XCTAssertTrue(advice.contains("MSI log"), "1603 leads to the MSI log: \(advice)")
        XCTAssertFalse(advice.contains("if it means success"), advice)
        XCTAssertEqual(r.apps.first { $0.id == id }?.checkIns.first?.exitCode, 1603)
    }

    func testScriptDetectionThenC0000142() throws {
        let r = try report("appworkload2025_0xC0000142_sanitized_message-only.log")
        let a = try XCTUnwrap(r.apps.first { $0.id == "cccccccc-9999-0000-1111-222222222222" }?.checkIns.first)
        XCTAssertEqual(a.exitCode, 3_221_225_794)
        XCTAssertEqual(a.hresult.map(IMEFindings.hex), "0x80070142")
        XCTAssertEqual(a.processID, 15660)
        XCTAssertEqual(a.exitCodeMapping, "unmapped")
        XCTAssertEqual(a.installCommand, "Invoke-AppDeployToolkit.exe -DeploymentType Install -DeployMode Silent")
        XCTAssertEqual(r.findings.map(\.kind), [.crash])
        XCTAssertEqual(a.outcome.kind, .crashed)
        // A crash code is decoded and never offered as a success to map.
        let finding = r.findings[0]
        XCTAssertTrue(finding.summary.contains("0xC0000142 STATUS_DLL_INIT_FAILED"), finding.summary)
        XCTAssertFalse(finding.suggestion?.contains("means success") ?? true, "\(String(describing: finding.suggestion))")
        XCTAssertTrue(finding.suggestion?.contains("do not map") ?? false, "\(String(describing: finding.suggestion))")
    }

    func testExitCodeMeanings() {
        XCTAssertEqual(ExitCodeMeaning(3_221_225_794).name, "STATUS_DLL_INIT_FAILED")
        XCTAssertTrue(ExitCodeMeaning(0xC000_0005).isCrash)
        XCTAssertEqual(ExitCodeMeaning(0xC000_0135).description, "0xC0000135 STATUS_DLL_NOT_FOUND: a DLL the program needs was not found (a missing runtime?)")
        XCTAssertTrue(ExitCodeMeaning(0xC0AB_CDEF).isCrash, "any NTSTATUS error is a crash, named or not")
        XCTAssertEqual(ExitCodeMeaning(1603).name, "ERROR_INSTALL_FAILURE")
        XCTAssertFalse(ExitCodeMeaning(1603).isCrash)
        XCTAssertEqual(ExitCodeMeaning(0x8007_0643).name, "HRESULT_FROM_WIN32(ERROR_INSTALL_FAILURE)")
        XCTAssertFalse(ExitCodeMeaning(0x8007_0643).isCrash, "an HRESULT is a result, not a crash")
        XCTAssertEqual(ExitCodeMeaning(1).hex, "0x00000001")
        XCTAssertNil(ExitCodeMeaning(1).name)
    }

    func testScriptInstaller7Zip() throws {
        let r = try report("appworkload2026_ps-script-installer_7zip_message-only.log")
        XCTAssertEqual(r.apps.map(\.id), ["6e0911dd-6755-4eb7-8a75-ba02e685232b"])
        let app = r.apps[0]
        XCTAssertEqual(app.name, "GBL-WIN11-7z2501-x64")
        XCTAssertEqual(app.intent, 1)
        XCTAssertEqual(app.installCommand, #"msiexec /i "7z2501-x64.msi" /qn"#)
        let a = try XCTUnwrap(app.checkIns.first)
        XCTAssertEqual(a.download?.mode, "CDN")
        XCTAssertEqual(a.exitCode, 0)
        XCTAssertEqual(order(a), [.policyReceived, .reporting, .download, .unzip, .exitCode])
        XCTAssertEqual(a.reported?.status, "Installed")
        XCTAssertTrue(a.installCommand?.hasPrefix(#""C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -NoProfile"#) == true, "\(String(describing: a.installCommand))")
        XCTAssertEqual(r.findings, [])
    }

    func testDependencyChainApps() throws {
        let r = try report("ime2021_dependency-chain_processing.log")
        XCTAssertEqual(r.apps.map(\.name), ["Copy Json v3", "Cisco AnyConnect Secure Mobility Client - 4.10",
                                            "Cisco AnyConnect Umbrella Roaming Security Module - 4.10"])
        XCTAssertEqual(r.apps.first?.intent, 3)
    }

    /// The success flow with a failed post-install detection: the cleaner race.
    func testCleanerRace() throws {
        var text = try String(contentsOfFile: Self.logs + "/ime2021_available-app_install-success_cleanup.log", encoding: .utf8)
        let detection = try XCTUnwrap(text.range(of: "===Step=== Detection rules after Execution"))
        text.replaceSubrange(detection.lowerBound..<text.endIndex, with: text[detection.lowerBound...]
            .replacingOccurrences(of: "applicationDetectedByCurrentRule: True", with: "applicationDetectedByCurrentRule: False")
            .replacingOccurrences(of: "result of applicationDetected: True", with: "result of applicationDetected: False"))
        let r = try report(text: text)
        let race = try XCTUnwrap(r.findings.first { $0.kind == .cleanerRace })
        XCTAssertEqual(race.appID, "f86744e0-2d10-415f-bca5-76e6e1b075e9")
        XCTAssertTrue(race.suggestion?.contains("nested-zip") == true)
        XCTAssertTrue(race.evidence.contains { $0.text.hasPrefix("Cleaning up staged content C:\\Windows\\IMECache\\f86744e0") })
        XCTAssertTrue(race.evidence.contains { $0.text == "[Win32App] lpExitCode 0" })
    }

    func testContentInfoDecryptInfo() throws {
        let r = try report("ime2021_available-app_install-failed-exit1-unmapped.log")
        let record = try XCTUnwrap(r.apps.first?.contentInfo.first)
        let info = try XCTUnwrap(IMEContentInfo(record))
        XCTAssertEqual(info.applicationID, "48dba220-a72d-4db0-963a-91b701f43c54")
        XCTAssertEqual(info.uploadLocation, "http://swda01.manage.microsoft.com/62510dfd-d6eb-4ef7-b613-a54f06320c37/68a7c8c8-3efd-4f84-b788-e0f4cb51583e/1f22125a-afcc-4ff3-a14d-28851d6f75a9.intunewin.bin")
        XCTAssertEqual(info.originalSize, 152_745_173)
        let decrypt = try XCTUnwrap(try info.decryptInfo())
        XCTAssertEqual(decrypt.recipients.count, 1)
        XCTAssertEqual(decrypt.recipientThumbprints.map { $0.uppercased() }, ["0346CA9B04AB3F85F7FE639F34C9715B99CAFF9C"])
    }

    /// Every sample reads without error; CMTrace samples yield only the one known fragment.
    func testEverySampleReads() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.logs).filter { $0.hasSuffix(".log") }.sorted()
        XCTAssertEqual(names.count, 16)
        for name in names {
            let r = try report(name)
            XCTAssertGreaterThan(r.recordCount, 0, name)
            XCTAssertEqual(r.fragmentCount, name.contains("dirty-truncated") ? 1 : 0, name)
        }
    }
}

/// The byte-level paths (classifier, GUID rules, reader across chunk boundaries) against the String rules
/// they replace, on every sample, every fuzz input, and variants made from them.
extension IMELogTests {
    static var fuzz: String { TestSupport.fixtures + "/fuzz-regressions/cmtrace" }

    private static func samples() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: logs).filter { $0.hasSuffix(".log") }.sorted().map { logs + "/" + $0 }
    }

    /// Every message of the samples and fuzz inputs, and variants: IME's lead-ins, a non-ASCII tail,
    /// CR LF inside, every phrase alone and with a number or text after it.
    private static func messages() throws -> [String] {
        var out: [String] = []
        let fuzzFiles = try FileManager.default.contentsOfDirectory(atPath: fuzz).filter { $0.hasSuffix(".bin") }.map { fuzz + "/" + $0 }
        for path in try samples() + fuzzFiles {
            try CMTraceReader(path: path).forEach { out.append($0.message) }
        }
        var variants: [String] = []
        for m in out {
            variants += ["----" + m, "---->>" + m, m + " é", m + "\r\nnext", String(m.prefix(40))]
        }
        for marker in IMEMarker.allCases {
            let t = marker.text
            variants += [t, t + "12", " x " + t + "1,234.5 rest", t + "Detected", t + " true", t + "abc, def",
                         "[Win32App] " + t + "-7", t + "é", "----" + t + "3", t + "\u{301}5"]
        }
        variants += ["[Win32App] process id = 42", "[Win32App] lpExitCode 1603", "Job has failed.", "Get policies = [",
                     "processing targeted app (name='A', id='F86744E0-2D10-415F-BCA5-76E6E1B075E9') with intent=3",
                     "Processing app (id=f86744e0-2d10-415f-bca5-76e6e1b075e9, name = Citrix)", "Response from Intune = {",
                     "Unzipping file on session 1 to C:\\x", "Set EnforcementStateMessage EnforcementState: 5000, ErrorCode: -2016345060",
                     "", "-", "----", "---->>", "[", "é", "\r\n", "Get policies = \u{301}[]"]
        return out + variants
    }

    func testByteClassifierMatchesFoundationSearch() throws {
        let all = try Self.messages()
        XCTAssertGreaterThan(all.count, 5000)
        var classified = 0
        for m in all {
            var fastFlag = false, slowFlag = false
            let fast = IMEEvent.classify(m, installBehavior: &fastFlag)
            let slow = IMEEvent.classifyWithFoundation(m, installBehavior: &slowFlag)
            XCTAssertEqual(fast, slow, m)
            if case .policies = slow {} else { XCTAssertEqual(fastFlag, slowFlag, m) }
            if slow != nil { classified += 1 }
        }
        XCTAssertGreaterThan(classified, 500, "the variants reach the events")
    }

    /// The GUID scan and the app-id rules by bytes give what the String versions give.
    func testGUIDRulesMatchStringRules() throws {
        var checked = 0
        let extra = ["user f86744e0-2d10-415f-bca5-76e6e1b075e9", "app id: F86744E0-2D10-415F-BCA5-76E6E1B075E9_12 x",
                     "(id =f86744e0-2d10-415f-bca5-76e6e1b075e9)", "é app f86744e0-2d10-415f-bca5-76e6e1b075e9_1é",
                     "af86744e0-2d10-415f-bca5-76e6e1b075e9", "f86744e0-2d10-415f-bca5-76e6e1b075e9f",
                     "f86744e0-2d10-415f-bca5-76e6e1b075e9-2d10-415f-bca5-76e6e1b075e9", "\tapp\t f86744e0-2d10-415f-bca5-76e6e1b075e9_3-",
                     "APP:f86744e0-2d10-415f-bca5-76e6e1b075e9", " id = f86744e0-2d10-415f-bca5-76e6e1b075e9_"]
        for m in try Self.messages() + extra {
            let bytes = Array(m.utf8)
            XCTAssertEqual(IMEEvent.guids(in: m).map(\.id), Self.referenceGUIDs(bytes), m)
            bytes.withUnsafeBufferPointer { b in
                IMEEvent.forEachGUID(in: b) { i in
                    let before = Substring(String(decoding: b[max(0, i - 24)..<i], as: UTF8.self))
                    let after = Substring(String(decoding: b[(i + 36)..<min(b.count, i + 76)], as: UTF8.self))
                    XCTAssertEqual(IMELogAnalyzer.namesApp(b, guidAt: i), IMELogAnalyzer.namesApp(before: before, after: after), m)
                    checked += 1
                    return true
                }
            }
        }
        XCTAssertGreaterThan(checked, 100)
    }

    /// The GUID scan as first written: every offset, 8-4-4-4-12 hex, no hex digit touching either end.
    private static func referenceGUIDs(_ chars: [UInt8]) -> [String] {
        func isHex(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) }
        var out: [String] = []
        var i = 0
        while i + 36 <= chars.count {
            var j = i, ok = true
            for (k, n) in [8, 4, 4, 4, 12].enumerated() {
                for _ in 0..<n { if !isHex(chars[j]) { ok = false; break }; j += 1 }
                if !ok { break }
                if k < 4 { if chars[j] != UInt8(ascii: "-") { ok = false; break }; j += 1 }
            }
            if ok, i == 0 || !isHex(chars[i - 1]), j >= chars.count || !isHex(chars[j]) {
                out.append(String(decoding: chars[i..<j], as: UTF8.self).lowercased()); i = j
            } else {
                i += 1
            }
        }
        return out
    }

    /// Reading all samples concatenated (repeated past several 1 MiB read chunks) gives the records of
    /// reading them one by one, at the shifted lines, and the same report as feeding those to one analyzer.
    /// (Every sample ends with a newline and no open record, so concatenating does not join records.)
    func testConcatenationReadsLikeTheFilesOneByOne() throws {
        let paths = try Self.samples()
        XCTAssertEqual(paths.count, 16)
        let copies = 8
        var joined: [UInt8] = []
        var expected: [CMTraceRecord] = []
        var lineOffset = 0
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("imelog-concat-\(getpid()).log").path
        defer { try? FileManager.default.removeItem(atPath: target) }
        for _ in 0..<copies {
            for path in paths {
                let data = try XCTUnwrap(FileManager.default.contents(atPath: path))
                XCTAssertEqual(data.last, 0x0A, path)
                joined += data
                for var record in try CMTraceReader.records(path: path) {
                    record.source = target
                    record.line += lineOffset
                    expected.append(record)
                }
                lineOffset += data.filter { $0 == 0x0A }.count
            }
        }
        XCTAssertGreaterThan(joined.count, 2 * CMTraceReader.chunkSize, "crosses read-chunk boundaries")
        XCTAssertTrue(FileManager.default.createFile(atPath: target, contents: Data(joined)))
        let read = try CMTraceReader.records(path: target)
        XCTAssertEqual(read.count, expected.count)
        for (a, b) in zip(read, expected) where a != b { XCTFail("line \(b.line): \(a) != \(b)"); break }

        let oneByOne = IMELogAnalyzer()
        expected.forEach { oneByOne.add($0) }
        let want = oneByOne.report()
        let got = try IMELogAnalyzer.analyze(paths: [target])
        XCTAssertEqual(got.apps, want.apps)
        XCTAssertEqual(got.findings, want.findings)
        XCTAssertEqual(got.unattributed, want.unattributed)
        XCTAssertEqual(got.recordCount, want.recordCount)
        XCTAssertEqual(got.fragmentCount, want.fragmentCount)
        XCTAssertEqual(got.recordCount, copies * (try paths.map { try IMELogAnalyzer.analyze(paths: [$0]).recordCount }.reduce(0, +)))
    }

    /// Lines many read chunks long (a policy line can be megabytes) are found whole, and the lines after them too.
    func testLinesLongerThanManyReadChunks() throws {
        func record(_ message: String, line: Int) -> String {
            "<![LOG[\(message)]LOG]!><time=\"10:00:0\(line).000+000\" date=\"1-2-2024\" component=\"AppWorkload\" context=\"\" type=\"1\" thread=\"7\" file=\"\">"
        }
        let long = String(repeating: "[Win32App] a long message, ", count: 17 * CMTraceReader.chunkSize / 27)
        let text = record("first", line: 1) + "\r\n" + record(long, line: 2) + "\n" + record("two\nlines", line: 3) + "\n"
            + String(repeating: "x", count: 3 * CMTraceReader.chunkSize) + "\n" + record("last, no line end", line: 5)
        let bytes = Array(text.utf8)
        XCTAssertGreaterThan(bytes.count, 20 * CMTraceReader.chunkSize)
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("imelog-long-\(getpid()).log").path
        defer { try? FileManager.default.removeItem(atPath: target) }
        XCTAssertTrue(FileManager.default.createFile(atPath: target, contents: Data(bytes)))
        let read = try CMTraceReader.records(path: target)
        var inMemory: [CMTraceRecord] = []
        try CMTraceReader(bytes: bytes, source: target).forEach { inMemory.append($0) }
        XCTAssertEqual(read.map(\.message), ["first", long, "two\nlines", String(repeating: "x", count: 3 * CMTraceReader.chunkSize), "last, no line end"])
        XCTAssertEqual(read.map(\.line), [1, 2, 3, 5, 6])
        XCTAssertEqual(read, inMemory)
    }
}
