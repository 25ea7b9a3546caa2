import Foundation

/// The result of reading a set of IME logs: each app with its check-ins, the check-ins themselves, the
/// findings with their evidence, and how much of the logs was understood.
public struct IMELogReport: Sendable {
    /// Apps in the order the logs first name them.
    public var apps: [IMEApp]
    /// Problems found across the apps (see `IMEFindings`).
    public var findings: [IMEFinding]
    /// Records read from all files.
    public var recordCount: Int
    /// Damaged records (truncated, or a header without its start) among them.
    public var fragmentCount: Int
    /// Recognised events that could not be tied to an app (no app id, thread unknown).
    public var unattributed: [IMEPhase]
    /// The poller's check-ins, in the order they started.
    public var sessions: [IMECheckInSession] = []
    /// What was understood of the Win32 app lines.
    public var coverage = IMECoverage()
    /// The files read, in reading order, with the time span each covers.
    public var files: [IMELogFileSpan] = []
    /// Logs that could not be read to their end (the report holds what was read before).
    public var readFailures: [String] = []
    /// The diagnostics collections read (a `DiagLogs-*.zip` or its extracted folder): evidence present and missing.
    public var diagnostics: [DiagnosticsCollection] = []
    /// What the registry exports in them say (IME's Win32Apps state, GRS values, installed products).
    public var registry: IMERegistryFacts { .combined(diagnostics) }
    /// The device's offset from UTC, when the logs tell it (IME's UTC stamps beside its local times).
    public var utcOffset: IMEUTCOffset?

    /// A report from its parts.
    public init(apps: [IMEApp], findings: [IMEFinding], recordCount: Int, fragmentCount: Int, unattributed: [IMEPhase],
                sessions: [IMECheckInSession] = [], coverage: IMECoverage = IMECoverage(), files: [IMELogFileSpan] = []) {
        self.apps = apps
        self.findings = findings
        self.recordCount = recordCount
        self.fragmentCount = fragmentCount
        self.unattributed = unattributed
        self.sessions = sessions
        self.coverage = coverage
        self.files = files
    }

    /// The earliest and latest time in the logs.
    public var span: (first: LogTimestamp, last: LogTimestamp)? {
        let firsts = files.compactMap(\.first), lasts = files.compactMap(\.last)
        guard let a = firsts.min(), let b = lasts.max() else { return nil }
        return (a, b)
    }
}

/// One log file read: its name, how many records it held and the times of its first and last record.
public struct IMELogFileSpan: Sendable, Equatable {
    /// The file as named in evidence.
    public var source: String
    /// Records read from it.
    public var recordCount: Int
    /// The first time in it.
    public var first: LogTimestamp?
    /// The last time in it.
    public var last: LogTimestamp?
}
