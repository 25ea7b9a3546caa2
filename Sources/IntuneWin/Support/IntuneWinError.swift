import Foundation

/// Every failure the library reports: which file, and what is wrong with it, in one line.
/// The category decides the tool's exit code (see `exitCode`).
public struct IntuneWinError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The category of a failure; it decides the exit code.
    public enum Kind: Sendable, Equatable {
        /// A verification found the content not as it should be (HMAC, digest, CRC, source mismatch).
        case checkFailed
        /// The arguments do not make sense (setup outside the source, output inside it, …).
        case usage
        /// An input cannot be read or is not what it claims to be (not a zip, truncated, bad XML).
        case badInput
        /// An output cannot be written (exists, no permission, disk full, unsafe path).
        case cannotWrite
        /// Stopped by SIGINT/SIGTERM; partial output was removed.
        case interrupted
    }

    /// What sort of failure it is.
    public let kind: Kind
    /// The file the problem is about (may be empty when no single file is concerned).
    public let path: String
    /// What is wrong, in one line (never a key or other secret).
    public let reason: String

    /// An error of `kind` about `path`.
    public init(_ kind: Kind, path: String, _ reason: String) {
        self.kind = kind
        self.path = path
        self.reason = reason
    }

    /// `path: reason`, or just the reason when no path is concerned.
    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }

    /// The process exit code for this kind: 1 check failed, 2 usage, 3 bad input, 4 cannot write, 130 interrupted.
    public var exitCode: Int32 {
        switch kind {
        case .checkFailed: return 1
        case .usage: return 2
        case .badInput: return 3
        case .cannotWrite: return 4
        case .interrupted: return 130
        }
    }

    static func badInput(_ path: String, _ reason: String) -> IntuneWinError { .init(.badInput, path: path, reason) }
    static func checkFailed(_ path: String, _ reason: String) -> IntuneWinError { .init(.checkFailed, path: path, reason) }
    static func cannotWrite(_ path: String, _ reason: String) -> IntuneWinError { .init(.cannotWrite, path: path, reason) }
    static func usage(_ path: String, _ reason: String) -> IntuneWinError { .init(.usage, path: path, reason) }
}
