import Foundation

/// The diagnostics collections and registry facts of a report as text lines: which evidence a
/// `DiagLogs-*.zip` holds and lacks, and per app what IME's registry and the Uninstall keys say.
public enum DiagnosticsText {
    /// An evidence kind as an admin names it.
    public static func evidenceName(_ kind: DiagnosticsEvidenceKind) -> String {
        switch kind {
        case .imeLogs: return "the IME logs folder"
        case .imeRegistry: return "the IME registry export"
        case .uninstallRegistry: return "the Uninstall registry keys"
        case .mdmDiagnostics: return "the MDM diagnostics"
        case .eventLogs: return "the event logs"
        }
    }

    /// One block per collection.
    public static func collectionLines(_ report: IMELogReport) -> [String] {
        var out: [String] = []
        for c in report.diagnostics {
            var head = "diagnostics \(IMEFindings.fileName(c.path))"
            if let device = c.deviceName { head += ": device \(device)" }
            if let at = c.collectedAt { head += ", collected \(IMEFindings.utcText(at)) UTC" }
            head += " (\(c.layout.rawValue) layout" + (c.hasResults ? ", results.xml" : ", no results.xml") + ")"
            out.append(head)
            let present = c.evidence.filter(\.present).map { evidenceName($0.kind) }
            let missing = c.evidence.filter { !$0.present }.map { e in
                evidenceName(e.kind) + (e.failures.isEmpty ? "" : " (" + e.failures.map(DiagnosticsCollection.hex).joined(separator: ", ") + ")")
            }
            if !present.isEmpty { out.append("  present: " + present.joined(separator: ", ")) }
            if !missing.isEmpty { out.append("  missing: " + missing.joined(separator: ", ")) }
            let registry = c.registry
            if !registry.isEmpty {
                out.append("  registry: \(IMELogText.count(registry.apps.count, "Win32 app state")), \(IMELogText.count(registry.grs.count, "GRS value")), \(IMELogText.count(registry.installed.count, "installed product"))")
            }
        }
        return out
    }

    /// What the registry says about `app`: IME's stored state (enforcement, error, exit code) and GRS
    /// value, and the installed products whose name is the app's.
    public static func appLines(_ app: IMEApp, registry: IMERegistryFacts) -> [String] {
        var out: [String] = []
        for state in registry.apps where state.appId.lowercased() == app.id {
            var parts: [String] = []
            if let e = state.enforcementState { parts.append("enforcement \(e) (\(IMERegistryFacts.enforcementStateName(e)))") }
            if let code = state.enforcementErrorCode { parts.append("error \(IMEFindings.hex(Int32(truncatingIfNeeded: code)))") }
            if let exit = state.exitCode { parts.append("exit code \(exit)") }
            if let c = state.complianceState { parts.append("compliance \(c)") }
            out.append("  registry (\(state.userId == "00000000-0000-0000-0000-000000000000" ? "device" : "user \(state.userId)")): " + (parts.isEmpty ? "no state values" : parts.joined(separator: ", ")))
        }
        for grs in registry.grs where grs.appId.lowercased() == app.id { out.append("  registry GRS: \(grs.time)") }
        for product in installed(app, registry: registry) {
            let name = [product.displayName ?? product.key, product.displayVersion].compactMap { $0 }.joined(separator: " ")
            out.append("  installed: \(name) (Uninstall\\\(product.key)\(product.wow6432 ? ", 32-bit" : ""))")
        }
        return out
    }

    /// The Uninstall entries whose display name is the app's name (case-insensitive), or starts it.
    public static func installed(_ app: IMEApp, registry: IMERegistryFacts) -> [IMERegistryFacts.InstalledProduct] {
        guard let name = app.name?.lowercased(), name.count >= 4 else { return [] }
        return registry.installed.filter { product in
            guard let display = product.displayName?.lowercased(), display.count >= 4 else { return false }
            return display == name || name.hasPrefix(display + " ") || display.hasPrefix(name + " ")
        }
    }
}
