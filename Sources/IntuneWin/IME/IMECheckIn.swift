import Foundation

/// What IME did with one app during one check-in (one pass of its poller over the device's apps): detection,
/// applicability, GRS, download, install, detection again and reporting, with the lines that show each.
/// An app has one per check-in that names it; check-ins hours apart are never merged.
public struct IMECheckIn: Sendable, Equatable {
    /// The check-in (`IMELogReport.sessions[session - 1]`) this pass belongs to; nil when the logs show none.
    public var session: Int?
    /// The IME thread that ran it.
    public var thread: Int?
    /// Why IME checked in (`checkinReason`: MaintenanceTimer, AvailableAppRequest, …), when logged.
    public var reason: String?
    /// The app's intent when this check-in ran (3 required, 1 available, 4 uninstall), when known.
    public var intent: Int?
    /// The Enrollment Status Page phase (`NotInEsp`, `DeviceSetup`, `AccountSetup`), when logged.
    public var espPhase: String?
    /// The steps, in log order.
    public var phases: [IMEPhase] = []
    /// Detection rule types evaluated (1 MSI, 2 file, 3 script, 4 registry…).
    public var detectionTypes: [Int] = []
    /// The detection result before the install; nil when not logged.
    public var detectedBefore: Bool?
    /// The detection result after the install; nil when not logged.
    public var detectedAfter: Bool?
    /// The applicability check's result as logged (`Applicable`, `ScriptRequirementRuleNotMet`, …).
    public var applicability: String?
    /// Why the app was not applicable (assignment filters, a requirement rule); nil when it was or is unknown.
    public var notApplicable: String?
    /// What IME's retry schedule (GRS) said about the app.
    public var grs: IMEGRS?
    /// The content download, when there was one.
    public var download: IMEDownload?
    /// The installer's process id.
    public var processID: Int?
    /// The session the installer ran in, as logged (system or user).
    public var installContext: String?
    /// The command line IME ran.
    public var installCommand: String?
    /// The installer's exit code.
    public var exitCode: UInt32?
    /// The HRESULT IME derives from the exit code (1603 → 0x80070643).
    public var hresult: Int32?
    /// The admin's mapping ("Success", …), "unmapped" when IME says none was set.
    public var exitCodeMapping: String?
    /// Retries of the install IME logged (0 for none).
    public var retries = 0
    /// The installer ran into IME's time limit.
    public var timedOut = false
    /// What IME reported to Intune for the app (enforcement state, error code, status).
    public var reported: IMEReportedState?
    /// `No action required`: the desired state already held.
    public var noActionRequired = false
    /// IME stopped processing the app's subgraph (`Encountered unexpected state … Aborting processing`).
    public var aborted: String?
    /// The check-in skipped the app because its subgraph's re-evaluation interval had not expired.
    public var reevaluationNotDue = false
    /// For an app processed with dependencies: IME's aggregated result for it (`Aggregated result … is Success`).
    public var aggregatedResult: String?
    /// The app whose dependency chain this pass ran in, when it ran as a dependency of another app.
    public var dependencyOf: String?

    /// An empty pass over an app in `session` on `thread`.
    public init(session: Int? = nil, thread: Int? = nil) {
        self.session = session
        self.thread = thread
    }

    /// When IME started on the app in this check-in: its first phase after the policy list (which IME
    /// receives at the start of the check-in, maybe long before it reaches this app).
    public var start: LogTimestamp? { (phases.first { $0.kind != .policyReceived } ?? phases.first)?.time }
    /// When the last phase was logged.
    public var end: LogTimestamp? { phases.last?.time }
    /// Seconds from the first phase to the last, when both have times.
    public var durationSeconds: Double? {
        guard let a = start?.localSeconds, let b = end?.localSeconds, b >= a else { return nil }
        return b - a
    }
    /// The first phase of `kind`, if any.
    public func first(_ kind: IMEPhase.Kind) -> IMEPhase? { phases.first { $0.kind == kind } }
    /// The last phase of `kind`, if any.
    public func last(_ kind: IMEPhase.Kind) -> IMEPhase? { phases.last { $0.kind == kind } }
}
