import Foundation

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
