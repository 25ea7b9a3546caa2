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

/// A file or empty folder found on one side only.
public struct DiffItem: Sendable, Equatable {
    /// `/`-separated path; an empty folder ends in `/`.
    public var path: String
    /// Size in bytes (0 for a folder).
    public var size: UInt64
    /// Modification time as the zip (or the folder, at zip resolution) gives it.
    public var modified: DOSDateTime
    /// For a file on one side only: the path of a file on the other side only with the same SHA-256
    /// (a rename or a move).
    public var sameContentAs: String?

    /// An empty folder rather than a file.
    public var isFolder: Bool { path.hasSuffix("/") }
}

/// A file present on both sides that differs (empty folders are compared by presence only, so never
/// change). Each property says what differs; nil or false means it does not.
public struct ChangedItem: Sendable, Equatable {
    /// `/`-separated path, the same on both sides.
    public var path: String
    /// The sizes, when they differ.
    public var size: ValueChange<UInt64>?
    /// The bytes differ (always so when the sizes do).
    public var contentDiffers: Bool
    /// The CRC-32s, when both sides' zip directories hold them and they differ.
    public var crc32: ValueChange<UInt32>?
    /// The SHA-256s, when both streams were hashed (equal sizes, and CRC-32s equal or unknown) and differ.
    public var sha256: ValueChange<[UInt8]>?
    /// The modification times at the zip's 2-second resolution (local wall-clock time).
    public var modified: ValueChange<DOSDateTime>?
}

/// What `Differ.diff` found: metadata differences, then files (and empty folders) added in B, removed from A,
/// and changed, each sorted by path.
public struct DiffReport: Sendable, Equatable {
    /// Detection.xml fields that differ; empty unless both sides have a Detection.xml.
    public var metadata: [MetadataDifference] = []
    /// On side B only.
    public var added: [DiffItem] = []
    /// On side A only.
    public var removed: [DiffItem] = []
    /// On both sides, but different.
    public var changed: [ChangedItem] = []
    /// Files and empty folders on each side.
    public var entriesA = 0
    /// Files and empty folders on side B.
    public var entriesB = 0
    /// Paths on both sides that compared equal.
    public var unchanged = 0

    /// Nothing differs.
    public var identical: Bool { metadata.isEmpty && added.isEmpty && removed.isEmpty && changed.isEmpty }
}
