import Foundation

/// A problem the logs show, with the lines that show it and what to do.
public struct IMEFinding: Sendable, Equatable {
    /// Which problem; the raw value is what reports print.
    public enum Kind: String, Sendable {
        /// Installer exited with success, detection failed, IMECache was deleted seconds later.
        case cleanerRace
        /// The installer returned an exit code that has no return-code mapping.
        case unmappedExitCode
        /// The installer ran into IME's time limit (0x87D300C9).
        case timeout
        /// The content download failed.
        case downloadFailure
        /// The Delivery Optimization download failed and IME fell back to the CDN.
        case downloadFallback
        /// IME reused cached content and the attempt then failed: the cache may be stale or damaged.
        case cacheHitThenFailure
        /// The app waits in GRS (IME's retry schedule after a failure) and is not enforced.
        case stuckInGRS
    }
    /// Which problem it is.
    public var kind: Kind
    /// The app concerned; nil when the lines name none.
    public var appID: String?
    /// What happened, in one sentence.
    public var summary: String
    /// What to do about it.
    public var suggestion: String?
    /// The log lines that show it.
    public var evidence: [IMEEvidence]
}
