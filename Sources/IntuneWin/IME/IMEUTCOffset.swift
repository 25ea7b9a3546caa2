import Foundation

/// The device's offset from UTC, inferred from the logs: IME writes its lines in local time without an
/// offset, but stamps some values in UTC in the same line's moment (`Setting subgraph reevaluation time with
/// value: 3/24/2026 3:54:38 PM` logged at 11:54:38 local is UTC-4:00). A stamp counts only when it falls
/// within two seconds of a whole quarter hour from the line's own time.
public struct IMEUTCOffset: Sendable, Equatable {
    /// Seconds to add to UTC to get the device's local time (-14400 for UTC-4:00).
    public var seconds: Int
    /// The line it was inferred from.
    public var evidence: IMEEvidence

    /// `UTC-4:00`, `UTC+5:30`, `UTC`.
    public var description: String {
        guard seconds != 0 else { return "UTC" }
        let minutes = abs(seconds) / 60
        return "UTC" + (seconds < 0 ? "-" : "+") + "\(minutes / 60):" + String(format: "%02d", minutes % 60)
    }

    /// `local` as UTC.
    public func utc(_ local: LogTimestamp) -> Date {
        Date(timeIntervalSince1970: local.localSeconds - Double(seconds))
    }

    /// The offset (local minus UTC, in seconds) when `utcStamp` (as IME writes it) was taken at `loggedAt`.
    static func infer(utcStamp: String, loggedAt local: LogTimestamp) -> Int? {
        guard let utc = IMEGRS.parseUTC(utcStamp) else { return nil }
        let difference = local.localSeconds - utc.timeIntervalSince1970
        let quarters = (difference / 900).rounded()
        guard abs(difference - quarters * 900) <= 2, abs(quarters) <= 14 * 4 else { return nil }
        return Int(quarters) * 900
    }
}
