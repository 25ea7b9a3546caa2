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
