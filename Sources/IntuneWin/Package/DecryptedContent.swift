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
        // The IV of block n is ciphertext block n-1: read with the blocks, in one read.
        let ivInFile = firstBlock > 0
        let ct = try content.source.readExactly(at: EncryptedContent.headerSize + (firstBlock - (ivInFile ? 1 : 0)) * 16,
                                                count: (count + (ivInFile ? 1 : 0)) * 16)
        aes.restart(iv: ivInFile ? Array(ct[0..<16]) : content.storedIV)
        var out = [UInt8]()
        out.reserveCapacity(count * 16)
        ct.withUnsafeBytes { all in
            aes.update(UnsafeRawBufferPointer(rebasing: all[(ivInFile ? 16 : 0)...])) { out.append(contentsOf: $0) }
        }
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
