/// The encrypted content file (`IntunePackage.intunewin` inside a package, or the `.bin` IME downloads):
/// `HMAC-SHA256(MacKey, IV ‖ ciphertext)` (32) ‖ IV (16) ‖ AES-256-CBC/PKCS#7(inner zip). FORMAT.md §2.2.
public struct EncryptedContent {
    /// MAC (32 bytes) plus IV (16 bytes), before the ciphertext.
    public static let headerSize: UInt64 = 48

    /// The bytes of the content file (or of the package entry holding it).
    public let source: RandomAccessSource
    /// The 32-byte MAC stored at the start.
    public let storedMac: [UInt8]
    /// The 16-byte IV stored after the MAC.
    public let storedIV: [UInt8]

    /// Reads the MAC and IV; throws `badInput` unless the size fits a header and whole AES blocks.
    public init(source: RandomAccessSource) throws {
        let size = source.size
        guard size >= Self.headerSize + 16 else {
            throw IntuneWinError.badInput(source.path, "encrypted content is \(size) bytes: too short for MAC, IV and one AES block")
        }
        guard (size - Self.headerSize) % 16 == 0 else {
            throw IntuneWinError.badInput(source.path, "ciphertext length \(size - Self.headerSize) is not a multiple of 16")
        }
        self.source = source
        let header = try source.readExactly(at: 0, count: 48)
        storedMac = Array(header[0..<32])
        storedIV = Array(header[32..<48])
    }

    /// Ciphertext length (everything after the 48-byte header).
    public var ciphertextSize: UInt64 { source.size - Self.headerSize }

    /// Recomputes HMAC-SHA256(MacKey, IV ‖ ciphertext) and compares it in constant time with the stored MAC.
    public func hmacMatches(macKey: SecretBytes, progress: ((UInt64) -> Void)? = nil) throws -> Bool {
        let hmac = HMACSHA256(key: macKey)
        try source.stream(from: 32, length: source.size - 32) { chunk in
            hmac.update(chunk)
            progress?(UInt64(chunk.count))
        }
        return HMACSHA256.equal(hmac.finalize(), storedMac)
    }

    /// A random-access view of the plaintext (the inner zip); checks the PKCS#7 padding. A key that is not
    /// 32 bytes is a `usage` error (never the cipher's precondition).
    public func decrypted(key: SecretBytes) throws -> DecryptedContent {
        try KeyField.encryptionKey.check(key.count, source: source.path)
        return try DecryptedContent(content: self, key: key)
    }
}

/// The plain inner zip, decrypted on demand: CBC lets block n be decrypted from ciphertext block n-1,
/// so reads at any offset cost only the bytes read (list reads just the tail).
public final class DecryptedContent: RandomAccessSource {
    /// The encrypted file's path, for messages.
    public let path: String
    /// Plaintext length (ciphertext minus padding).
    public let size: UInt64
    /// The padding length found in the last block (1...16).
    public let paddingLength: Int
    private let content: EncryptedContent
    private let key: SecretBytes
    /// Idle decryption contexts, reused across reads (and threads) with a fresh IV each time.
    private let idle = Locked<[AESCBC]>([])

    init(content: EncryptedContent, key: SecretBytes) throws {
        self.content = content
        self.key = key
        self.path = content.source.path
        let ctSize = content.ciphertextSize
        let last = try Self.decryptBlocks(content: content, aes: AESCBC(key: key, iv: content.storedIV, direction: .decrypt),
                                          firstBlock: (ctSize / 16) - 1, count: 1)
        let pad = Int(last[15])
        guard pad >= 1, pad <= 16, last[(16 - pad)...].allSatisfy({ Int($0) == pad }) else {
            throw IntuneWinError.checkFailed(content.source.path, "bad PKCS#7 padding after decryption (wrong key, or corrupt content)")
        }
        paddingLength = pad
        size = ctSize - UInt64(pad)
    }

    private static func decryptBlocks(content: EncryptedContent, aes: AESCBC, firstBlock: UInt64, count: Int) throws -> [UInt8] {
        let iv = firstBlock == 0 ? content.storedIV
            : try content.source.readExactly(at: EncryptedContent.headerSize + (firstBlock - 1) * 16, count: 16)
        let ct = try content.source.readExactly(at: EncryptedContent.headerSize + firstBlock * 16, count: count * 16)
        aes.restart(iv: iv)
        var out = [UInt8]()
        out.reserveCapacity(ct.count)
        ct.withUnsafeBytes { aes.update($0) { out.append(contentsOf: $0) } }
        return out
    }

    /// Decrypts only the blocks that cover the range asked for.
    public func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard offset < size, buffer.count > 0 else { return 0 }
        let want = Int(min(UInt64(buffer.count), size - offset))
        let firstBlock = offset / 16
        let lastBlock = (offset + UInt64(want) - 1) / 16
        let aes = idle.withLock { $0.popLast() } ?? AESCBC(key: key, iv: content.storedIV, direction: .decrypt)
        defer { idle.withLock { $0.append(aes) } }
        let plain = try Self.decryptBlocks(content: content, aes: aes, firstBlock: firstBlock, count: Int(lastBlock - firstBlock + 1))
        let skip = Int(offset - firstBlock * 16)
        plain.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + skip, byteCount: want)
        }
        return want
    }

    /// Streams the whole plaintext in order, computing SHA-256 on the way (and, given the MAC key, the
    /// HMAC over IV ‖ ciphertext in the same read). Returns the digest and whether the HMAC matched.
    public func streamAll(macKey: SecretBytes? = nil, progress: ((UInt64) -> Void)? = nil,
                          _ body: ((UnsafeRawBufferPointer) throws -> Void)? = nil) throws -> (digest: [UInt8], hmacMatches: Bool?) {
        let sha = SHA256()
        let hmac = macKey.map { HMACSHA256(key: $0) }
        hmac?.update(content.storedIV)
        let aes = AESCBC(key: key, iv: content.storedIV, direction: .decrypt)
        var remaining = size
        try content.source.stream(from: EncryptedContent.headerSize, length: content.ciphertextSize) { chunk in
            progress?(UInt64(chunk.count))
            hmac?.update(chunk)
            try aes.update(chunk) { plain in
                let n = Int(min(UInt64(plain.count), remaining))
                guard n > 0 else { return }
                let part = UnsafeRawBufferPointer(rebasing: plain[0..<n])
                sha.update(part)
                try body?(part)
                remaining -= UInt64(n)
            }
        }
        let matches = hmac.map { HMACSHA256.equal($0.finalize(), content.storedMac) }
        return (sha.finalize(), matches)
    }
}
