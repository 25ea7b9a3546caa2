/// A piece of an entry's deflate stream, with the CRC-32 and length of the input it came from.
struct CompressedChunk {
    var data: [UInt8]
    var crc: UInt32
    var length: Int
}
