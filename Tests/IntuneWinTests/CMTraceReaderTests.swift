import Foundation
import XCTest
@testable import IntuneWin
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class CMTraceReaderTests: XCTestCase {
    static let logs = TestSupport.imeLogs

    private func read(_ text: String) throws -> [CMTraceRecord] {
        var all: [CMTraceRecord] = []
        try CMTraceReader(bytes: Array(text.utf8)).forEach { all.append($0) }
        return all
    }

    func testHeaderFieldsSevenDigitsNoBias() throws {
        let r = try read(#"<![LOG[EMS Agent Stopped]LOG]!><time="14:54:47.4106180" date="2-25-2025" component="IntuneManagementExtension" context="" type="1" thread="26" file="">"#)
        XCTAssertEqual(r.count, 1)
        XCTAssertEqual(r[0].kind, .cmtrace)
        XCTAssertEqual(r[0].message, "EMS Agent Stopped")
        XCTAssertEqual(r[0].time, LogTimestamp(year: 2025, month: 2, day: 25, hour: 14, minute: 54, second: 47, nanoseconds: 410_618_000))
        XCTAssertEqual(r[0].component, "IntuneManagementExtension")
        XCTAssertEqual(r[0].type, 1)
        XCTAssertEqual(r[0].thread, 26)
    }

    func testThreeDigitsWithBias() throws {
        let r = try read(#"<![LOG[x]LOG]!><time="06:08:04.883+480" date="12-01-2023" component="ccm" context="c" type="3" thread="7" file="a.cpp:1">"#)
        XCTAssertEqual(r[0].time?.nanoseconds, 883_000_000)
        XCTAssertEqual(r[0].time?.biasMinutes, 480)
        XCTAssertEqual(r[0].type, 3)
        XCTAssertEqual(r[0].file, "a.cpp:1")
        let negative = try read(#"<![LOG[x]LOG]!><time="06:08:04.883-60" date="1-2-2023" component="c" context="" type="1" thread="1" file="">"#)
        XCTAssertEqual(negative[0].time?.biasMinutes, -60)
    }

    func testMultiLineCRLFAndBOMMidFile() throws {
        let text = "<![LOG[first\r\n  second]LOG]!><time=\"01:02:03.1234567\" date=\"9-16-2021\" component=\"C\" context=\"\" type=\"2\" thread=\"8\" file=\"\">\n"
            + "\u{FEFF}<![LOG[after bom]LOG]!><time=\"01:02:04.0000000\" date=\"9-16-2021\" component=\"C\" context=\"\" type=\"1\" thread=\"8\" file=\"\">\r\n"
        let r = try read(text)
        XCTAssertEqual(r.map(\.message), ["first\n  second", "after bom"])
        XCTAssertEqual(r.map(\.kind), [.cmtrace, .cmtrace])
        XCTAssertEqual(r[1].line, 3)
    }

    func testTruncatedRecordAndFragment() throws {
        let text = "<![LOG[cut off here\n<![LOG[whole]LOG]!><time=\"01:02:04.0\" date=\"9-16-2021\" component=\"C\" context=\"\" type=\"1\" thread=\"8\" file=\"\">\n"
            + "8:15.7527381\" date=\"2-25-2025\" component=\"IntuneManagementExtension\" context=\"\" type=\"1\" thread=\"1\" file=\"\">\nplain text\n"
        let r = try read(text)
        XCTAssertEqual(r.map(\.kind), [.fragment, .cmtrace, .fragment, .text])
        XCTAssertEqual(r[1].message, "whole")
        XCTAssertEqual(r[3].message, "plain text")
    }

    func testSamplesParse() throws {
        // Counts of `<![LOG[` starts, read from the files with grep.
        let dirty = try CMTraceReader.records(path: Self.logs + "/ime2025_dirty-truncated-fragment_mikaelfun.log")
        XCTAssertEqual(dirty.map(\.kind), [.cmtrace, .fragment, .cmtrace])
        XCTAssertTrue(dirty[2].message.contains("\n   at System.Uri.CreateThis"))
        let agent = try CMTraceReader.records(path: Self.logs + "/agentexecutor_two-writer-eras_autopilotmonitor-fixture.log")
        XCTAssertEqual(agent.filter { $0.kind == .cmtrace }.count, 22)
        XCTAssertEqual(agent.filter { $0.kind == .fragment }.count, 0)
        XCTAssertTrue(agent.contains { $0.message.hasPrefix("ExecutorLog AgentExecutor gets invoked") })
        XCTAssertFalse(agent.contains { $0.message.contains("\u{FEFF}") })
        let failed = try CMTraceReader.records(path: Self.logs + "/ime2021_available-app_install-failed-exit1-unmapped.log")
        XCTAssertEqual(failed.count, 327)
        XCTAssertTrue(failed.allSatisfy { $0.kind == .cmtrace && $0.time != nil && $0.thread != nil })
    }

    func testCopyExportAndMessageOnly() throws {
        let tsv = try CMTraceReader.records(path: Self.logs + "/ime2020-2022_cmtrace-copy-export_step-sequence_cleanup_timeout.tsv.log")
        let first = try XCTUnwrap(tsv.first)
        XCTAssertEqual(first.kind, .copyExport)
        XCTAssertEqual(first.thread, 5)
        XCTAssertEqual(first.time, LogTimestamp(year: 2020, month: 6, day: 11, hour: 9, minute: 1, second: 26))
        XCTAssertTrue(first.message.hasPrefix("---->>[Win32App] Processing app (id=b213bd21"))
        let timeout = try XCTUnwrap(tsv.first { $0.message.hasPrefix("[Win32App] Installation is timeout") })
        XCTAssertEqual(timeout.component, "IntuneManagementExtension")
        XCTAssertEqual(timeout.time, LogTimestamp(year: 2022, month: 11, day: 28, hour: 8, minute: 23, second: 4))
        let plain = try CMTraceReader.records(path: Self.logs + "/appworkload2025_0xC0000142_sanitized_message-only.log")
        XCTAssertTrue(plain.allSatisfy { $0.kind == .text })
        XCTAssertTrue(plain.contains { $0.message == "[Win32App] lpExitCode 3221225794" })
    }

    func testRotatedFileOrder() {
        let names = ["IntuneManagementExtension.log", "AppWorkload.log", "IntuneManagementExtension-20240101-120000.log",
                     "IntuneManagementExtension-20231231-235959.log", "AppWorkload-20250314-191451.log", "other.txt"]
        XCTAssertEqual(IMELogFiles.ordered(names), ["IntuneManagementExtension-20231231-235959.log", "IntuneManagementExtension-20240101-120000.log",
                                                    "IntuneManagementExtension.log", "AppWorkload-20250314-191451.log", "AppWorkload.log"])
    }

    /// 50 MB built from real lines, read in chunks: record count exact, memory growth bounded.
    func testFiftyMegabytesFlatMemory() throws {
        let sample = try String(contentsOfFile: Self.logs + "/ime2021_available-app_install-failed-exit1-unmapped.log", encoding: .utf8)
        let path = NSTemporaryDirectory() + "ime-50mb-\(getpid()).log"
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        let block = Data(sample.utf8)
        var copies = 0
        while copies * block.count < 50 << 20 { handle.write(block); copies += 1 }
        try handle.close()
        let before = Self.maxRSS()
        var count = 0
        try CMTraceReader(path: path).forEach { record in count += 1; XCTAssertNotEqual(record.kind, .fragment) }
        let growth = Self.maxRSS() - before
        XCTAssertEqual(count, 327 * copies)
        print("CMTraceReader 50 MB: \(count) records, peak RSS growth \(growth >> 10) KiB")
        // Memory is asserted in the normal build; under AddressSanitizer RSS measures the sanitizer.
        if !TestSupport.underAddressSanitizer { XCTAssertLessThan(growth, 40 << 20) }
    }

    static func maxRSS() -> Int {
        var usage = rusage()
        #if canImport(Darwin)
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss)
        #else
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
        #endif
    }
}

/// The byte-level header, copy-export and formatting paths against the String versions they stand in for.
extension CMTraceReaderTests {
    func testByteTimestampMatchesStringVersion() {
        let times = ["14:54:47.4106180", "06:08:04.883+480", "06:08:04.883-60", "1:2:3", "23:59:60.1234567891", "12:00:00.",
                     "12:00:00.5-", "12:00:00+", "99999999999:00:00", "12:00:00.000+-5", "12:00:00.000-+5", "+1:2:3", "12:0:0.00012",
                     "12::00", "12:00:00:00", " 12:00:00", "12:00:00 ", "١٢:00:00", "12:00:00.1e3", "24:00:00.000+1441", ""]
        let dates = ["2-25-2025", "12-01-2023", "2025-2-25", "0-1-2025", "1-2-x-2025", "--1-2-2025", "13-1-2025", "1-32-2025",
                     "+1-2-2025", "1-2-99999999999999", "1-2-20255", "é-1-2", "1-2-", ""]
        for t in times {
            for d in dates {
                let fast = CMTraceReader.timestamp(time: Array(t.utf8)[...], date: Array(d.utf8)[...])
                XCTAssertEqual(fast, CMTraceReader.timestamp(time: t, date: d), "\(t) \(d)")
            }
        }
        XCTAssertNil(CMTraceReader.timestamp(time: nil as ArraySlice<UInt8>?, date: Array("1-2-2025".utf8)[...]))
    }

    func testIntegerMatchesInt() {
        for text in ["0", "26", "007", "+5", "-5", "", " 1", "1 ", "999999999999999999", "9999999999999999999", "1é", "٣"] {
            XCTAssertEqual(CMTraceReader.integer(Array(text.utf8)[...]), Int(text), text)
        }
    }

    func testCopyExportBytesMatchStrings() {
        let lines = ["msg\tIntuneManagementExtension\t16/09/2021 23:11:32\t11 (0xb)", "  msg  \tA\tB\t16/09/2021 23:11:32\t 11 (0xb) ",
                     "msg\t\t16/09/2021 23:11:32\t11 (0xb)", "\tA\t16/09/2021 23:11:32\t11 (0xb)", "msg\tA\t16/09/2021 23:11:32\t11(0xb)",
                     "msg\tA\t16/09/2021 23:11:32\tx (0xb)", "msg\tA\t31/13/2021 23:11:32\t11 (0xb)", "a\tb", "a\t\t\t",
                     "msg\tA\t16/09/2021 23:11:32\t+11 (0xb)", "msg\tA\t16/09/2021 23:11:32\t11   (0x", "é\tA\t16/09/2021 23:11:32\t11 (0xb)"]
        for line in lines {
            let bytes = Array(line.utf8)[...]
            let text = CMTraceReader.copyExportText(bytes, source: "s", line: 3)
            XCTAssertEqual(CMTraceReader.copyExport(bytes, source: "s", line: 3), text, line)
            if line.utf8.allSatisfy({ $0 < 0x80 }) { XCTAssertEqual(CMTraceReader.copyExportASCII(bytes, source: "s", line: 3), text, line) }
        }
    }

    func testFirstLineMatchesCharacterSearch() {
        for message in ["one", "one\ntwo", "\nx", "a\r\nb\nc", "a\r\nb", "é\nx", "x\n\u{301}y", ""] {
            let record = CMTraceRecord(kind: .text, message: message)
            XCTAssertEqual(record.firstLine, message.firstIndex(of: "\n").map { String(message[..<$0]) } ?? message, message)
        }
    }

    func testDescriptionMatchesPaddedFormat() {
        func reference(_ t: LogTimestamp) -> String {
            func pad(_ n: Int, _ w: Int) -> String { let s = String(n); return String(repeating: "0", count: max(0, w - s.count)) + s }
            var text = "\(pad(t.year, 4))-\(pad(t.month, 2))-\(pad(t.day, 2)) \(pad(t.hour, 2)):\(pad(t.minute, 2)):\(pad(t.second, 2)).\(pad(t.nanoseconds / 1_000_000, 3))"
            if let bias = t.biasMinutes { text += bias < 0 ? "\(bias)" : "+\(bias)" }
            return text
        }
        let stamps = [LogTimestamp(year: 2021, month: 9, day: 16, hour: 23, minute: 11, second: 32, nanoseconds: 410_618_000),
                      LogTimestamp(year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0),
                      LogTimestamp(year: 9999, month: 12, day: 31, hour: 24, minute: 59, second: 61, nanoseconds: 999_999_999, biasMinutes: -60),
                      LogTimestamp(year: 2023, month: 12, day: 1, hour: 6, minute: 8, second: 4, nanoseconds: 883_000_000, biasMinutes: 480),
                      LogTimestamp(year: 12345, month: 100, day: -1, hour: 0, minute: 0, second: 0, nanoseconds: -5)]
        for t in stamps { XCTAssertEqual(t.description, reference(t)) }
    }
}
