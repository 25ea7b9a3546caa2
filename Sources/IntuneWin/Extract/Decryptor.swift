import Foundation

/// Decrypts encrypted content (an IME `.bin` or a package's `IntunePackage.intunewin`) to a plain zip
/// or straight into a folder. Integrity checks that the key material allows run before the output
/// appears: the HMAC before any plaintext is written, the digest before the output is renamed into place.
public enum Decryptor {
    /// Where decrypted content goes: the plain inner zip as a file, or its entries into a folder.
    public enum Output: Sendable {
        /// Write the plain inner zip to this path.
        case zipFile(String)
        /// Extract the inner zip's entries into this folder.
        case folder(String)

        /// A path ending in `.zip` means the zip file; anything else a folder.
        public init(path: String) {
            self = path.lowercased().hasSuffix(".zip") ? .zipFile(path) : .folder(path)
        }
    }

    /// `limits` bound what extracting into a folder may write (see `SizeLimits`); a zip file output is
    /// the content itself and needs none.
    public static func decrypt(_ content: EncryptedContent, keys: ContentKeys, output: Output, overwrite: Bool,
                               limits: SizeLimits = .default, progress: ProgressHandler? = nil) throws -> DecryptResult {
        let path = content.source.path
        var notChecked: [String] = []
        // IV, MAC, padding and size (no full pass yet: the HMAC comes below, with the digest when it can).
        let opened = try keys.open(content, authenticate: false)
        let plain = opened.plain
        var checked = opened.checked
        // Before any plaintext is written: the HMAC (one read of the ciphertext at HMAC speed). For a zip
        // output the digest is checked in the same read; for a folder it is computed while the files are
        // written and checked before the folder is moved into place.
        let digestWhileExtracting: Bool
        if case .folder = output { digestWhileExtracting = keys.fileDigest != nil } else { digestWhileExtracting = false }
        let checkPass = keys.macKey != nil || (keys.fileDigest != nil && !digestWhileExtracting)
        let meter = ProgressMeter(steps: checkPass ? 2 : 1, handler: progress)
        if checkPass { meter.begin("authenticating", total: content.ciphertextSize) }
        if let macKey = keys.macKey, digestWhileExtracting || keys.fileDigest == nil {
            guard try content.hmacMatches(macKey: macKey, progress: meter.counter) else {
                throw ContentKeys.hmacMismatch(path)
            }
            checked.append("hmac")
        } else if !digestWhileExtracting, keys.macKey != nil || keys.fileDigest != nil {
            let (digest, macOK) = try plain.streamAll(macKey: keys.macKey, progress: meter.counter)
            if let macOK {
                guard macOK else {
                    throw ContentKeys.hmacMismatch(path)
                }
                checked.append("hmac")
            }
            if let expected = keys.fileDigest {
                guard digest == expected else { throw IntuneWinError.checkFailed(path, "SHA-256 of the decrypted content differs from the digest given; nothing written") }
                checked.append("file-digest")
            }
        }
        if keys.macKey == nil { notChecked.append("hmac (no MAC key given)") }
        if keys.fileDigest == nil { notChecked.append("file-digest (no digest given)") }

        switch output {
        case .zipFile(let zipPath):
            meter.begin("writing", total: plain.size)
            let target = try writeZip(from: plain, to: zipPath, expectedDigest: keys.fileDigest, overwrite: overwrite, progress: meter.counter)
            return DecryptResult(outputPath: target, plainSize: plain.size, checked: checked, notChecked: notChecked)
        case .folder(let folder):
            // Hostile names and sizes are refused here, before the digest thread reads the whole content.
            let extraction = try ExtractionPlan(try ZipReader(source: plain), limits: limits)
            final class DigestBox: @unchecked Sendable { var result: Result<[UInt8], Error>? }
            let digest = DigestBox()
            let digesting = DispatchGroup()
            if digestWhileExtracting {
                DispatchQueue.global().async(group: digesting) { digest.result = Result { try plain.streamAll().digest } }
            }
            // Never leave the digest thread running behind an error: the caller may exit at once.
            defer { digesting.wait() }
            meter.begin("extracting", total: extraction.declaredBytes)
            let extracted = try Extractor.extract(extraction, to: folder, overwrite: overwrite, counter: meter.counter) {
                digesting.wait()
                if let result = digest.result, let expected = keys.fileDigest {
                    guard try result.get() == expected else {
                        throw IntuneWinError.checkFailed(path, "SHA-256 of the decrypted content differs from the digest given; nothing written")
                    }
                }
            }
            if digestWhileExtracting { checked.append("file-digest") }
            checked.append("entry-crc")
            return DecryptResult(outputPath: extracted.outputFolder, plainSize: plain.size, checked: checked,
                                 notChecked: notChecked, extracted: extracted)
        }
    }

    /// Writes plain content as a zip file through a temporary file; the digest, when given, is checked
    /// again on the bytes written (the content must not change between the checks and the copy).
    /// Returns the path written.
    static func writeZip(from plain: RandomAccessSource, to zipPath: String, expectedDigest: [UInt8]?, overwrite: Bool,
                         progress: ((UInt64) -> Void)?) throws -> String {
        let target = PackagePaths.canonical(zipPath)
        if !overwrite && FileManager.default.fileExists(atPath: target) {
            throw IntuneWinError.cannotWrite(target, "already exists", remedy: .allowOverwrite)
        }
        let file = try AtomicOutputFile(finalPath: target)
        let hash = SHA256()
        try plain.stream(from: 0, length: plain.size) { chunk in
            hash.update(chunk)
            try file.write(chunk)
            progress?(UInt64(chunk.count))
        }
        if let expected = expectedDigest, hash.finalize() != expected {
            throw IntuneWinError.checkFailed(plain.path, "the file changed while it was being written; nothing written")
        }
        try file.commit(replace: overwrite)
        return target
    }

    /// Unpacks a package: verifies HMAC, digest and size first, then extracts the inner zip into `output`.
    public static func unpack(_ package: IntuneWinPackage, to folder: String, overwrite: Bool,
                              limits: SizeLimits = .default, progress: ProgressHandler? = nil) throws -> DecryptResult {
        let keys = try ContentKeys(package.detection, source: package.path)
        return try decrypt(package.content, keys: keys, output: .folder(folder),
                           overwrite: overwrite, limits: limits, progress: progress)
    }
}
