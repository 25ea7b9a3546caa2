import Foundation

/// One check-in of IME's Win32 app poller: a pass over the device's apps that starts with a poller or
/// check-in line (`application poller starts`, `Starting app check in`, `Processing N subgraphs`) on one
/// thread, or with the first app line of a thread after a long silence when the start rotated away.
public struct IMECheckInSession: Sendable, Equatable {
    /// 1-based, in the order the check-ins started.
    public var number: Int
    /// The thread that ran it.
    public var thread: Int?
    /// `required`, `available`, or nil when the start line does not say.
    public var kind: String?
    /// Why IME checked in (`checkinReason`), when logged.
    public var reason: String?
    /// The Enrollment Status Page phase, when logged.
    public var espPhase: String?
    /// Subgraphs (an app and its dependencies or supersedence) the check-in processed, when logged.
    public var subgraphCount: Int?
    /// The line that started it (or the first line seen of it).
    public var evidence: IMEEvidence
    /// The last line seen of it.
    public var end: LogTimestamp?
    /// The start line was read: false when the check-in was already under way where the logs begin.
    public var startSeen: Bool
    /// The end line was read (`application poller stopped`, `End app check in`, `Done processing N subgraphs`).
    public var endSeen = false
    /// Apps the check-in named, in order.
    public var appIDs: [String] = []

    /// When it started (its first line).
    public var start: LogTimestamp? { evidence.time }
}
