/// The write side of `EncryptedContent`: takes the plain inner zip as a stream and writes
/// MAC placeholder ‖ IV ‖ AES-256-CBC/PKCS#7 ciphertext to the output, hashing on the way:
/// SHA-256 of the plaintext (FileDigest), HMAC-SHA256 over IV ‖ ciphertext, CRC-32 for the outer zip.
final class ContentEncryptor {
    struct Result {
        var mac: [UInt8]
        var fileDigest: [UInt8]
        var plainSize: UInt64
        /// Length of the whole encrypted content (48-byte header + ciphertext).
        var encryptedSize: UInt64
        /// CRC-32 of the whole encrypted content, MAC included.
        var crc32: UInt32
    }

    private let output: AtomicOutputFile
    private let startOffset: UInt64
    private let aes: AESCBC
    private let hmac: HMACSHA256
    private let sha = SHA256()
    private var crcAfterMac = CRC32()
    private var plainSize: UInt64 = 0
    private var cipherSize: UInt64 = 0

    init(keys: EncryptionKeys, output: AtomicOutputFile) throws {
        self.output = output
        startOffset = output.offset
        aes = AESCBC(key: keys.encryptionKey, iv: keys.initializationVector, direction: .encrypt)
        hmac = HMACSHA256(key: keys.macKey)
        try output.write([UInt8](repeating: 0, count: 32))  // MAC, patched in finish()
        try output.write(keys.initializationVector)
        hmac.update(keys.initializationVector)
        crcAfterMac.update(keys.initializationVector)
    }

    /// Accepts the next plaintext bytes.
    func write(_ plain: UnsafeRawBufferPointer) throws {
        sha.update(plain)
        plainSize += UInt64(plain.count)
        try aes.update(plain, sink: writeCiphertext)
    }

    private func writeCiphertext(_ ct: UnsafeRawBufferPointer) throws {
        hmac.update(ct)
        crcAfterMac.update(ct)
        cipherSize += UInt64(ct.count)
        try output.write(ct)
    }

    /// Pads, finishes the MAC and digest, and writes the MAC into its place at the start.
    func finish() throws -> Result {
        try aes.finish(sink: writeCiphertext)
        let mac = hmac.finalize()
        try output.patch(mac, at: startOffset)
        var macCRC = CRC32()
        macCRC.update(mac)
        let total = 16 + cipherSize
        return Result(mac: mac, fileDigest: sha.finalize(), plainSize: plainSize, encryptedSize: 32 + total,
                      crc32: CRC32.combine(macCRC.value, crcAfterMac.value, secondLength: total))
    }
}
