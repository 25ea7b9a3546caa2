import Foundation

/// The write side of `EncryptedContent`: takes the plain inner zip as a stream and writes
/// MAC placeholder ‖ IV ‖ AES-256-CBC/PKCS#7 ciphertext to the output, hashing on the way:
/// SHA-256 of the plaintext (FileDigest), HMAC-SHA256 over IV ‖ ciphertext, CRC-32 for the outer zip.
///
/// CBC encryption and the two SHA-256 passes are each sequential, but independent of one another, so
/// they run on two threads: this one encrypts and writes, a hashing queue takes SHA-256 of the plaintext
/// and then HMAC and CRC-32 of the ciphertext. That matters when a large file's spooled deflate output
/// is written after all of it was compressed: the other core would otherwise sit idle. Small writes
/// (headers, small files) are gathered into batches first.
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

    /// Plaintext gathered before it is encrypted and hashed as one piece.
    static let batchSize = 256 << 10

    private let output: AtomicOutputFile
    private let startOffset: UInt64
    private let aes: AESCBC
    /// The hashes, touched only on `hashing` (and here once it is drained).
    private let hashes: Hashes
    private let hashing = DispatchQueue(label: "intunewin.content-hashing")
    private var pending: [UInt8] = []
    private var plainSize: UInt64 = 0
    private var cipherSize: UInt64 = 0

    private final class Hashes: @unchecked Sendable {
        let sha = SHA256()
        let hmac: HMACSHA256
        var crcAfterMac = CRC32()
        init(macKey: SecretBytes) { hmac = HMACSHA256(key: macKey) }
        func ciphertext(_ ct: UnsafeRawBufferPointer) { hmac.update(ct); crcAfterMac.update(ct) }
    }

    /// A plaintext buffer lent to the hashing queue until the caller has waited for it.
    private struct Lent: @unchecked Sendable { let bytes: UnsafeRawBufferPointer }

    init(keys: EncryptionKeys, output: AtomicOutputFile) throws {
        self.output = output
        startOffset = output.offset
        aes = AESCBC(key: keys.encryptionKey, iv: keys.initializationVector, direction: .encrypt)
        hashes = Hashes(macKey: keys.macKey)
        pending.reserveCapacity(Self.batchSize)
        try output.write([UInt8](repeating: 0, count: 32))  // MAC, patched in finish()
        try output.write(keys.initializationVector)
        keys.initializationVector.withUnsafeBytes { hashes.ciphertext($0) }
    }

    /// Accepts the next plaintext bytes.
    func write(_ plain: UnsafeRawBufferPointer) throws {
        if plain.count >= Self.batchSize {
            try flushPending()
            try process(plain)
        } else {
            pending.append(contentsOf: plain)
            if pending.count >= Self.batchSize { try flushPending() }
        }
    }

    private func flushPending() throws {
        guard !pending.isEmpty else { return }
        try pending.withUnsafeBytes { try process($0) }
        pending.removeAll(keepingCapacity: true)
    }

    /// SHA-256 of `plain` on the hashing queue while it is encrypted here; once the ciphertext is
    /// written, its HMAC and CRC go to the queue too (the queue keeps the order).
    private func process(_ plain: UnsafeRawBufferPointer) throws {
        plainSize += UInt64(plain.count)
        let lent = Lent(bytes: plain), hashes = self.hashes
        let digested = DispatchSemaphore(value: 0)
        hashing.async { hashes.sha.update(lent.bytes); digested.signal() }
        var ct = [UInt8]()
        ct.reserveCapacity(plain.count + 16)
        aes.update(plain) { ct.append(contentsOf: $0) }
        digested.wait()  // `plain` belongs to the caller again after this
        try output.write(ct)
        cipherSize += UInt64(ct.count)
        let written = ct
        hashing.async { written.withUnsafeBytes { hashes.ciphertext($0) } }
    }

    /// Pads, finishes the MAC and digest, and writes the MAC into its place at the start.
    func finish() throws -> Result {
        try flushPending()
        hashing.sync {}
        try aes.finish { ct in
            hashes.ciphertext(ct)
            cipherSize += UInt64(ct.count)
            try output.write(ct)
        }
        let mac = hashes.hmac.finalize()
        try output.patch(mac, at: startOffset)
        var macCRC = CRC32()
        macCRC.update(mac)
        let total = 16 + cipherSize
        return Result(mac: mac, fileDigest: hashes.sha.finalize(), plainSize: plainSize, encryptedSize: 32 + total,
                      crc32: CRC32.combine(macCRC.value, hashes.crcAfterMac.value, secondLength: total))
    }
}
