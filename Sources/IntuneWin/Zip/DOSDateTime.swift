import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// MS-DOS date/time as stored in zip headers (2-second resolution, local wall-clock time).
///
/// Zip headers carry no time zone: Microsoft's tool writes each file's LastWriteTime as local wall-clock
/// time, so converting needs the zone the packing (or unpacking) machine is in.
public struct DOSDateTime: Sendable, Equatable {
    /// Bits 15–9: year − 1980, 8–5: month (1–12), 4–0: day (1–31).
    public var date: UInt16
    /// Bits 15–11: hour, 10–5: minute, 4–0: second ÷ 2.
    public var time: UInt16

    /// From the two raw header fields.
    public init(date: UInt16, time: UInt16) {
        self.date = date
        self.time = time
    }

    /// 1980-01-01 00:00:00, what Microsoft's tool writes for a local year it cannot represent.
    static let earliest = DOSDateTime(date: (1 << 5) | 1, time: 0)

    /// From a Unix time (seconds), in the given time zone (default: the process's local zone, i.e. honours TZ),
    /// truncated (not rounded) to 2 s; local years outside 1980...2107 give 1980-01-01 00:00:00.
    public init(unixTime: Int64, timeZone: TimeZone = .current) {
        // Far outside the representable years anyway; keeps the arithmetic below from overflowing.
        let limit: Int64 = 1 << 40
        guard unixTime > -limit, unixTime < limit else {
            self = .earliest
            return
        }
        let offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(unixTime))))
        // The local wall-clock time, broken down as if it were UTC.
        var wall = time_t(unixTime + offset)
        var parts = tm()
        guard gmtime_r(&wall, &parts) != nil else {
            self = .earliest
            return
        }
        let year = Int(parts.tm_year) + 1900
        guard (1980...2107).contains(year) else {
            self = .earliest
            return
        }
        date = UInt16((year - 1980) << 9 | Int(parts.tm_mon + 1) << 5 | Int(parts.tm_mday))
        time = UInt16(Int(parts.tm_hour) << 11 | Int(parts.tm_min) << 5 | Int(parts.tm_sec) / 2)
    }

    /// Back to Unix time, interpreting the fields as wall-clock time in the zone (for restoring mtimes on unpack).
    /// Invalid fields (month 0/13, day 0, hour 25, …) → nil.
    ///
    /// A wall-clock time that occurs twice (the hour repeated when daylight saving ends) gives the earlier
    /// instant; one that does not exist (skipped when it starts) is read with the offset in force before
    /// the change, so 02:30 on a 02:00→03:00 day gives the instant shown as 03:30.
    public func unixTime(timeZone: TimeZone = .current) -> Int64? {
        let year = 1980 + Int(date >> 9)
        let month = Int(date >> 5 & 0x0F)
        let day = Int(date & 0x1F)
        let hour = Int(time >> 11)
        let minute = Int(time >> 5 & 0x3F)
        let second = Int(time & 0x1F) * 2
        guard (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 60 else { return nil }

        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        // The wall-clock reading as if it were UTC; the zone's offset at the real instant is then subtracted.
        let wall = Int64(timegm(&parts))

        func offset(at instant: Int64) -> Int64 {
            Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
        }
        // Offsets are within ±1 day and zones change offset far less often than daily, so the offsets a day
        // either side cover every reading of this wall-clock time.
        let before = offset(at: wall - 86_400)
        let after = offset(at: wall + 86_400)
        let candidates = Set([wall - before, wall - after]).filter { wall - offset(at: $0) == $0 }
        return candidates.min() ?? wall - before
    }

    /// "yyyy-MM-dd HH:mm:ss" for display (the raw fields, even when they are not a valid date).
    /// Always 19 characters: the fields' ranges (year 1980-2107, the others under 100) fix every width,
    /// so the digits are written in place (`list` formats one per entry).
    public var text: String {
        String(unsafeUninitializedCapacity: 19) { out in
            func put(_ value: Int, width: Int, at: Int) {
                var rest = value
                for k in stride(from: width - 1, through: 0, by: -1) {
                    out[at + k] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
            }
            put(1980 + Int(date >> 9), width: 4, at: 0)
            out[4] = UInt8(ascii: "-"); put(Int(date >> 5 & 0x0F), width: 2, at: 5)
            out[7] = UInt8(ascii: "-"); put(Int(date & 0x1F), width: 2, at: 8)
            out[10] = UInt8(ascii: " "); put(Int(time >> 11), width: 2, at: 11)
            out[13] = UInt8(ascii: ":"); put(Int(time >> 5 & 0x3F), width: 2, at: 14)
            out[16] = UInt8(ascii: ":"); put(Int(time & 0x1F) * 2, width: 2, at: 17)
            return 19
        }
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
