import Foundation

/// Every failure the library reports: which file, what is wrong with it in one line, and what the
/// user can do about it. The library knows no command-line flags and no exit codes: the tool turns
/// `kind` into an exit code and `remedy` into advice worded in its own options.
public struct IntuneWinError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The category of a failure.
    public enum Kind: Sendable, Equatable {
        /// A verification found the content not as it should be (HMAC, digest, CRC, source mismatch).
        case checkFailed
        /// The arguments do not make sense (setup outside the source, output inside it, …).
        case usage
        /// An input cannot be read or is not what it claims to be (not a zip, truncated, bad XML).
        case badInput
        /// An output cannot be written (exists, no permission, disk full, unsafe path).
        case cannotWrite
        /// The inputs hold nothing of what was asked: no IME log records, an app that is not in the logs.
        case nothingFound
        /// Stopped by SIGINT/SIGTERM; partial output was removed.
        case interrupted
    }

    /// What would get past a failure, when the caller can choose it (a front end words it as its option).
    public enum Remedy: Sendable, Equatable {
        /// Allow replacing an output that already exists.
        case allowOverwrite
        /// Accept content over the size limits (`SizeLimits.none`).
        case liftSizeLimits
        /// Give the password of an encrypted device private key.
        case giveDeviceKeyPassword
        /// The file is IME's encrypted DecryptInfo: give it as such, with the device's private key.
        case giveAsDecryptInfo
        /// Leave the file out of the package with an exclude pattern (`pattern`, or the file's path).
        case exclude(pattern: String)
        /// Follow symbolic links that leave the source folder (packing what they point to), or leave the
        /// link out with an exclude pattern.
        case followLinks(orExclude: String)
        /// Pack with the nested-zip launcher, which runs the setup from a persistent copy.
        case packNested
        /// Choose an output outside the source folder.
        case outputOutsideSource
        /// Pack names no Windows device can unpack all the same (`PackRequest.allowsUnsafeNames`).
        case allowUnsafeNames
        /// The file is encrypted content without its package: give the keys from elsewhere to decrypt it.
        case giveContentKeys
    }

    /// What sort of failure it is.
    public let kind: Kind
    /// The file the problem is about (may be empty when no single file is concerned).
    public let path: String
    /// What is wrong, in one line (never a key or other secret, never a command-line flag).
    public let reason: String
    /// What the caller can do about it, if anything.
    public let remedy: Remedy?

    /// An error of `kind` about `path`.
    public init(_ kind: Kind, path: String, _ reason: String, remedy: Remedy? = nil) {
        self.kind = kind
        self.path = path
        self.reason = reason
        self.remedy = remedy
    }

    /// `path: reason`, or just the reason when no path is concerned.
    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }

    static func badInput(_ path: String, _ reason: String, remedy: Remedy? = nil) -> IntuneWinError { .init(.badInput, path: path, reason, remedy: remedy) }
    /// The one rule for a path that does not exist, whatever the command and whatever kind of path was
    /// expected (package, folder, log, MSI, key file): `badInput`, "no such file or folder".
    static func noSuchPath(_ path: String) -> IntuneWinError { .init(.badInput, path: path, "no such file or folder") }
    static func checkFailed(_ path: String, _ reason: String, remedy: Remedy? = nil) -> IntuneWinError { .init(.checkFailed, path: path, reason, remedy: remedy) }
    static func cannotWrite(_ path: String, _ reason: String, remedy: Remedy? = nil) -> IntuneWinError { .init(.cannotWrite, path: path, reason, remedy: remedy) }
    static func usage(_ path: String, _ reason: String, remedy: Remedy? = nil) -> IntuneWinError { .init(.usage, path: path, reason, remedy: remedy) }
}
