import Foundation

/// One pass of IME over an app: from processing to reporting, with what each phase found.
public struct IMEAttempt: Sendable, Equatable {
    /// The IME thread that ran the attempt.
    public var thread: Int?
    /// The steps, in log order.
    public var phases: [IMEPhase] = []
    /// Detection rule types evaluated (1 MSI, 2 file, 3 script, 4 registry…).
    public var detectionTypes: [Int] = []
    /// The detection result before the install; nil when not logged.
    public var detectedBefore: Bool?
    /// The detection result after the install; nil when not logged.
    public var detectedAfter: Bool?
    /// The applicability check's result as logged (`Applicable`, …).
    public var applicability: String?
    /// "DO", "CDN" or nil when nothing was downloaded.
    public var downloadMode: String?
    /// Size of the content downloaded.
    public var downloadBytes: UInt64?
    /// How long the download took, as IME logs it.
    public var downloadMilliseconds: Double?
    /// IME reused content already in its cache instead of downloading.
    public var cacheFound = false
    /// The download (Delivery Optimization or CDN) failed.
    public var downloadFailed = false
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

    /// When the first phase was logged.
    public var start: LogTimestamp? { phases.first?.time }
    /// The first phase of `kind`, if any.
    public func first(_ kind: IMEPhase.Kind) -> IMEPhase? { phases.first { $0.kind == kind } }
    /// The last phase of `kind`, if any.
    public func last(_ kind: IMEPhase.Kind) -> IMEPhase? { phases.last { $0.kind == kind } }
}
