import Foundation

/// Content that IME downloads unencrypted (`ProfileIdentifier` `NoEncryption`): the `.bin` is the
/// plain zip itself. Delivering it means checking what can be checked (size, SHA-256 digest, the
/// entries' CRC-32 when extracting) and copying or extracting it; there is no HMAC to check.
public struct PlainContent: Sendable {
    /// SHA-256 of the content, when the key material gives one.
    public var fileDigest: [UInt8]?
    /// The content's size, when the key material gives one.
    public var plainSize: UInt64?

    /// What `DecryptResult.notChecked` says for plain content.
    public static let notEncryptedNote = "hmac (the content is not encrypted: ProfileIdentifier NoEncryption)"

    /// Plain content with whatever checks the key material gives.
    public init(fileDigest: [UInt8]? = nil, plainSize: UInt64? = nil) {
        self.fileDigest = fileDigest
        self.plainSize = plainSize
    }

    /// The content in `path`: the file itself, or, for a whole `.intunewin`, its content entry in place.
    public static func source(of path: String) throws -> RandomAccessSource {
        let file = try FileRegion(path: path)
        guard try IntuneWinPackage.isZip(path) else { return file }
        let zip = try ZipReader(source: file)
        guard zip.entries.contains(where: { $0.name == PackagePaths.detectionEntry }) else { return file }
        // Not through IntuneWinPackage: that insists on an encrypted layout (MAC, IV, whole AES blocks).
        let contents = zip.entries.filter { $0.name.hasPrefix(PackagePaths.contentFolder) && !$0.name.hasSuffix("/") }
        guard contents.count == 1, let entry = contents.first, entry.method == ZipEntry.stored else {
            throw IntuneWinError.badInput(path, "the package does not hold exactly one stored file in \(PackagePaths.contentFolder)")
        }
        return try file.region(offset: try zip.dataOffset(of: entry), length: entry.compressedSize)
    }

    /// Checks `source` and writes it as a zip file, or extracts it into a folder. Nothing appears at the
    /// output unless every check passed.
    public func deliver(_ source: RandomAccessSource, output: Decryptor.Output, overwrite: Bool, limits: SizeLimits = .default,
                        progress: ProgressHandler? = nil) throws -> DecryptResult {
        let path = source.path
        let meter = ProgressMeter(steps: fileDigest == nil ? 1 : 2, handler: progress)
        var checked: [String] = [], notChecked = [Self.notEncryptedNote]
        if let size = plainSize {
            guard size == source.size else { throw IntuneWinError.checkFailed(path, "size \(source.size) differs from the expected \(size)") }
            checked.append("size")
        }
        if let expected = fileDigest {
            meter.begin("checking", total: source.size)
            guard try digest(of: source, progress: meter.counter) == expected else {
                throw IntuneWinError.checkFailed(path, "SHA-256 of the content differs from the digest given; nothing written")
            }
            checked.append("file-digest")
        } else {
            notChecked.append("file-digest (no digest given)")
        }

        switch output {
        case .zipFile(let zipPath):
            meter.begin("writing", total: source.size)
            let target = try Decryptor.writeZip(from: source, to: zipPath, expectedDigest: fileDigest, overwrite: overwrite, progress: meter.counter)
            return DecryptResult(outputPath: target, plainSize: source.size, checked: checked, notChecked: notChecked)
        case .folder(let folder):
            let extraction = try ExtractionPlan(try ZipReader(source: source), limits: limits)
            meter.begin("extracting", total: extraction.declaredBytes)
            let extracted = try Extractor.extract(extraction, to: folder, overwrite: overwrite, counter: meter.counter)
            checked.append("entry-crc")
            return DecryptResult(outputPath: extracted.outputFolder, plainSize: source.size, checked: checked,
                                 notChecked: notChecked, extracted: extracted)
        }
    }

    private func digest(of source: RandomAccessSource, progress: ((UInt64) -> Void)?) throws -> [UInt8] {
        let hash = SHA256()
        try source.stream(from: 0, length: source.size) { chunk in
            hash.update(chunk)
            progress?(UInt64(chunk.count))
        }
        return hash.finalize()
    }
}
