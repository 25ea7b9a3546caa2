import Foundation
import XCTest
@testable import IntuneWin
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// DOS date/time conversion: the zone, 2-second truncation, the representable years, DST edges, bad fields.
/// Meant to pass whatever TZ the suite runs under (it is run with TZ=UTC and TZ=Europe/Berlin).
final class DOSDateTimeTests: XCTestCase {
    private let utc = TimeZone(identifier: "UTC")!
    private let berlin = TimeZone(identifier: "Europe/Berlin")!

    /// Packs fields the way zip headers store them (seconds halved).
    private func dos(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int) -> DOSDateTime {
        DOSDateTime(date: UInt16((year - 1980) << 9 | month << 5 | day),
                    time: UInt16(hour << 11 | minute << 5 | second / 2))
    }

    func testFieldsAndText() {
        let value = DOSDateTime(unixTime: 1_631_288_816, timeZone: utc) // 2021-09-10 15:46:56 UTC
        XCTAssertEqual(value, dos(2021, 9, 10, 15, 46, 56))
        XCTAssertEqual(value.date, UInt16(41 << 9 | 9 << 5 | 10))
        XCTAssertEqual(value.time, UInt16(15 << 11 | 46 << 5 | 28))
        XCTAssertEqual(value.text, "2021-09-10 15:46:56")
        XCTAssertEqual(DOSDateTime(unixTime: 1_631_288_816, timeZone: berlin).text, "2021-09-10 17:46:56")
        XCTAssertEqual(DOSDateTime(date: 0, time: 0).text, "1980-00-00 00:00:00") // raw fields, even invalid ones
        XCTAssertEqual(DOSDateTime(date: 0xFFFF, time: 0xFFFF).text, "2107-15-31 31:63:62") // every field at its widest
        // Every field value, against String(format:).
        for date in stride(from: 0, through: 0xFFFF, by: 37).map(UInt16.init) + [0xFFFF] {
            let time = UInt16(truncatingIfNeeded: Int(date) &* 40503)
            let want = String(format: "%04d-%02d-%02d %02d:%02d:%02d", 1980 + Int(date >> 9), Int(date >> 5 & 0x0F), Int(date & 0x1F),
                              Int(time >> 11), Int(time >> 5 & 0x3F), Int(time & 0x1F) * 2)
            XCTAssertEqual(DOSDateTime(date: date, time: time).text, want)
        }
    }

    func testTruncatesToTwoSecondsInsteadOfRounding() {
        // 15:46:57 → :56, never :58.
        XCTAssertEqual(DOSDateTime(unixTime: 1_631_288_817, timeZone: utc).text, "2021-09-10 15:46:56")
        XCTAssertEqual(DOSDateTime(unixTime: 1_582_977_601, timeZone: utc).text, "2020-02-29 12:00:00")
        // The last second of a day stays on that day.
        XCTAssertEqual(DOSDateTime(unixTime: 4_354_819_199, timeZone: utc).text, "2107-12-31 23:59:58")
    }

    func testYearsOutsideTheRangeGiveJanuaryFirst1980() {
        let earliest = dos(1980, 1, 1, 0, 0, 0)
        XCTAssertEqual(earliest.text, "1980-01-01 00:00:00")
        XCTAssertEqual(DOSDateTime(unixTime: 315_532_799, timeZone: utc), earliest) // 1979-12-31 23:59:59
        XCTAssertEqual(DOSDateTime(unixTime: 315_531_000, timeZone: utc), earliest) // 1979-12-31 23:30:00
        XCTAssertEqual(DOSDateTime(unixTime: 4_354_819_200, timeZone: utc), earliest) // 2108-01-01 00:00:00
        XCTAssertEqual(DOSDateTime(unixTime: 0, timeZone: utc), earliest)
        XCTAssertEqual(DOSDateTime(unixTime: -1, timeZone: utc), earliest)
        XCTAssertEqual(DOSDateTime(unixTime: .max, timeZone: berlin), earliest)
        XCTAssertEqual(DOSDateTime(unixTime: .min, timeZone: berlin), earliest)
        // The first representable second.
        XCTAssertEqual(DOSDateTime(unixTime: 315_532_800, timeZone: utc).text, "1980-01-01 00:00:00")
        // It is the local year that counts: 1979-12-31 23:30 UTC is already 1980 in Berlin,
        // and 2107-12-31 23:30 UTC is already 2108 there.
        XCTAssertEqual(DOSDateTime(unixTime: 315_531_000, timeZone: berlin).text, "1980-01-01 00:30:00")
        XCTAssertEqual(DOSDateTime(unixTime: 4_354_817_400, timeZone: berlin), earliest)
    }

    func testBerlinDaylightSavingEdges() {
        // 2021-03-28: 02:00 CET becomes 03:00 CEST (at 01:00 UTC).
        XCTAssertEqual(DOSDateTime(unixTime: 1_616_893_199, timeZone: berlin).text, "2021-03-28 01:59:58")
        XCTAssertEqual(DOSDateTime(unixTime: 1_616_893_200, timeZone: berlin).text, "2021-03-28 03:00:00")
        // 2021-10-31: 03:00 CEST becomes 02:00 CET (at 01:00 UTC).
        XCTAssertEqual(DOSDateTime(unixTime: 1_635_641_999, timeZone: berlin).text, "2021-10-31 02:59:58")
        XCTAssertEqual(DOSDateTime(unixTime: 1_635_642_000, timeZone: berlin).text, "2021-10-31 02:00:00")

        XCTAssertEqual(dos(2021, 3, 28, 1, 59, 58).unixTime(timeZone: berlin), 1_616_893_198)
        XCTAssertEqual(dos(2021, 3, 28, 3, 0, 0).unixTime(timeZone: berlin), 1_616_893_200)
        // 02:30 does not exist that day: read with the winter offset, it is the instant shown as 03:30.
        XCTAssertEqual(dos(2021, 3, 28, 2, 30, 0).unixTime(timeZone: berlin), 1_616_895_000)
        // 02:30 happens twice on 2021-10-31: the earlier one (still summer time, 00:30 UTC) is taken.
        XCTAssertEqual(dos(2021, 10, 31, 2, 30, 0).unixTime(timeZone: berlin), 1_635_640_200)
        XCTAssertEqual(dos(2021, 10, 31, 3, 0, 0).unixTime(timeZone: berlin), 1_635_645_600)
        // Summer and winter offsets.
        XCTAssertEqual(dos(2021, 7, 1, 12, 0, 0).unixTime(timeZone: berlin), 1_625_133_600)
        XCTAssertEqual(dos(2021, 1, 1, 12, 0, 0).unixTime(timeZone: berlin), 1_609_498_800)
    }

    func testRoundTrip() throws {
        let zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham"]
        for identifier in zones {
            let zone = try XCTUnwrap(TimeZone(identifier: identifier), identifier)
            // Every 7 777 s over three years, plus the extremes of the range.
            var times = Array(stride(from: Int64(1_577_836_800), to: 1_672_531_200, by: 7_777))
            times += [315_532_800 + 86_400, 4_354_819_199 - 86_400]
            for time in times {
                let value = DOSDateTime(unixTime: time, timeZone: zone)
                let back = try XCTUnwrap(value.unixTime(timeZone: zone), "\(identifier) \(time)")
                let truncated = time - ((time % 2) + 2) % 2
                if back != truncated {
                    // Only a wall-clock time that happens twice may come back as its earlier instant.
                    XCTAssertLessThan(back, truncated, "\(identifier) \(time)")
                    XCTAssertEqual(DOSDateTime(unixTime: back, timeZone: zone), value, "\(identifier) \(time)")
                }
            }
        }
        // Every valid field value comes back unchanged.
        for value in [dos(1980, 1, 1, 0, 0, 0), dos(2107, 12, 31, 23, 59, 58), dos(2024, 2, 29, 13, 37, 42)] {
            XCTAssertEqual(DOSDateTime(unixTime: try XCTUnwrap(value.unixTime(timeZone: utc)), timeZone: utc), value)
            XCTAssertEqual(DOSDateTime(unixTime: try XCTUnwrap(value.unixTime(timeZone: berlin)), timeZone: berlin), value)
        }
    }

    func testInvalidFieldsGiveNil() {
        XCTAssertNil(DOSDateTime(date: 0, time: 0).unixTime(timeZone: utc)) // month 0, day 0
        XCTAssertNil(dos(2021, 0, 10, 12, 0, 0).unixTime(timeZone: utc))
        XCTAssertNil(dos(2021, 13, 10, 12, 0, 0).unixTime(timeZone: utc))
        XCTAssertNil(dos(2021, 5, 0, 12, 0, 0).unixTime(timeZone: utc))
        XCTAssertNil(dos(2021, 4, 31, 12, 0, 0).unixTime(timeZone: utc))
        XCTAssertNil(dos(2021, 2, 29, 12, 0, 0).unixTime(timeZone: utc))
        XCTAssertNotNil(dos(2020, 2, 29, 12, 0, 0).unixTime(timeZone: utc))
        XCTAssertNil(dos(2021, 5, 10, 24, 0, 0).unixTime(timeZone: utc))
        XCTAssertNil(dos(2021, 5, 10, 25, 0, 0).unixTime(timeZone: berlin))
        XCTAssertNil(dos(2021, 5, 10, 12, 60, 0).unixTime(timeZone: utc))
        XCTAssertNil(dos(2021, 5, 10, 12, 0, 60).unixTime(timeZone: utc)) // seconds field 30
        XCTAssertNil(dos(2021, 5, 10, 12, 0, 62).unixTime(timeZone: utc)) // seconds field 31
        XCTAssertEqual(dos(2021, 5, 10, 23, 59, 58).unixTime(timeZone: utc), 1_620_691_198)
    }

    /// The default zone is the process's local one, as the C library sees it (so TZ in the environment counts).
    func testDefaultZoneIsTheLocalZone() throws {
        for time: Int64 in [1_616_893_199, 1_616_893_200, 1_635_641_999, 1_635_642_000, 1_625_133_600, 1_609_498_800] {
            var seconds = time_t(time)
            var parts = tm()
            XCTAssertNotNil(localtime_r(&seconds, &parts))
            let expected = DOSDateTime(
                date: UInt16(Int(parts.tm_year + 1900 - 1980) << 9 | Int(parts.tm_mon + 1) << 5 | Int(parts.tm_mday)),
                time: UInt16(Int(parts.tm_hour) << 11 | Int(parts.tm_min) << 5 | Int(parts.tm_sec) / 2))
            XCTAssertEqual(DOSDateTime(unixTime: time), expected, "\(time)")
            // Back to an instant showing the same wall-clock time (in a repeated hour, possibly the earlier one).
            let back = try XCTUnwrap(expected.unixTime(), "\(time)")
            XCTAssertEqual(DOSDateTime(unixTime: back), expected, "\(time)")
            XCTAssertLessThanOrEqual(back, time, "\(time)")
        }
        if ProcessInfo.processInfo.environment["TZ"] == "Europe/Berlin" {
            XCTAssertEqual(TimeZone.current.secondsFromGMT(for: Date(timeIntervalSince1970: 1_625_133_600)), 7_200)
            XCTAssertEqual(DOSDateTime(unixTime: 1_625_133_600).text, "2021-07-01 12:00:00")
        }
        if ProcessInfo.processInfo.environment["TZ"] == "UTC" {
            XCTAssertEqual(DOSDateTime(unixTime: 1_625_133_600).text, "2021-07-01 10:00:00")
        }
    }
}
