/// The result of `verify`: every check, in the order run. Passed only when no check failed.
public struct VerificationReport: Sendable {
    /// The package verified.
    public var path: String
    /// Every check, in the order run.
    public var checks: [VerificationCheck] = []
    /// Entries of the inner zip (0 when it could not be read).
    public var entryCount: Int = 0
    /// No check failed (skipped checks do not count against it).
    public var passed: Bool { !checks.contains { $0.outcome == .failed } }
    /// The checks that failed.
    public var failures: [VerificationCheck] { checks.filter { $0.outcome == .failed } }

    mutating func record(_ name: String, _ ok: Bool, _ detail: String, remedy: IntuneWinError.Remedy? = nil) {
        checks.append(VerificationCheck(name: name, outcome: ok ? .passed : .failed, detail: detail, remedy: remedy))
    }

    mutating func skip(_ name: String, _ why: String) {
        checks.append(VerificationCheck(name: name, outcome: .skipped, detail: why))
    }
}
