/// A minimal reader of DER tag-length-value elements, enough to walk to one field of a structure that
/// OpenSSL has already parsed and validated (the CMS content-encryption algorithm, which libcrypto
/// does not expose). Definite lengths only; anything unexpected reads as nil, never a crash.
struct DERReader {
    /// One element: its tag byte, the whole encoding, and the content octets.
    struct Element {
        var tag: UInt8
        var encoding: ArraySlice<UInt8>
        var content: ArraySlice<UInt8>

        /// The elements inside a constructed element, in order; nil when the content does not parse.
        var children: [Element]? {
            var reader = DERReader(content)
            var out: [Element] = []
            while !reader.atEnd {
                guard let next = reader.next() else { return nil }
                out.append(next)
            }
            return out
        }
    }

    private let bytes: ArraySlice<UInt8>
    private var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    var atEnd: Bool { position >= bytes.endIndex }

    /// The next element, or nil when the bytes do not hold a complete one (multi-byte tags are refused).
    mutating func next() -> Element? {
        let start = position
        guard bytes.endIndex - start >= 2 else { return nil }
        let tag = bytes[start]
        guard tag & 0x1F != 0x1F else { return nil }
        var index = start + 1
        let first = bytes[index]
        index += 1
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7F)
            guard count >= 1, count <= 4, bytes.endIndex - index >= count else { return nil }
            for _ in 0..<count {
                length = length << 8 | Int(bytes[index])
                index += 1
            }
        }
        guard length <= bytes.endIndex - index else { return nil }
        position = index + length
        return Element(tag: tag, encoding: bytes[start..<position], content: bytes[index..<position])
    }

    /// The first element of `bytes`.
    static func element(_ bytes: [UInt8]) -> Element? {
        var reader = DERReader(bytes[...])
        return reader.next()
    }
}
