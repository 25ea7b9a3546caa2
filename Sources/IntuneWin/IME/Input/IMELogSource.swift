/// Where one log's bytes come from, as `IMELogInput.resolve` found it: a description that can be
/// handed to the reading thread and opened there (`open()`), never the bytes themselves (except
/// `memory`, for tests and fuzzing).
public struct IMELogSource: Sendable, Equatable, CustomStringConvertible {
    /// The kinds of place a log is read from.
    public enum Location: Sendable, Equatable {
        /// A file on disk.
        case file(String)
        /// Standard input (`-` on the command line).
        case standardInput
        /// An entry of a zip read in place: the archive's path, the entry's name and local header offset.
        case zipEntry(archive: String, entry: String, offset: UInt64)
        /// Bytes in memory.
        case memory([UInt8])
    }

    /// Where the bytes are.
    public let location: Location
    /// The name records are attributed to (`CMTraceRecord.source`): the path, `-`, or
    /// `DiagLogs-….zip:(67) FoldersFiles …/AppWorkload.log`.
    public let name: String

    /// A source; `name` defaults to the location's own name.
    public init(_ location: Location, name: String? = nil) {
        self.location = location
        switch location {
        case .file(let path): self.name = name ?? path
        case .standardInput: self.name = name ?? "-"
        case .zipEntry(let archive, let entry, _): self.name = name ?? "\(archive):\(entry)"
        case .memory: self.name = name ?? "(memory)"
        }
    }

    public var description: String { name }

    /// The raw bytes (opened now; a zip is re-read to its central directory).
    public func openRaw() throws -> LogByteStream {
        switch location {
        case .file(let path): return try FileByteStream(path: path)
        case .standardInput: return FileByteStream(standardInputNamed: name)
        case .memory(let bytes): return MemoryByteStream(bytes)
        case .zipEntry(let archive, let entryName, let offset):
            let zip = try ZipReader(source: FileRegion(path: archive))
            guard let entry = zip.entries.first(where: { $0.localHeaderOffset == offset && $0.name == entryName }) else {
                throw IntuneWinError.badInput(archive, "\(entryName): no longer in the zip (did it change while being read?)")
            }
            return try ZipEntryByteStream(zip: zip, entry: entry)
        }
    }

    /// The bytes as UTF-8 text (UTF-16 logs transcoded; see `TextEncodingStream`).
    public func open() throws -> LogByteStream { TextEncodingStream(try openRaw()) }

    /// A reader of this log's records.
    public func reader() throws -> CMTraceReader { CMTraceReader(stream: try open(), source: name) }
}
