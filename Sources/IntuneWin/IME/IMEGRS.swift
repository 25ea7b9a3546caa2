import Foundation

/// What IME's global retry schedule (GRS) said about an app in one check-in. After a failed attempt IME
/// records a GRS time and does not enforce the app again until it has expired (24 hours later), except
/// for the retries the app's InstallEx policy allows.
public struct IMEGRS: Sendable, Equatable {
    /// The GRS time IME found for the app, as written (`03/17/2026 19:43:28`, UTC by IME's `GRSTimeUTC`).
    public var value: String?
    /// The same time read as UTC, when it parses.
    public var valueUTC: Date?
    /// Whether IME said the value expired (true), had not (false), or did not say (nil).
    public var expired: Bool?
    /// IME had no GRS value for the app (treated as expired).
    public var none = false
    /// IME cleared the app's GRS value (so it is enforced at the next check-in).
    public var cleared = false
    /// IME saved a new GRS value, as written.
    public var saved: String?
    /// The next time IME re-evaluates the app's subgraph, as IME logs it (`Setting subgraph reevaluation time`).
    public var nextReevaluation: String?

    /// An empty record.
    public init() {}

    /// IME's GRS window: a failed app is not retried for 24 hours.
    public static let window: TimeInterval = 24 * 3600

    /// The earliest time (UTC) IME will try the app again: the GRS time plus the 24-hour window; IME acts on
    /// it at its first check-in after that moment.
    public var earliestRetryUTC: Date? { expired == false ? valueUTC.map { $0.addingTimeInterval(Self.window) } : nil }

    /// `03/17/2026 19:43:28` or `3/17/2026 7:07:17 PM` as a UTC date.
    public static func parseUTC(_ text: String) -> Date? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "/" || $0 == ":" }).map(String.init)
        guard parts.count >= 6, let month = Int(parts[0]), let day = Int(parts[1]), let year = Int(parts[2]),
              var hour = Int(parts[3]), let minute = Int(parts[4]), let second = Int(parts[5]),
              (1...12).contains(month), (1...31).contains(day), (1...9999).contains(year), (0...23).contains(hour),
              (0...59).contains(minute), (0...60).contains(second) else { return nil }
        if parts.count >= 7 {
            let marker = parts[6].uppercased()
            if marker == "PM", hour < 12 { hour += 12 } else if marker == "AM", hour == 12 { hour = 0 }
        }
        guard year > 1 else { return nil }  // 01/01/0001: IME's "no value"
        var c = DateComponents()
        (c.year, c.month, c.day, c.hour, c.minute, c.second) = (year, month, day, hour, minute, second)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: c)
    }
}
