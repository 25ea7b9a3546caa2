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
