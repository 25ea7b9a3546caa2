import Foundation

/// Checks a Detection.xml on its own (the metadata Intune and IME receive) and, when given, the
/// encrypted content it describes (the `.bin` IME downloads): every field a failed check of its own
/// rather than the first error, so a hand-made or damaged file shows all that is wrong with it.
/// Values of keys are never shown, only whether they are valid base64 of the right size.
public enum DetectionVerifier {
    /// Required `<EncryptionInfo>` children, with the decoded size of the base64 ones.
    private static let encryptionFields: [(name: String, bytes: Int?)] = [
        ("EncryptionKey", 32), ("MacKey", 32), ("InitializationVector", 16), ("Mac", 32),
        ("ProfileIdentifier", nil), ("FileDigest", 32), ("FileDigestAlgorithm", nil),
    ]
    /// `<MsiInfo>` fields Microsoft's tool writes as booleans.
    private static let msiBooleans: Set<String> = [
        "MsiRequiresLogon", "MsiRequiresReboot", "MsiIsMachineInstall", "MsiIsUserInstall", "MsiIncludesServices",
        "MsiIncludesODBCDataSource", "MsiContainsSystemRegistryKeys", "MsiContainsSystemFolders",
    ]
    /// `<MsiInfo>` fields holding a braced GUID.
    private static let msiGUIDs: Set<String> = ["MsiProductCode", "MsiPackageCode", "MsiUpgradeCode"]

    /// Verifies the Detection.xml at `path` and, with `contentFile`, the content it describes (the same
    /// content checks as for a package). Without content the last check, `content`, is skipped and
    /// says so. Throws only when a file cannot be read at all, or `contentFile` is plainly not
    /// encrypted content (an MSI, an .exe, a zip, text).
    public static func verify(detectionAt path: String, contentFile: String? = nil, limits: SizeLimits = .default,
                              progress: ProgressHandler? = nil) throws -> VerificationReport {
        let file = try FileRegion(path: path)
        guard file.size <= IntuneWinPackage.detectionSizeLimit else {
            throw IntuneWinError.badInput(path, "\(file.size) bytes: too large for a Detection.xml")
        }
        var bytes = KeyText.utf8(try file.readExactly(at: 0, count: Int(file.size)))
        defer { SecretBytes.scrub(&bytes) }  // the text holds the keys
        var report = checkMetadata(bytes, path: path)
        guard let contentFile else {
            report.skip("content", "content not checked: give the .bin IME downloaded with --content-file")
            return report
        }
        guard !report.checks.contains(where: { $0.outcome == .failed && ["detection-xml", "required-fields", "key-material"].contains($0.name) }),
              let detection = try? DetectionXML.parse(bytes, path: path) else {
            report.skip("content", "content not checked: the keys in the Detection.xml are unusable")
            return report
        }
        if detection.encryptionInfo.profileIdentifier.caseInsensitiveCompare(KeyMaterial.noEncryptionProfile) == .orderedSame {
            report.skip("content", "content not checked: ProfileIdentifier is NoEncryption")
            return report
        }
        _ = try Verifier.verifyContentFile(contentFile, keys: try ContentKeys(detection, source: path),
                                           setupFile: detection.setupFile, limits: limits, progress: progress, into: &report)
        return report
    }

    /// The metadata checks alone, on the bytes of a Detection.xml (UTF-8); `path` names it.
    public static func checkMetadata(_ bytes: [UInt8], path: String) -> VerificationReport {
        var report = VerificationReport(path: path)
        let root: XMLTree.Element
        do {
            root = try XMLTree.parse(bytes)
        } catch {
            report.record("detection-xml", false, "not well-formed XML: \(error)")
            return report
        }
        guard root.name == "ApplicationInfo" else {
            report.record("detection-xml", false, "root element is <\(String(root.name.prefix(64)))>, expected <ApplicationInfo>")
            return report
        }
        report.record("detection-xml", true, "well-formed, root <ApplicationInfo>")

        // Required fields: present once, holding text.
        var problems: [String] = []
        func value(_ name: String, in parent: XMLTree.Element) -> String? {
            let found = parent.children(named: name)
            if found.isEmpty { problems.append("missing <\(name)>"); return nil }
            if found.count > 1 { problems.append("<\(name)> appears \(found.count) times"); return nil }
            if !found[0].children.isEmpty { problems.append("<\(name)> holds elements, not text"); return nil }
            return found[0].text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let name = value("Name", in: root)
        let sizeText = value("UnencryptedContentSize", in: root)
        let fileName = value("FileName", in: root)
        let setupFile = value("SetupFile", in: root)
        let infos = root.children(named: "EncryptionInfo")
        var fields: [String: String] = [:]
        if infos.count == 1 {
            for field in encryptionFields { fields[field.name] = value(field.name, in: infos[0]) }
        } else {
            problems.append(infos.isEmpty ? "missing <EncryptionInfo>" : "<EncryptionInfo> appears \(infos.count) times")
        }
        for (label, text) in [("Name", name), ("FileName", fileName), ("SetupFile", setupFile)] where text?.isEmpty == true {
            problems.append("<\(label)> is empty")
        }
        report.record("required-fields", problems.isEmpty, problems.isEmpty ? "every field Microsoft's tool writes is there" : problems.joined(separator: "; "))

        // Keys, IV, MAC and digest: base64 of the right sizes (never shown).
        var keyProblems: [String] = []
        for field in encryptionFields {
            guard let bytes = field.bytes, let text = fields[field.name] else { continue }
            guard let decoded = Data(base64Encoded: text.filter { !$0.isWhitespace }) else {
                keyProblems.append("<\(field.name)> is not valid base64"); continue
            }
            if decoded.count != bytes { keyProblems.append("<\(field.name)> is \(decoded.count) bytes, expected \(bytes)") }
        }
        if infos.count == 1 {
            let present = encryptionFields.filter { $0.bytes != nil && fields[$0.name] != nil }.count
            report.record("key-material", keyProblems.isEmpty && present == 5,
                          keyProblems.isEmpty ? (present == 5 ? "EncryptionKey 32, MacKey 32, InitializationVector 16, Mac 32, FileDigest 32 bytes" : "\(5 - present) of the 5 values missing")
                          : keyProblems.joined(separator: "; "))
            let profile = fields["ProfileIdentifier"] ?? "", algorithm = fields["FileDigestAlgorithm"] ?? ""
            let profileOK = profile == "ProfileVersion1" && algorithm == "SHA256"
            report.record("profile", profileOK, profileOK ? "ProfileVersion1, SHA256"
                          : "ProfileIdentifier \(profile.isEmpty ? "missing" : profile) (expected ProfileVersion1), FileDigestAlgorithm \(algorithm.isEmpty ? "missing" : algorithm) (expected SHA256)")
        } else {
            report.skip("key-material", "no single <EncryptionInfo>")
            report.skip("profile", "no single <EncryptionInfo>")
        }

        // Sizes and names.
        var sizeProblems: [String] = []
        var sizeDetail = ""
        if let sizeText {
            if let size = UInt64(sizeText), sizeText.allSatisfy(\.isASCII) {
                // The smallest zip is its 22-byte end record.
                if size < 22 { sizeProblems.append("<UnencryptedContentSize> \(size) is smaller than any zip (22 bytes)") }
                sizeDetail = "UnencryptedContentSize \(size) bytes (encrypted content: \(EncryptedContent.encryptedSize(plainSize: size)) bytes)"
            } else {
                sizeProblems.append("<UnencryptedContentSize> is not a number")
            }
        }
        if let fileName, !fileName.isEmpty, fileName.contains(where: { $0 == "/" || $0 == "\\" }) {
            sizeProblems.append("<FileName> holds a path separator")
        }
        report.record("sizes", sizeProblems.isEmpty, sizeProblems.isEmpty ? (sizeDetail.isEmpty ? "no size given" : sizeDetail) : sizeProblems.joined(separator: "; "))

        let toolVersion = root.attribute("ToolVersion")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let versionOK = Self.isDottedVersion(toolVersion)
        report.record("tool-version", versionOK, toolVersion.isEmpty ? "no ToolVersion attribute"
                      : versionOK ? "ToolVersion \(toolVersion)" : "ToolVersion \(String(toolVersion.prefix(64))) is not a version like 1.8.6.0")

        if let setupFile, !setupFile.isEmpty {
            let portable = setupFile.replacingOccurrences(of: "\\", with: "/")
            let parts = portable.split(separator: "/", omittingEmptySubsequences: false)
            let absolute = portable.hasPrefix("/") || (portable.count >= 2 && portable.dropFirst().first == ":")
            let ok = !absolute && !parts.contains("..") && !parts.contains("")
            report.record("setup-path", ok, ok ? "\(setupFile), relative to the content's root"
                          : "\(setupFile) is not a plain relative path (absolute, a drive, `..` or an empty part)")
        } else {
            report.skip("setup-path", "no SetupFile")
        }

        checkMsiInfo(root, into: &report)
        return report
    }

    /// `msi-info` (formats: GUIDs, booleans, execution context) and `msi-consistency` (machine or user
    /// install against the execution context); both skipped without `<MsiInfo>`.
    private static func checkMsiInfo(_ root: XMLTree.Element, into report: inout VerificationReport) {
        let blocks = root.children(named: "MsiInfo")
        guard blocks.count == 1 else {
            if blocks.isEmpty {
                report.skip("msi-info", "no <MsiInfo> (the setup file is not an MSI)")
                report.skip("msi-consistency", "no <MsiInfo>")
            } else {
                report.record("msi-info", false, "<MsiInfo> appears \(blocks.count) times")
                report.skip("msi-consistency", "no single <MsiInfo>")
            }
            return
        }
        var values: [String: String] = [:]
        var problems: [String] = []
        for field in blocks[0].children {
            let text = field.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if values[field.name] != nil { problems.append("<\(field.name)> appears twice") }
            values[field.name] = text
            if msiGUIDs.contains(field.name), !(field.name == "MsiPackageCode" && text.isEmpty), !isBracedGUID(text) {
                problems.append("<\(field.name)> is not a braced GUID")
            }
            if msiBooleans.contains(field.name), text != "true", text != "false" {
                problems.append("<\(field.name)> is \(String(text.prefix(32))), not true or false")
            }
            if field.name == "MsiExecutionContext", !["System", "User", "Any"].contains(text) {
                problems.append("<MsiExecutionContext> is \(String(text.prefix(32))), not System, User or Any")
            }
        }
        for required in ["MsiProductCode", "MsiProductVersion"] where values[required] == nil {
            problems.append("missing <\(required)>")
        }
        report.record("msi-info", problems.isEmpty, problems.isEmpty ? "\(values.count) fields, each in its format" : problems.joined(separator: "; "))

        let machine = values["MsiIsMachineInstall"].flatMap(Bool.init), user = values["MsiIsUserInstall"].flatMap(Bool.init)
        let context = values["MsiExecutionContext"], logon = values["MsiRequiresLogon"].flatMap(Bool.init)
        var clashes: [String] = []
        if let machine, let user, machine == user {
            clashes.append("MsiIsMachineInstall and MsiIsUserInstall are both \(machine)")
        }
        if context == "System", machine == false || user == true {
            clashes.append("MsiExecutionContext System (ALLUSERS=1) but \(machine == false ? "MsiIsMachineInstall false" : "MsiIsUserInstall true")")
        }
        if context == "User" {
            if machine == true || user == false {
                clashes.append("MsiExecutionContext User but \(machine == true ? "MsiIsMachineInstall true" : "MsiIsUserInstall false")")
            }
            if logon == false { clashes.append("MsiExecutionContext User but MsiRequiresLogon false") }
        }
        report.record("msi-consistency", clashes.isEmpty,
                      clashes.isEmpty ? "execution context \(context ?? "(none)"), \(machine == true ? "machine" : user == true ? "user" : "unstated") install" : clashes.joined(separator: "; "))
    }

    /// `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`, hex digits of either case.
    static func isBracedGUID(_ text: String) -> Bool {
        let chars = Array(text.utf8)
        guard chars.count == 38, chars.first == UInt8(ascii: "{"), chars.last == UInt8(ascii: "}") else { return false }
        for (index, c) in chars.enumerated().dropFirst().dropLast() {
            if [9, 14, 19, 24].contains(index) { if c != UInt8(ascii: "-") { return false }; continue }
            guard (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) else { return false }
        }
        return true
    }

    /// 2 to 4 dot-separated numbers (`1.8.6.0`).
    static func isDottedVersion(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return (2...4).contains(parts.count) && parts.allSatisfy { !$0.isEmpty && $0.count <= 9 && $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }
}
