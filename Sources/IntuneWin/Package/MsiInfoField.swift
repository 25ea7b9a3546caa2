import Foundation

/// One element of `<MsiInfo>` (`MsiProductCode`, `MsiExecutionContext`, …), kept as name and text so
/// that the reader preserves what it found and the writer emits exactly what it is given.
public struct MsiInfoField: Sendable, Equatable {
    /// The element name; must be a valid XML name (the writer does not check).
    public var name: String
    /// The element text, unescaped.
    public var value: String

    /// A field with `name` and unescaped `value`.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension MsiInfoField {
    /// The field's name in this tool's JSON vocabulary (camelCase, like every other key):
    /// `MsiProductCode` is `productCode`, `MsiIncludesODBCDataSource` is `includesODBCDataSource`.
    public var jsonName: String {
        let bare = name.hasPrefix("Msi") && name.count > 3 ? String(name.dropFirst(3)) : name
        return bare.prefix(1).lowercased() + bare.dropFirst()
    }
}

/// A value of the `msi` JSON object: a JSON boolean for MsiInfo's yes/no elements, text for the others.
public enum MsiInfoJSONValue: Encodable, Sendable, Equatable {
    case text(String)
    case boolean(Bool)

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .text(let text): try c.encode(text)
        case .boolean(let value): try c.encode(value)
        }
    }
}

extension MsiInfoField {
    /// The elements whose text is `true` or `false` in Microsoft's Detection.xml.
    public static let booleanNames: Set<String> = [
        "MsiRequiresLogon", "MsiRequiresReboot", "MsiIsMachineInstall", "MsiIsUserInstall", "MsiIncludesServices",
        "MsiIncludesODBCDataSource", "MsiContainsSystemRegistryKeys", "MsiContainsSystemFolders",
    ]

    /// The value for the `msi` JSON object: a boolean for a yes/no element whose text is `true` or `false`
    /// (any letter case), otherwise the text as it is (a Detection.xml from elsewhere may hold anything).
    public var jsonValue: MsiInfoJSONValue {
        guard Self.booleanNames.contains(name) else { return .text(value) }
        switch value.lowercased() {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        default: return .text(value)
        }
    }
}

extension Sequence where Element == MsiInfoField {
    /// The fields as the `msi` JSON object: camelCase names (`jsonName`), booleans as JSON booleans.
    public func jsonObject() -> [String: MsiInfoJSONValue] {
        Dictionary(map { ($0.jsonName, $0.jsonValue) }, uniquingKeysWith: { first, _ in first })
    }

    /// The fields as the 0.1 `msiInfo` JSON object (written until the next release): Detection.xml's element
    /// names (or, with `elementNames` false, camelCase names), every value the element's text.
    public func jsonObject(elementNames: Bool) -> [String: String] {
        Dictionary(map { (elementNames ? $0.name : $0.jsonName, $0.value) }, uniquingKeysWith: { first, _ in first })
    }
}
