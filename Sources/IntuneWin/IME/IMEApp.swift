import Foundation

/// Everything the logs say about one Win32 app, followed across IME's log files and their generations.
public struct IMEApp: Sendable, Equatable {
    /// The app's id (a GUID, lower case).
    public var id: String
    /// The display name, from any line that carries it (policies, content requests, status lines).
    public var name: String?
    /// The content version, when logged.
    public var version: String?
    /// 0 not targeted, 1 available, 3 required, 4 uninstall.
    public var intent: Int?
    /// The install command line from the policy.
    public var installCommand: String?
    /// The uninstall command line from the policy.
    public var uninstallCommand: String?
    /// "system" or "user", from the policy.
    public var installContext: String?
    /// Detection rule types from the policy (1 MSI, 2 file, 3 script, 4 registry…).
    public var detectionTypes: [Int] = []
    /// The retry policy (InstallEx): how many times and how often IME retries a failed install.
    public var maxRetries: Int?
    /// Minutes between those retries.
    public var retryIntervalMinutes: Int?
    /// The maximum run time of the installer in minutes (InstallEx).
    public var maxRunTimeMinutes: Int?
    /// Apps this app depends on (from the policy and the dependency chain IME logs).
    public var dependencies: [String] = []
    /// Apps this app supersedes (from the policy).
    public var supersedes: [String] = []
    /// Every check-in that named the app, in time order.
    public var checkIns: [IMECheckIn] = []
    /// GetContentInfo replies (the whole record, multi-line JSON included).
    public var contentInfo: [CMTraceRecord] = []
    /// `is in GRS … will not be enforced` lines.
    public var grsSkips: [IMEEvidence] = []

    /// An app known by its id alone.
    public init(id: String) { self.id = id }

    /// The latest check-in that came to a result, else the latest check-in.
    public var lastCheckIn: IMECheckIn? {
        checkIns.last { $0.outcome.kind != .unknown && $0.outcome.kind != .notDue } ?? checkIns.last
    }

    /// `Snagit 2025 (5e432f47-…)`, or the id alone.
    public var label: String { name.map { "\($0) (\(id))" } ?? id }
}
