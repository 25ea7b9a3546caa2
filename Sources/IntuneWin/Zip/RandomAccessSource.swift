/// Bytes that can be read at any offset: a file region, or decrypted package content.
/// Two real implementations: `FileRegion` and `DecryptedContent`.
public protocol RandomAccessSource: AnyObject {
    /// Total length in bytes.
    var size: UInt64 { get }
    /// The file this comes from, for error messages.
    var path: String { get }
    /// Fills `buffer` from `offset`; returns fewer bytes only at the end.
    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension RandomAccessSource {
    /// Reads exactly `count` bytes at `offset`, or fails naming the file.
    func readExactly(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard offset <= size, UInt64(count) <= size - offset else {
            throw IntuneWinError.badInput(path, "truncated: needs \(count) bytes at offset \(offset), file has \(size)")
        }
        var out = [UInt8](repeating: 0, count: count)
        let n = try out.withUnsafeMutableBytes { try read(at: offset, into: $0) }
        guard n == count else { throw IntuneWinError.badInput(path, "truncated at offset \(offset + UInt64(n))") }
        return out
    }

    /// Streams `length` bytes from `offset` to `body`, in bounded chunks.
    func stream(from offset: UInt64, length: UInt64, chunk: Int = 1 << 20,
                _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard offset <= size, length <= size - offset else {
            throw IntuneWinError.badInput(path, "truncated: \(length) bytes at offset \(offset) run past the end (\(size))")
        }
        var buffer = [UInt8](repeating: 0, count: Int(min(UInt64(chunk), max(length, 1))))
        var done: UInt64 = 0
        while done < length {
            let want = Int(min(UInt64(buffer.count), length - done))
            let n = try buffer.withUnsafeMutableBytes { try read(at: offset + done, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
            guard n > 0 else { throw IntuneWinError.badInput(path, "truncated at offset \(offset + done)") }
            try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            done += UInt64(n)
        }
    }
}
