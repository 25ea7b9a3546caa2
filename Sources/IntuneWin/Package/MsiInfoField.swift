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

extension Sequence where Element == MsiInfoField {
    /// The fields as a JSON object: camelCase names (`jsonName`) or, for the older `msiInfo` key,
    /// Detection.xml's element names.
    public func jsonObject(elementNames: Bool = false) -> [String: String] {
        Dictionary(map { (elementNames ? $0.name : $0.jsonName, $0.value) }, uniquingKeysWith: { first, _ in first })
    }
}
