import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One entry of a CMTrace-style log (IME, AppWorkload, AgentExecutor, ConfigMgr): the message and the
/// header fields the writer put around it. Lines that are not CMTrace are kept as `.text` records so
/// nothing a user may need is dropped.
public struct CMTraceRecord: Sendable, Equatable {
    /// How the record was written.
    public enum Kind: String, Sendable {
        /// `<![LOG[msg]LOG]!><time=… date=… …>`.
        case cmtrace
        /// CMTrace's "copy" export: message TAB component TAB `dd/MM/yyyy HH:mm:ss` TAB `thread (0xhex)`.
        case copyExport
        /// A line that is none of these (message-only excerpts, comments, headers).
        case text
        /// A damaged piece: a truncated record or a header without its start.
        case fragment
    }

    /// How the line was written (CMTrace, copy export, plain text, damaged).
    public var kind: Kind
    /// The message, possibly spanning lines (joined with "\n", CR removed).
    public var message: String
    /// When the writer says it was written (its local time, zone unknown unless `time.biasMinutes` is set).
    public var time: LogTimestamp?
    /// The writing component (`IntuneManagementExtension`, `AppWorkload`, …); empty when absent.
    public var component: String
    /// The `context` header field; usually empty in IME logs.
    public var context: String
    /// 1 info, 2 warning (IME also uses it for progress), 3 error; 0 when absent.
    public var type: Int
    /// The writing thread, when known.
    public var thread: Int?
    /// The source file the writer names in the header; usually empty in IME logs.
    public var file: String
    /// The log file it came from and the 1-based line its first line is on.
    public var source: String
    /// The 1-based line the record's first line is on.
    public var line: Int

    /// A record from its parts (readers and tests).
    public init(kind: Kind, message: String, time: LogTimestamp? = nil, component: String = "", context: String = "",
                type: Int = 0, thread: Int? = nil, file: String = "", source: String = "", line: Int = 0) {
        self.kind = kind
        self.message = message
        self.time = time
        self.component = component
        self.context = context
        self.type = type
        self.thread = thread
        self.file = file
        self.source = source
        self.line = line
    }

    /// The first line of the message, for one-line displays and evidence.
    public var firstLine: String {
        // The first LF byte ends the first line unless a CR precedes it (CR LF is one Character, which the
        // Character search below steps over, as it always has).
        var cut = -1
        let fast = message.utf8.withContiguousStorageIfAvailable { b -> Bool in
            guard let base = b.baseAddress, let hit = memchr(base, 0x0A, b.count) else { return true }
            cut = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            return cut == 0 || base[cut - 1] != 0x0D
        } ?? false
        if fast { return cut < 0 ? message : String(message[..<message.utf8.index(message.startIndex, offsetBy: cut)]) }
        return message.firstIndex(of: "\n").map { String(message[..<$0]) } ?? message
    }
}

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
