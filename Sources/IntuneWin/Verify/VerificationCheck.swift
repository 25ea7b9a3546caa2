/// One named check of a verification, and what it found.
public struct VerificationCheck: Sendable, Equatable {
    /// Whether a check passed, failed, or could not run (a check before it failed).
    public enum Outcome: String, Sendable { case passed, failed, skipped }
    /// The check's name (`hmac`, `file-digest`, `entry-crc`, …), stable for scripts.
    public var name: String
    /// Passed, failed or skipped.
    public var outcome: Outcome
    /// What was found, in one line.
    public var detail: String
    /// What would get past a failed check, when the caller can choose it (lifting the size limits).
    public var remedy: IntuneWinError.Remedy? = nil
}
