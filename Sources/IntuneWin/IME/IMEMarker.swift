import Foundation

/// The phrases `IMEEvent.classify` looks for anywhere in a message (prefix-only phrases are not here).
enum IMEMarker: Int, CaseIterable {
    case processingTargeted, processingApp, stepStartTo, stepDetectionAfter, detectionType, completedDetection,
         pathDoesNotExist, checkedFilePath, detectedByCurrentRule, applicationDetected, detectionState, skipApplicability,
         applicabilityState, applicability, grsExpired, noRecordedGRS, inGRS, triedLast24Hours, stepDownload, downloadURL,
         cacheMiss, cacheFound, doJobStart, viaDOBytes, doNotFinished, noContentInfo, errorDownloadingContent, cdnRawURL,
         cdnComplete, verifyHash, hmacPass, decrypted, decryptFailed, downloadedSize, downloadedTime, unzipping,
         decompressed, executeRetry, installerCommandLine, launchInstaller, installDone, installTimeout, unmappedExitCode,
         exitCodeDefinedAs, hResult, skipCleanupTimeout, removingContent, cleaningStaged, enforcementState,
         reportingStart, reportingSent, stepInstallBehavior,
         pollerStarts, pollerStopped, startingCheckIn, endCheckIn, availableCheckInStart, availableCheckInFinish,
         requestingRequired, requestingAvailable, subgraphApps, v3Processing, v3Done, filters, reevaluationNotDue,
         reevaluationSet, checkinReason, espPhaseAutopilot, grsFound, grsAppWithID, grsCleared, grsSaved, contentRequest,
         statusDownloading, doFindExisting, doJobInProgress, doTimeout, handlerCompleted, executionCompleted, reportDelta,
         statusSendingUpdate, statusReturning, noActionRequired, unexpectedState, targetedIntent, effectiveIntent,
         aggregatedResult, dependencyChain, agentVersion, downloadHandlerInvoked, reportedAsApplicable

    /// The phrase, as IME writes it.
    var text: String {
        switch self {
        case .processingTargeted: return "processing targeted app (name='"
        case .processingApp: return "Processing app (id="
        case .stepStartTo: return "===Step=== Start to "
        case .stepDetectionAfter: return "===Step=== Detection rules after Execution"
        case .detectionType: return "[Win32App] DetectionType "
        case .completedDetection: return "Completed detectionManager"
        case .pathDoesNotExist: return "Path doesn't exists"
        case .checkedFilePath: return "Checked filePath"
        case .detectedByCurrentRule: return "applicationDetectedByCurrentRule:"
        case .applicationDetected: return "applicationDetected:"
        case .detectionState: return "resulted in action status: Success and detection state: "
        case .skipApplicability: return "and intent is to install, skip applicability check"
        case .applicabilityState: return "applicability state: "
        case .applicability: return "applicability: "
        case .grsExpired: return "GRS is expired"
        case .noRecordedGRS: return "has no recorded GRS value"
        case .inGRS: return "is in GRS. The app will not be enforced"
        case .triedLast24Hours: return "Tried in last 24 hours"
        case .stepDownload: return "===Step=== Download"
        case .downloadURL: return "DownloadUrl = "
        case .cacheMiss: return "Content cache miss"
        case .cacheFound: return "Content cache found for app"
        case .doJobStart: return "[Win32App DO] start creating a new download job"
        case .viaDOBytes: return " via DO, bytes "
        case .doNotFinished: return "DO download is not finished after"
        case .noContentInfo: return "Didn't get content info from service"
        case .errorDownloadingContent: return "ErrorDownloadingContent"
        case .cdnRawURL: return "CDN mode, content raw URL is "
        case .cdnComplete: return "CDN mode, download completes"
        case .verifyHash: return "Starts verifying encrypted hash"
        case .hmacPass: return "hmac validation is pass"
        case .decrypted: return "Decryption is done successfully"
        case .decryptFailed: return "Decryption is failed"
        case .downloadedSize: return "[Win32App] Downloaded file size "
        case .downloadedTime: return "[Win32App] Downloaded file time "
        case .unzipping: return "Unzipping file on session"
        case .decompressed: return "[Win32App] Decompressed: to "
        case .executeRetry: return "===Step=== Execute retry "
        case .installerCommandLine: return "Installer script command line: "
        case .launchInstaller: return "Launch Win32AppInstaller in "
        case .installDone: return "Installation is done, collecting result"
        case .installTimeout: return "Installation is timeout"
        case .unmappedExitCode: return "Admin did NOT set mapping for lpExitCode: "
        case .exitCodeDefinedAs: return "lpExitCode is defined as "
        case .hResult: return "[Win32App] hResultFromWin32 "
        case .skipCleanupTimeout: return "installer is running timeout, skip staged content clean up"
        case .removingContent: return "removing content from cache "
        case .cleaningStaged: return "Cleaning up staged content "
        case .enforcementState: return "Set EnforcementStateMessage EnforcementState: "
        case .reportingStart: return "Start reporting app results"
        case .reportingSent: return "Results are successfully sent"
        case .stepInstallBehavior: return "===Step=== InstallBehavior"
        case .pollerStarts: return "application poller starts"
        case .pollerStopped: return "application poller stopped"
        case .startingCheckIn: return "AppAsync] Starting app check in"
        case .endCheckIn: return "AppAsync] End app check in"
        case .availableCheckInStart: return "Start available apps check-in"
        case .availableCheckInFinish: return "Finish available apps check-in"
        case .requestingRequired: return "Requesting required apps"
        case .requestingAvailable: return "Requesting available apps"
        case .subgraphApps: return "Processing subgraph with app ids: "
        case .v3Processing: return "[V3Processor] Processing "
        case .v3Done: return "[V3Processor] Done processing "
        case .filters: return "not applicable due to assignment filters"
        case .reevaluationNotDue: return "Subgraph reevaluation interval is not expired"
        case .reevaluationSet: return "Setting subgraph reevaluation time with value: "
        case .checkinReason: return "checkinReason = "
        case .espPhaseAutopilot: return "Autopilot ESP phase: "
        case .grsFound: return "[GRSManager] Found GRS value: "
        case .grsAppWithID: return "[GRSManager] App with id: "
        case .grsCleared: return "Cleared GRS value for app"
        case .grsSaved: return "[GRSManager] Saved GRS value: "
        case .contentRequest: return "content info request is "
        case .statusDownloading: return "[StatusService] Downloading app (id = "
        case .doFindExisting: return "bytes transfered = "
        case .doJobInProgress: return " is in progress for app:"
        case .doTimeout: return "DO downloading is not finished within timeout"
        case .handlerCompleted: return "ActionHandler] Handler completed with action status: "
        case .executionCompleted: return "Execution completed with action status: "
        case .reportDelta: return "Report delta: "
        case .statusSendingUpdate: return "[StatusService] Sending an update to user"
        case .statusReturning: return "[StatusService] Returning status to user"
        case .noActionRequired: return "No action required for app with id: "
        case .unexpectedState: return "Encountered unexpected state for app with id: "
        case .targetedIntent: return ", targeted intent: "
        case .effectiveIntent: return ", effective intent: "
        case .aggregatedResult: return "Aggregated result for ("
        case .dependencyChain: return "ProcessAppWithDependencies starts for "
        case .agentVersion: return "Agent version is: "
        case .downloadHandlerInvoked: return "[DownloadActionHandler] Handler invoked for policy"
        case .reportedAsApplicable: return " has applicability state: "
        }
    }
}
