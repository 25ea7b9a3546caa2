import Foundation

/// What IME reported to Intune about an app: the enforcement state (from `Report delta` lines, the
/// `EnforcementStateMessage` or the status service), its error code, and the status the Company Portal shows.
public struct IMEReportedState: Sendable, Equatable {
    /// The enforcement state before the last change, as logged (`Success`, `InProgress`, `Error`…).
    public var previousState: String?
    /// The enforcement state IME reported last.
    public var state: String?
    /// The error code reported with it (`-2016345060` is 0x87D1041C: installed but not detected).
    public var errorCode: Int32?
    /// The status shown to the user (`Installed`, `Failed`, `Installing`…), from `[StatusService]` lines.
    public var status: String?
    /// The detection state reported (`Installed`, `NotInstalled`), from `Report delta` lines.
    public var detectionState: String?

    /// Nothing reported yet.
    public init() {}
}
