/// A zip entry as `list --json` shows it: path with `/`, sizes, CRC-32 in hex, DOS time as text,
/// whether it is a folder, and the method by name.
extension ZipEntry: Encodable {
    enum JSONKeys: String, CodingKey { case path, size, compressedSize, crc32, modified, folder, method }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: JSONKeys.self)
        try c.encode(portableName, forKey: .path)
        try c.encode(uncompressedSize, forKey: .size)
        try c.encode(compressedSize, forKey: .compressedSize)
        try c.encode(hex32(crc32), forKey: .crc32)
        try c.encode(modified.text, forKey: .modified)
        try c.encode(isDirectory, forKey: .folder)
        try c.encode(method == 0 ? "stored" : method == 8 ? "deflate" : "\(method)", forKey: .method)
    }
}
