import Foundation

/// The Win32 app lines IME writes that carry nothing for a report (housekeeping, branding, session
/// bookkeeping) but are understood: coverage counts them as understood, so what remains "not understood"
/// is wording this reader has not seen.
enum IMEKnownLines {
    /// Whether a record is a Win32 app line: tagged `[Win32App…]`, `[StatusService]`, `[Win32 App DO]`, or
    /// written by AppWorkload / AppActionProcessor.
    static func isWin32(_ record: CMTraceRecord) -> Bool {
        let m = record.message
        if m.hasPrefix("[Win32") || m.hasPrefix("[StatusService]") || m.hasPrefix("---->>[Win32") || m.hasPrefix("----[Win32") { return true }
        let c = record.component
        return c.hasPrefix("AppWorkload") || c.hasPrefix("AppActionProcessor")
    }

    /// Whether the message is one of the known wordings without a report value.
    static func isKnown(_ message: String) -> Bool {
        var m = Substring(message)
        if m.hasPrefix("---->>") { m = m.dropFirst(6) } else if m.hasPrefix("----") { m = m.dropFirst(4) }
        for tag in tags where m.hasPrefix(tag) { m = m.dropFirst(tag.count); break }
        // A sub-tag of its own (`[BrandManager]`): known when listed.
        if m.hasPrefix("[") { return knownSubTags.contains { m.hasPrefix($0) } || knownTagged.contains { m.hasPrefix($0) } }
        let trimmed = m.drop { $0 == " " }
        return knownPlain.contains { trimmed.hasPrefix($0) }
    }

    /// The wording of a line with ids, numbers and quoted values taken out, to count distinct wordings.
    static func wording(_ line: String) -> String {
        var out = ""
        var lastWasDigit = false
        for c in line.prefix(120) {
            if c.isNumber || c.isHexDigit && lastWasDigit { if !lastWasDigit { out.append("#") }; lastWasDigit = true; continue }
            lastWasDigit = false
            out.append(c)
        }
        return out
    }

    private static let tags = ["[Win32App]", "[Win32AppAsync]", "[Win32AvailableAppAsync]", "[Win32 App DO]", "[Win32App DO]", "[StatusService]"]

    /// Sub-tags whose every line is housekeeping.
    private static let knownSubTags = [
        "[BrandManager]", "[EspHelper]", "[CheckinIntervalManager]", "[RealTimeStatusManager]", "[StatusServiceReportsStore]",
        "[ReportingCacheManager]", "[PowerEventListener]", "[WinGetApp]", "[Toast", "[CompanyPortal", "[ReevaluationScheduleManager]",
        "[RebootCoordinator]", "[RebootHelper]", "[Content Manager]",
    ]

    /// Tagged wordings that are understood and carry nothing to report.
    private static let knownTagged = [
        "[GRSManager] Reading GRS values", "[GRSManager] Saving GRS values", "[GRSManager] Scanning GRS", "[GRSManager] Saved GRS",
        "[GRSManager] Removing", "[GRSManager] Cleaning",
        "[ReportingManager] Not sending", "[ReportingManager] Sending status to company portal", "[ReportingManager] App with id:",
        "[ActionProcessor] Found:", "[ActionProcessor] Calculating desired states", "[ActionProcessor] Updating desired states",
        "[ActionProcessor] Evaluating", "[ActionProcessor] Processor initializing", "[ActionProcessor] App with id:",
        "[DetectionActionHandler] Handler invoked", "[DetectionActionHandler] Detection running", "[DetectionActionHandler] Handler completed.",
        "[ApplicabilityActionHandler] Handler invoked", "[ApplicabilityActionHandler] Handler completed.",
        "[DownloadActionHandler] Clearing GRS", "[InstallActionHandler] Handler invoked", "[InstallActionHandler] Handler completed.",
        "[V3Processor]", "[Content Manager]", "[SideCar", "[WinGet]",
    ]

    /// Untagged wordings (after the tag) that are understood and carry nothing to report.
    private static let knownPlain = [
        "Failed to parse", "WindowsSID", "applicationRequirementMetadata", "SideCar", "Checked ", "Start detectionManager",
        "Start requirementManager", "detectionManager", "requirementManager", "ProcessDetectionRules", "ProcessRequirementRules",
        "RequirementType", "Detection script file", "Requirement script file", "Using FileStream", "Found native machine",
        "Load ", "Refresh session", "Got ", "valid AAD", "Total valid", "isSession", "loggedInIntuneUserIds", "Set MdmDeviceCertificate",
        "0 entries", "entries", "Enumerating", "Checking SessionId", "After impersonation", "Toast", "Saving DownloadTime", "StartDeadline",
        "Disable Wow64", "Revert Wow64", "isDeviceWPJ", "The EspPhase", "Not in ESP", "sender is null", "Creating checkin", "Creation of checkin",
        ".....", "-----", "To check Exist", "Got reg value", "GreaterThanOrEqual", "Finished checking previous app report",
        "Win32AppResults count", "Reporting app results", "Sending results to service", "Check-in ", "RequiredOSArchitecture",
        "Powershell", "Launch powershell", "Create proxy", "Execution is done", "Cleaning up", "Path doesn't exists",
        "No subscribers", "Sending update", "Received AppInstallStatusUpdate", "Sending an update", "Returning status", "Reg key",
        "app with name", "added new report", "starts processing the app chain", "Set CurrentDirectory", "SetCurrentDirectory",
        "Win32App user", "Downloading app on session", "Start unzipping", "unzipping", "DownloadType", "ContentMode",
        "Content cache", "EspPhase", "application poller", "Processing ",
        "ESP", "Autopilot", "Comgt", "isApplicable", "Start CreateAppInstallNotifyInboxIfNotExist", "Created Content folder",
        "\"C:\\Program Files (x86)\\Microsoft Intune Management Extension\\agentexecutor.exe\"", "CheckProductCodeExists fails",
        "Get content info from Intune", "DO Job: resume job", "Starting service host", "Service host", "Closing Status Service host",
        "GetSidecarTrackingPoliciesCreated", "GetTrackingAppsState",
    ]
}
