import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Win32 app lines IME writes that carry nothing for a report (housekeeping, branding, session
/// bookkeeping) but are understood: coverage counts them as understood, so what remains "not understood"
/// is wording this reader has not seen.
enum IMEKnownLines {
    /// Whether a record is a Win32 app line: tagged `[Win32App…]`, `[StatusService]`, `[Win32 App DO]`, or
    /// written by AppWorkload / AppActionProcessor. Byte tests only: runs on every record.
    static func isWin32(_ record: CMTraceRecord) -> Bool {
        let tagged = IMEBytes.withUTF8(record.message) { b -> Bool in
            var m = b
            if IMEBytes.hasPrefix(m, "---->>") { m = UnsafeBufferPointer(rebasing: m[6...]) } else if IMEBytes.hasPrefix(m, "----") { m = UnsafeBufferPointer(rebasing: m[4...]) }
            return IMEBytes.hasPrefix(m, "[Win32") || IMEBytes.hasPrefix(m, "[StatusService]")
        }
        if tagged { return true }
        return IMEBytes.withUTF8(record.component) { c in IMEBytes.hasPrefix(c, "AppWorkload") || IMEBytes.hasPrefix(c, "AppActionProcessor") }
    }

    /// Whether the message is one of the known wordings without a report value (byte prefix tests).
    static func isKnown(_ message: String) -> Bool {
        IMEBytes.withUTF8(message) { b -> Bool in
            var m = b
            if IMEBytes.hasPrefix(m, "---->>") { m = UnsafeBufferPointer(rebasing: m[6...]) } else if IMEBytes.hasPrefix(m, "----") { m = UnsafeBufferPointer(rebasing: m[4...]) }
            for tag in tagBytes where starts(m, tag) { m = UnsafeBufferPointer(rebasing: m[tag.count...]); break }
            var start = 0
            while start < m.count, m[start] == 0x20 { start += 1 }
            m = UnsafeBufferPointer(rebasing: m[start...])
            // A sub-tag of its own (`[BrandManager]`): known when listed.
            if m.first == UInt8(ascii: "[") { return known(m, in: taggedByFirstByte) }
            return known(m, in: plainByFirstByte)
        }
    }

    /// A hash of the line's wording: its first 120 bytes with every run of digits (and the hex letters
    /// right after them) as one `#`, so lines that differ only in ids, numbers and times count once.
    static func wordingHash(_ line: String) -> Int {
        IMEBytes.withUTF8(line) { b -> Int in
            var hasher = Hasher()
            var inNumber = false
            for c in b.prefix(120) {
                let digit = c >= 0x30 && c <= 0x39
                let hexLetter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66
                if digit || (inNumber && hexLetter) { if !inNumber { hasher.combine(UInt8(ascii: "#")) }; inNumber = true; continue }
                inNumber = false
                hasher.combine(c)
            }
            return hasher.finalize()
        }
    }

    private static func starts(_ b: UnsafeBufferPointer<UInt8>, _ prefix: [UInt8]) -> Bool {
        guard b.count >= prefix.count, let base = b.baseAddress else { return prefix.isEmpty }
        return prefix.withUnsafeBufferPointer { memcmp(base, $0.baseAddress!, prefix.count) == 0 }
    }

    /// Whether `b` starts with one of the prefixes listed under its first byte (and, for `[` prefixes, its second).
    private static func known(_ b: UnsafeBufferPointer<UInt8>, in table: [[[UInt8]]]) -> Bool {
        guard b.count >= 2 else { return false }
        let key = b[0] == UInt8(ascii: "[") ? Int(b[1]) : Int(b[0])
        return table[key].contains { starts(b, $0) }
    }

    /// Prefixes by the byte that tells them apart quickly (the first, or the one after `[`).
    private static func byFirstByte(_ prefixes: [String]) -> [[[UInt8]]] {
        var table = [[[UInt8]]](repeating: [], count: 256)
        for p in prefixes {
            let bytes = Array(p.utf8)
            guard bytes.count >= 2 else { continue }
            table[Int(bytes[0] == UInt8(ascii: "[") ? bytes[1] : bytes[0])].append(bytes)
        }
        return table
    }

    private static let tagBytes = tags.map { Array($0.utf8) }
    private static let taggedByFirstByte = byFirstByte(knownSubTags + knownTagged)
    private static let plainByFirstByte = byFirstByte(knownPlain)

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
