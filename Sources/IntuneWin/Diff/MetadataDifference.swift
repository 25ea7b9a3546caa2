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
}
