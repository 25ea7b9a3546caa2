/// A file or empty folder found on one side only.
public struct DiffItem: Sendable, Equatable {
    /// `/`-separated path; an empty folder ends in `/`.
    public var path: String
    /// Size in bytes (0 for a folder).
    public var size: UInt64
    /// Modification time as the zip (or the folder, at zip resolution) gives it.
    public var modified: DOSDateTime
    /// For a file on one side only: the path of a file on the other side only with the same SHA-256
    /// (a rename or a move).
    public var sameContentAs: String?

    /// An empty folder rather than a file.
    public var isFolder: Bool { path.hasSuffix("/") }
}
