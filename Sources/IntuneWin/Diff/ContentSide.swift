import Foundation

/// What a path given to `diff` holds, told from the file itself rather than from its name.
public enum ContentKind: String, Sendable, Equatable {
    /// A `.intunewin`: a zip holding `IntuneWinPackage/Metadata/Detection.xml`.
    case package
    /// Encrypted content without its Detection.xml (an IME `.bin`, or a package's `IntunePackage.intunewin`).
    case bin
    /// Any other zip (a decrypted inner zip, or one made by another tool).
    case zip
    /// A folder, read the way `pack` reads it.
    case folder

    /// Looks at `path`: a folder; a file starting with a zip signature is a package when it holds
    /// Detection.xml, else a plain zip; anything else must have the shape of encrypted content
    /// (MAC, IV, whole AES blocks). Throws `badInput` when it is none of these.
    public static func detect(_ path: String) throws -> ContentKind {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw IntuneWinError.badInput(path, "no such file or folder")
        }
        if isFolder.boolValue { return .folder }
        if try IntuneWinPackage.isZip(path) {
            let zip = try ZipReader(source: try FileRegion(path: path))
            let detection = PackagePaths.detectionEntry.lowercased()
            return zip.entries.contains { $0.portableName.lowercased() == detection } ? .package : .zip
        }
        do {
            _ = try EncryptedContent(source: try FileRegion(path: path))
        } catch let error as IntuneWinError where error.kind == .badInput {
            throw IntuneWinError.badInput(path, "neither a folder, a zip, a package nor encrypted content (\(error.reason))")
        }
        return .bin
    }
}

/// One side of a comparison: where the content is and, for encrypted content, the keys to read it.
public enum ContentSide: Sendable {
    /// A `.intunewin`, opened with the keys in its own Detection.xml.
    case package(String)
    /// Encrypted content and its keys (only the encryption key is needed; the IV, MAC and size given are checked).
    case bin(String, ContentKeys)
    /// A plain zip (a decrypted inner zip, or any other).
    case zip(String)
    /// A folder, read the way `pack` reads a source folder.
    case folder(String)

    /// The path this side reads.
    public var path: String {
        switch self {
        case .package(let path), .bin(let path, _), .zip(let path), .folder(let path): return path
        }
    }

    /// Which kind of content this side is.
    public var kind: ContentKind {
        switch self {
        case .package: return .package
        case .bin: return .bin
        case .zip: return .zip
        case .folder: return .folder
        }
    }

    /// The side `path` is (see `ContentKind.detect`). `keys` are used only for encrypted content, which
    /// cannot be read without them: then a `usage` error says so.
    public static func detect(_ path: String, keys: ContentKeys? = nil) throws -> ContentSide {
        try ContentSide(path, kind: try ContentKind.detect(path), keys: keys)
    }

    /// The side of `kind` at `path`; `keys` are required for `.bin` (a `usage` error without them) and ignored otherwise.
    public init(_ path: String, kind: ContentKind, keys: ContentKeys?) throws {
        switch kind {
        case .package: self = .package(path)
        case .zip: self = .zip(path)
        case .folder: self = .folder(path)
        case .bin:
            guard let keys else {
                throw IntuneWinError.usage(path, "not a folder, zip or package: reading it as encrypted content needs its keys")
            }
            self = .bin(path, keys)
        }
    }
}
