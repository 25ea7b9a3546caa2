import Foundation

/// Everything the logs say about one Win32 app.
public struct IMEApp: Sendable, Equatable {
    /// The app's id (a GUID, lower case).
    public var id: String
    /// The display name, from the policies IME received.
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
    /// Every pass IME made over the app, in log order.
    public var attempts: [IMEAttempt] = []
    /// GetContentInfo replies (the whole record, multi-line JSON included).
    public var contentInfo: [CMTraceRecord] = []
    /// `is in GRS … will not be enforced` lines.
    public var grsSkips: [IMEEvidence] = []
}
