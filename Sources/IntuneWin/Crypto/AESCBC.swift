import CCrypto

/// AES-256-CBC through libcrypto. Encryption adds PKCS#7 padding (as .NET's CryptoStream does);
/// decryption runs with padding off, so that any block can be decrypted from the one before it
/// (random access), and the caller strips and checks the padding itself.
public final class AESCBC {
    /// Whether the context encrypts or decrypts.
    public enum Direction { case encrypt, decrypt }

    private let context: OpaquePointer
    private let direction: Direction
    private var scratch = [UInt8]()

    /// A cipher context; `key` must be 32 bytes and `iv` 16. Key material from input reaches this only
    /// through `ContentKeys`/`EncryptionKeys` (or `EncryptedContent.decrypted`), whose throwing
    /// initialisers check the sizes: the precondition is a last guard, not an input check.
    public init(key: SecretBytes, iv: [UInt8], direction: Direction) {
        precondition(key.count == 32 && iv.count == 16, "AES-256-CBC needs a 32-byte key and 16-byte IV")
        context = EVP_CIPHER_CTX_new()!
        self.direction = direction
        let ok = key.withUnsafeBytes { k in
            EVP_CipherInit_ex(context, ccrypto_aes_256_cbc(), nil,
                              k.baseAddress!.assumingMemoryBound(to: UInt8.self), iv,
                              direction == .encrypt ? 1 : 0)
        }
        precondition(ok == 1)
        if direction == .decrypt { EVP_CIPHER_CTX_set_padding(context, 0) }
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// Starts a new message with the same key and direction from `iv`: reuses the context (no new
    /// cipher fetch), which random-access reads of many small entries do tens of thousands of times.
    public func restart(iv: [UInt8]) {
        precondition(iv.count == 16, "AES-256-CBC needs a 16-byte IV")
        precondition(EVP_CipherInit_ex(context, nil, nil, nil, iv, -1) == 1)
    }

    /// Transforms `input`; output (possibly shorter, held back until a full block) goes to `sink`.
    public func update(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        guard input.count > 0 else { return }
        let needed = input.count + 16
        if scratch.count < needed { scratch = [UInt8](repeating: 0, count: needed) }
        var produced: Int32 = 0
        scratch.withUnsafeMutableBufferPointer { out in
            precondition(EVP_CipherUpdate(context, out.baseAddress, &produced,
                                          input.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(input.count)) == 1)
        }
        if produced > 0 { try scratch.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[0..<Int(produced)])) } }
    }

    /// Ends the stream: encryption writes the final padded block; decryption (padding off)
    /// writes nothing and fails when the input was not a whole number of blocks.
    public func finish(sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        var block = [UInt8](repeating: 0, count: 32)
        var produced: Int32 = 0
        guard EVP_CipherFinal_ex(context, &block, &produced) == 1 else {
            ERR_clear_error()
            throw AESCBCError.incompleteBlock
        }
        if produced > 0 { try block.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[0..<Int(produced)])) } }
    }
}

enum AESCBCError: Error { case incompleteBlock }

/// Random bytes from OpenSSL's CSPRNG (RAND_bytes), for keys and IVs.
public func secureRandomBytes(_ count: Int) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    precondition(RAND_bytes(&bytes, Int32(count)) == 1, "RAND_bytes failed")
    return bytes
}
