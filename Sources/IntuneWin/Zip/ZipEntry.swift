/// One entry of a zip's central directory, as read or as written.
public struct ZipEntry: Sendable, Equatable {
    /// The name's bytes as stored (UTF-8 when flag 0x0800 is set).
    public var nameBytes: [UInt8]
    public var method: UInt16
    public var flags: UInt16
    public var versionMadeBy: UInt16
    public var versionNeeded: UInt16
    public var modified: DOSDateTime
    public var crc32: UInt32
    public var compressedSize: UInt64
    public var uncompressedSize: UInt64
    public var localHeaderOffset: UInt64
    public var externalAttributes: UInt32

    public static let stored: UInt16 = 0
    public static let deflated: UInt16 = 8

    /// The name as text: UTF-8 when the flag says so or the bytes are valid UTF-8, else Latin-1
    /// (CP437 characters above 0x7F are shown approximately; Microsoft's tool always sets UTF-8).
    public var name: String {
        if let s = String(validating: nameBytes, as: UTF8.self) { return s }
        return String(nameBytes.map { Character(Unicode.Scalar($0)) })
    }

    /// The name with `\` turned into `/` (Microsoft writes `\` as the folder separator).
    public var portableName: String { name.replacingOccurrences(of: "\\", with: "/") }

    /// A folder entry: a name ending in a separator.
    public var isDirectory: Bool { nameBytes.last == UInt8(ascii: "/") || nameBytes.last == UInt8(ascii: "\\") }
}
