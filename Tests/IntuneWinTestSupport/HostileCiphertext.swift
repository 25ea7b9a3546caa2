/// Encrypted content that is not what AES-256-CBC/PKCS#7 produces, shared by the library's and the
/// tool's hostile-ciphertext tests so both try the same cases.
public enum HostileCiphertext {
    /// Padding that lies, as the last bytes of the last block.
    public static let lyingTails: [(String, [UInt8])] = [
        ("pad byte 0", [0x00]),
        ("pad byte 17", [0x11]),
        ("pad byte 0xFF", [0xFF]),
        ("inconsistent 03 02 03", [0x03, 0x02, 0x03]),
        ("claims 16, one byte differs", [0x0F] + [UInt8](repeating: 0x10, count: 15)),
        ("claims 2, first differs", [0x01, 0x02]),
    ]

    /// Valid padding: a whole block of 16, one byte, three bytes.
    public static let validTails: [(String, [UInt8])] = [
        ("full block of 16", [UInt8](repeating: 0x10, count: 16)),
        ("pad byte 1", [0x01]),
        ("03 03 03", [0x03, 0x03, 0x03]),
    ]

    /// Total sizes shorter than MAC (32) + IV (16) + one block.
    public static let tooShort = [0, 16, 31, 32, 47, 48, 49, 63]
    /// Total sizes with a partial last block.
    public static let notWholeBlocks = [48 + 17, 48 + 31, 48 + 33, 48 + 4095]

    /// `body` padded to whole blocks with filler, ending in `tail` (the padding as the file claims it).
    public static func plaintext(_ body: [UInt8], tail: [UInt8]) -> [UInt8] {
        let filler = (16 - (body.count + tail.count) % 16) % 16
        return body + [UInt8](repeating: 0xAA, count: filler) + tail
    }
}
