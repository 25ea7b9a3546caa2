import Foundation

/// What a decryption checked, and what it could not.
public struct DecryptResult: Sendable {
    /// The zip file or folder written.
    public var outputPath: String
    /// Size of the plain inner zip.
    public var plainSize: UInt64
    /// Checks that passed (`iv`, `mac`, `padding`, `size`, `hmac`, `file-digest`, `entry-crc`), in order.
    public var checked: [String] = []
    /// Checks the key material did not allow, each with the reason.
    public var notChecked: [String] = []
    /// Set when the output was a folder.
    public var extracted: ExtractResult?
}
