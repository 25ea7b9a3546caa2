import Foundation

/// One step of an attempt, in log order.
public struct IMEPhase: Sendable, Equatable {
    /// The step of IME's Win32 app flow a line belongs to (GRS is IME's retry schedule after a failed attempt).
    public enum Kind: String, Sendable {
        case policyReceived, processing, dependency, reevaluation, detectionBefore, applicability, notApplicable, grs, grsSkip,
             download, contentInfo, downloadProgress, downloadTimeout, downloadFailure, cdnFallback, hashValidation, decryption,
             unzip, retry, install, exitCode, timeout, detectionAfter, cleanupIncoming, cleanupIMECache, reporting, aborted
    }
    /// Which step it is.
    public var kind: Kind
    /// What the step found, in a few words ("detected", "exit code 0", …).
    public var detail: String
    /// The line that shows it.
    public var evidence: IMEEvidence
    /// When the line was written.
    public var time: LogTimestamp? { evidence.time }
}
