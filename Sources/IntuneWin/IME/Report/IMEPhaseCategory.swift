import Foundation

/// The groups of phase kinds the HTML report colours alike: a timeline shows where a check-in spent its
/// time (detection, GRS, download, install, reporting) and where it went wrong.
enum IMEPhaseCategory: String, CaseIterable {
    case processing, detection, grs, download, install, reporting, problem

    init(_ kind: IMEPhase.Kind) {
        switch kind {
        case .policyReceived, .processing, .dependency, .reevaluation: self = .processing
        case .detectionBefore, .applicability, .notApplicable, .detectionAfter: self = .detection
        case .grs, .grsSkip, .retry: self = .grs
        case .download, .contentInfo, .downloadProgress, .cdnFallback, .hashValidation, .decryption, .unzip: self = .download
        case .install, .exitCode: self = .install
        case .reporting, .cleanupIncoming, .cleanupIMECache: self = .reporting
        case .downloadTimeout, .downloadFailure, .timeout, .aborted: self = .problem
        }
    }

    /// What the legend says.
    var label: String {
        switch self {
        case .processing: return "policy / processing"
        case .detection: return "detection / applicability"
        case .grs: return "GRS / retry"
        case .download: return "download / decrypt / unzip"
        case .install: return "install"
        case .reporting: return "reporting / cleanup"
        case .problem: return "timeout / failure / abort"
        }
    }

    /// The CSS class (`c-download`) that colours it; the colours are in `IMELogHTMLStyle`.
    var cssClass: String { "c-" + rawValue }
}
