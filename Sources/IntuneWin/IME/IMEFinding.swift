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
        /// The installer exited with a code its return codes map to failure (or a known failure code).
        case installFailed
        /// The installer process crashed (an NTSTATUS code such as 0xC0000142).
        case crash
        /// The installer reported success but the detection rules do not find the app (0x87D1041C).
        case installedNotDetected
        /// IME stopped waiting for the content download.
        case downloadTimedOut
        /// The content download made no progress for a long time.
        case downloadStalled
        /// The app was not applicable: assignment filters or a requirement rule.
        case notApplicable
        /// IME aborted processing the app's subgraph (`Encountered unexpected state`).
        case processingAborted
        /// The app's history begins or ends mid-flow: the lines before or after rotated out of the logs.
        case historyIncomplete
        /// Evidence an admin would need is missing from the diagnostics collection.
        case evidenceMissing
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
