/// A value that differs between side A and side B.
public struct ValueChange<Value: Sendable & Equatable>: Sendable, Equatable {
    /// The value on side A.
    public var a: Value
    /// The value on side B.
    public var b: Value

    /// The value on side A, then on side B.
    public init(_ a: Value, _ b: Value) {
        self.a = a
        self.b = b
    }

    /// A change when the values differ, nil when they are equal.
    static func between(_ a: Value, _ b: Value) -> ValueChange? { a == b ? nil : ValueChange(a, b) }
}
