/// One file or empty folder of a side, as far as it can be known without reading its bytes.
struct ContentItem {
    /// Where the bytes are: an entry of the side's zip, or a file on disk.
    enum Origin {
        case entry(ZipEntry)
        case file(String)
    }

    /// `/`-separated; a folder ends in `/`.
    let path: String
    let size: UInt64
    /// From the zip's directory; nil for a folder side (it would take a read to know).
    let crc32: UInt32?
    /// As the zip holds it, or a folder side's time converted the way `pack` converts it.
    let modified: DOSDateTime
    /// A folder side's Unix time, so a zip time rounded up instead of truncated can be matched too.
    let unixTime: Int64?
    let origin: Origin

    var isFolder: Bool { path.hasSuffix("/") }
}
