import Foundation

/// The result of reading a set of IME logs.
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
}
