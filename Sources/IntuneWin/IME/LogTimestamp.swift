import Foundation

/// A writer-local date and time as CMTrace lines carry it, with the optional bias suffix
/// (minutes, as written; ConfigMgr's convention is UTC = local + bias). Ordering ignores the bias,
/// because IME never writes one and mixing zones cannot be resolved from the file alone.
public struct LogTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The calendar date, as written.
    public var year: Int, month: Int, day: Int
    /// The wall-clock time, as written.
    public var hour: Int, minute: Int, second: Int
    /// Fraction of the second in nanoseconds (3 or 7 digits in files).
    public var nanoseconds: Int
    /// The bias suffix in minutes (UTC = local + bias); nil when the line has none, as in IME logs.
    public var biasMinutes: Int?

    /// A timestamp from its fields, unchecked (see `isPlausible`).
    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, nanoseconds: Int = 0, biasMinutes: Int? = nil) {
        self.year = year; self.month = month; self.day = day
        self.hour = hour; self.minute = minute; self.second = second
        self.nanoseconds = nanoseconds; self.biasMinutes = biasMinutes
    }

    /// Seconds since 1970-01-01 of the local wall-clock time (for durations and ordering).
    public var localSeconds: Double {
        // Days from civil (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return Double(days) * 86400 + Double(hour) * 3600 + Double(minute) * 60 + Double(second) + Double(nanoseconds) / 1e9
    }

    /// Every field in its calendar range (a leap second and 24:00 allowed), the bias within a day: what a
    /// reader accepts from a log line. Damaged lines with absurd numbers are read as having no time
    /// (found by fuzzing: a year of 99999999999999 overflowed the arithmetic above).
    public var isPlausible: Bool {
        (1...9999).contains(year) && (1...12).contains(month) && (1...31).contains(day) && (0...24).contains(hour)
            && (0...59).contains(minute) && (0...61).contains(second) && (0..<1_000_000_000).contains(nanoseconds)
            && (biasMinutes.map { (-1440...1440).contains($0) } ?? true)
    }

    /// Wall-clock order; the bias is ignored.
    public static func < (a: LogTimestamp, b: LogTimestamp) -> Bool {
        (a.secondKey, a.nanoseconds) < (b.secondKey, b.nanoseconds)
    }

    private var secondKey: Int { ((((year * 13 + month) * 32 + day) * 24 + hour) * 60 + minute) * 60 + second }

    /// `yyyy-MM-dd HH:mm:ss.fff` (plus the bias when written).
    public var description: String {
        if (0...9999).contains(year), (0...99).contains(month), (0...99).contains(day), (0...99).contains(hour),
           (0...99).contains(minute), (0...99).contains(second), (0..<1_000_000_000).contains(nanoseconds) {
            // Every field fits its width: written digit by digit (a timeline prints one per phase).
            var text = String(unsafeUninitializedCapacity: 23) { out in
                var at = 0
                func put(_ n: Int, _ width: Int) {
                    var divisor = 1
                    for _ in 1..<width { divisor *= 10 }
                    while divisor > 0 { out[at] = UInt8(48 + n / divisor % 10); at += 1; divisor /= 10 }
                }
                func sep(_ c: Character) { out[at] = c.asciiValue!; at += 1 }
                put(year, 4); sep("-"); put(month, 2); sep("-"); put(day, 2); sep(" ")
                put(hour, 2); sep(":"); put(minute, 2); sep(":"); put(second, 2); sep("."); put(nanoseconds / 1_000_000, 3)
                return at
            }
            if let bias = biasMinutes { text += bias < 0 ? "\(bias)" : "+\(bias)" }
            return text
        }
        func pad(_ n: Int, _ w: Int) -> String { let s = String(n); return String(repeating: "0", count: max(0, w - s.count)) + s }
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(nanoseconds / 1_000_000, 3))"
        if let bias = biasMinutes { text += bias < 0 ? "\(bias)" : "+\(bias)" }
        return text
    }
}
