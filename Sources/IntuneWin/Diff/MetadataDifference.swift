/// A Detection.xml field (or the encrypted content's size) that differs between two packages.
/// A value is nil when that side lacks the field (an MsiInfo field, or the whole `<MsiInfo>`).
public struct MetadataDifference: Sendable, Equatable {
    /// The element name (`Name`, `SetupFile`, `MsiProductVersion`, …), `ToolVersion`, or `EncryptedContentSize`.
    public var field: String
    /// The value in package A; nil when A lacks the field.
    public var a: String?
    /// The value in package B; nil when B lacks the field.
    public var b: String?

    /// A difference of `field` between side A and side B.
    public init(field: String, a: String?, b: String?) {
        self.field = field
        self.a = a
        self.b = b
    }

    /// The fields that describe the content, compared by name: never the keys, IV, MAC or FileDigest
    /// (they differ between any two packs, and the digest only repeats what the file comparison shows).
    static func compare(_ a: DetectionXML, _ b: DetectionXML, encryptedSizes: (UInt64?, UInt64?)) -> [MetadataDifference] {
        var fields: [(String, String?, String?)] = [
            ("Name", a.name, b.name),
            ("SetupFile", a.setupFile, b.setupFile),
            ("ToolVersion", a.toolVersion, b.toolVersion),
            ("FileName", a.fileName, b.fileName),
            ("UnencryptedContentSize", String(a.unencryptedContentSize), String(b.unencryptedContentSize)),
            ("EncryptedContentSize", encryptedSizes.0.map { String($0) }, encryptedSizes.1.map { String($0) }),
        ]
        let msiA = a.msiInfo ?? [], msiB = b.msiInfo ?? []
        var names = msiA.map(\.name)
        for field in msiB where !names.contains(field.name) { names.append(field.name) }
        for name in names {
            fields.append((name, msiA.first { $0.name == name }?.value, msiB.first { $0.name == name }?.value))
        }
        return fields.compactMap { field, valueA, valueB in
            valueA == valueB ? nil : MetadataDifference(field: field, a: valueA, b: valueB)
        }
    }

    /// The launcher facts of two packages, nil for a package that is not in the nested-zip layout: kind,
    /// SHA-256 and every setting, named `launcher.` + the `launcher.ini` key (`launcher.setup_args`, …).
    /// Never the payload's SHA-256: it only repeats what the comparison of the payload's files shows.
    static func compare(_ a: LauncherInspection?, _ b: LauncherInspection?) -> [MetadataDifference] {
        guard a != nil || b != nil else { return [] }
        func facts(_ launcher: LauncherInspection?) -> [String: String] {
            guard let launcher else { return [:] }
            var facts = ["kind": launcher.kind.rawValue, "sha256": launcher.sha256]
            if let s = launcher.settings {
                facts["app_name"] = s.appName
                facts["setup"] = s.setupFile
                facts["setup_args"] = s.setupArguments
                facts["uninstall_command"] = s.uninstallCommand
                facts["uninstall_args"] = s.uninstallArguments
                facts["timeout_minutes"] = String(s.timeoutMinutes)
                facts["extract_to"] = s.extractTo
            }
            return facts
        }
        let factsA = facts(a), factsB = facts(b)
        let keys = ["kind", "sha256", "app_name", "setup", "setup_args", "uninstall_command", "uninstall_args",
                    "timeout_minutes", "extract_to"]
        return keys.compactMap { key in
            factsA[key] == factsB[key] ? nil : MetadataDifference(field: "launcher." + key, a: factsA[key], b: factsB[key])
        }
    }
}
