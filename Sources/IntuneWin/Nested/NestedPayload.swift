import Foundation

/// The `payload.zip` of a nested-zip package, opened for reading: copied out of the decrypted inner zip
/// to a temporary file (streamed and hashed on the way, never held in memory: it may be gigabytes; a
/// deflated entry cannot be read at random offsets in place), then read as a zip. The temporary copy
/// goes when this object does, or on SIGINT/SIGTERM.
final class NestedPayload {
    /// payload.zip's entry in the inner zip.
    let entry: ZipEntry
    /// SHA-256 of payload.zip, lowercase hex.
    let sha256: String
    /// payload.zip, read from the temporary copy.
    let zip: ZipReader
    private let folder: String

    /// payload.zip's entry in `inner`, nil when there is none.
    static func entry(in inner: ZipReader) -> ZipEntry? {
        inner.entries.first { $0.name.lowercased() == NestedStaging.payloadName }
    }

    /// Copies `entry` out of `inner` (the content of the package at `path`) into a temporary folder.
    init(_ entry: ZipEntry, in inner: ZipReader, path: String) throws {
        let temporary = NSTemporaryDirectory()
        guard let folder = StagingName.makeFolder(in: temporary.hasSuffix("/") ? String(temporary.dropLast()) : temporary,
                                                  prefix: ".intunewin-payload-") else {
            throw IntuneWinError.cannotWrite(temporary, "cannot create a folder to read payload.zip in: \(SystemCall.lastError)")
        }
        CleanupRegistry.register(folder, isDirectory: true)
        self.folder = folder
        var complete = false
        defer { if !complete { Self.remove(folder) } }
        let copy = try AtomicOutputFile(finalPath: folder + "/" + NestedStaging.payloadName)
        let sha = SHA256()
        try inner.extract(entry) { chunk in
            sha.update(chunk)
            try copy.write(chunk)
        }
        try copy.commit(replace: false)
        self.entry = entry
        sha256 = sha.finalize().map { String(format: "%02x", Int($0)) }.joined()
        do {
            zip = try ZipReader(source: try FileRegion(path: folder + "/" + NestedStaging.payloadName))
        } catch let error as IntuneWinError {
            throw IntuneWinError(error.kind, path: path, "payload.zip: " + error.reason)
        }
        complete = true
    }

    deinit { Self.remove(folder) }

    private static func remove(_ folder: String) {
        try? FileManager.default.removeItem(atPath: folder)
        CleanupRegistry.unregister(folder)
    }
}
