import Foundation

/// One thing the inner zip will hold: a file, or a folder that has no children at all.
public struct SourceEntry: Sendable, Equatable {
    /// A file with its size, or an empty folder.
    public enum Kind: Sendable, Equatable {
        /// A file (a symbolic link to a file counts as one, with the target's size and time).
        case file(size: UInt64)
        /// A folder with no children at all; Microsoft's tool writes it as a `name\` entry.
        case emptyFolder
    }

    /// File (with its size) or empty folder.
    public let kind: Kind
    /// Path components relative to the source folder, e.g. ["Fonts", "a.otf"], spelled as the file system
    /// returned them (no Unicode normalisation).
    public let components: [String]
    /// Absolute path on disk (to open the file).
    public let path: String
    /// Last modification time, Unix seconds (st_mtime of the target, symbolic links followed).
    /// For an empty folder this is the folder's own time; Microsoft's tool stamps folder entries with the
    /// packing time instead, which is the packer's choice to make.
    public let modificationTime: Int64

    /// Name in the inner zip: components joined with "\" (Microsoft's separator); an empty folder gets a trailing "\".
    public var zipName: String {
        let joined = components.joined(separator: "\\")
        return kind == .emptyFolder ? joined + "\\" : joined
    }
}
