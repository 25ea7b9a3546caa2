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
