import Foundation

/// `verify`'s checks of a nested-zip package (a launcher beside `payload.zip`): the launcher's settings
/// can be read, payload.zip has the SHA-256 they name (`launcher.ini`'s `payload_sha256`, or the
/// `install.ps1` data block), and, given a source folder, the files inside payload.zip equal it (the rules
/// of `Verifier.compare`). payload.zip is streamed: hashed in place, copied to a temporary file only to be
/// compared with a source.
enum NestedPayloadVerification {
    /// The checks for the inner zip `inner` of `package`, or nil when the package is not in the nested-zip
    /// layout (then the caller compares the inner zip itself). `inflate` false (the declared sizes are over
    /// the size limits) skips every check that would inflate payload.zip.
    static func checks(_ package: IntuneWinPackage, inner: ZipReader, inflate: Bool, source: String?,
                       excludes: [String], followingLinksOutside: Bool) throws -> [VerificationCheck]? {
        guard let launcher = try LauncherInspection.inspect(inner, setupFile: package.detection.setupFile, path: package.path),
              let entry = NestedPayload.entry(in: inner) else { return nil }
        var report = VerificationReport(path: package.path)
        let settingsFile = launcher.kind == .native ? NativeLauncher.settingsName : LauncherScript.fileName
        guard let settings = launcher.settings else {
            report.record("launcher", false, "\(settingsFile): \(launcher.settingsProblem ?? "unreadable")")
            report.skip("payload-sha256", "no launcher settings to compare with")
            if source != nil { report.skip("source", "no launcher settings") }
            return report.checks
        }
        report.record("launcher", true, "\(settingsFile) names setup \(settings.setupFile) and payload \(settings.payloadFileName)")
        guard inflate else {
            report.skip("payload-sha256", "not inflated: the declared sizes are over the size limits")
            if source != nil { report.skip("source", "not inflated: the declared sizes are over the size limits") }
            return report.checks
        }
        let expected = settings.payloadSHA256.lowercased()
        let payload: NestedPayload?
        let digest: String
        do {
            if source != nil {
                payload = try NestedPayload(entry, in: inner, path: package.path)
                digest = payload!.sha256
            } else {
                payload = nil
                let sha = SHA256()
                try inner.extract(entry) { sha.update($0) }
                digest = sha.finalize().map { String(format: "%02x", Int($0)) }.joined()
            }
        } catch let error as IntuneWinError where error.kind != .cannotWrite {
            report.record("payload-sha256", false, "\(entry.name) unreadable: \(error.reason)")
            if source != nil { report.skip("source", "payload.zip unreadable") }
            return report.checks
        }
        report.record("payload-sha256", digest == expected,
                      digest == expected ? "SHA-256 of \(entry.name) equals the one in \(settingsFile)"
                                         : "SHA-256 of \(entry.name) is \(digest), \(settingsFile) says \(expected)")
        if let source, let payload {
            let (ok, detail) = try Verifier.compare(payload.zip, source: source, excludes: excludes,
                                                    followingLinksOutside: followingLinksOutside, package: package.path)
            report.record("source", ok, "inside \(entry.name): " + detail)
        }
        return report.checks
    }
}
