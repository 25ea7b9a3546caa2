/// A zip entry as `list --json` shows it: path with `/`, the name as stored (Microsoft's `\`), sizes,
/// CRC-32 in hex, DOS time as text, whether it is a folder, the method by name, and why the name is unsafe
/// when it is (unpack and verify refuse such a package).
extension ZipEntry: Encodable {
    enum JSONKeys: String, CodingKey { case path, storedName, size, compressedSize, crc32, modified, folder, method, unsafe }

    /// Why unpacking this entry's name could leave the output folder (`..`, an absolute path, a drive
    /// letter), nil for a safe name.
    public var unsafeNameReason: String? {
        SafePath.unsafeReason(of: name)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: JSONKeys.self)
        try c.encode(portableName, forKey: .path)
        try c.encode(name, forKey: .storedName)
        try c.encodeIfPresent(unsafeNameReason, forKey: .unsafe)
        try c.encode(uncompressedSize, forKey: .size)
        try c.encode(compressedSize, forKey: .compressedSize)
        try c.encode(hex32(crc32), forKey: .crc32)
        try c.encode(modified.text, forKey: .modified)
        try c.encode(isDirectory, forKey: .folder)
        try c.encode(method == 0 ? "stored" : method == 8 ? "deflate" : "\(method)", forKey: .method)
    }
}
