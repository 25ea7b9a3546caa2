/// One entry of a zip's central directory, as read or as written.
public struct ZipEntry: Sendable, Equatable {
    /// The name's bytes as stored (UTF-8 when flag 0x0800 is set).
    public var nameBytes: [UInt8]
    /// Compression method: `ZipEntry.stored` or `ZipEntry.deflated` (others are refused on extraction).
    public var method: UInt16
    /// General-purpose bit flags (0x0800: the name is UTF-8; 0x0008: sizes follow the data).
    public var flags: UInt16
    /// Writer's host system (high byte) and zip specification version (low byte).
    public var versionMadeBy: UInt16
    /// Zip specification version needed to extract (45 when Zip64 fields are used).
    public var versionNeeded: UInt16
    /// Last modification time, local wall-clock time without a zone.
    public var modified: DOSDateTime
    /// CRC-32 of the uncompressed bytes, checked when the entry is extracted.
    public var crc32: UInt32
    /// Bytes of entry data in the archive.
    public var compressedSize: UInt64
    /// Declared size once inflated; extraction stops there and fails if the data disagrees.
    public var uncompressedSize: UInt64
    /// Where the entry's local header starts in the archive.
    public var localHeaderOffset: UInt64
    /// Host file attributes as stored (0 in what Microsoft's tool and this library write).
    public var externalAttributes: UInt32

    /// Method 0: the data is stored as is.
    public static let stored: UInt16 = 0
    /// Method 8: raw deflate.
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
