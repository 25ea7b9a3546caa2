#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Checks a package end to end, the way IME will use it and more: outer layout, Detection.xml,
/// header MAC and IV, HMAC, padding, SHA-256 digest, size, every inner entry's CRC, the setup file,
/// and optionally that the content equals a source folder. Reads the ciphertext twice at most.
/// Entries are inflated only when their declared sizes are within `limits` (a zip bomb would
/// otherwise keep every core busy for as long as it likes).
public enum Verifier {
    /// Runs every check on `package` and reports each one; a failed check is a report entry, not an error.
    /// Pass `source` to also compare the content with that folder byte for byte, leaving out what `excludes`
    /// and the folder's `.intunewinignore` leave out when packing. `progress` receives ciphertext bytes read.
    /// Throws only when the package cannot be read at all (or an exclude pattern is invalid).
    /// The source is read with pack's rules, so a symbolic link leaving it is an error unless
    /// `followingLinksOutside` is set, as it was for pack.
    public static func verify(_ package: IntuneWinPackage, source: String? = nil, excludes: [String] = [],
                              followingLinksOutside: Bool = false, limits: SizeLimits = .default,
                              progress: ProgressHandler? = nil) throws -> VerificationReport {
        var report = VerificationReport(path: package.path)
        let d = package.detection
        let info = d.encryptionInfo
        let names = package.outer.entries.map(\.name)
        let expected = [PackagePaths.contentFolder + d.fileName, PackagePaths.detectionEntry]
        report.record("outer-layout", names == expected,
                      names == expected ? "2 entries: content, then Detection.xml" : "entries are \(names)")
        let stored = package.contentIsStored
        report.record("content-stored", stored, stored ? "the content entry is stored (method 0), as Microsoft's tool writes it"
                      : "the content entry is compressed (method \(package.contentEntry.method)); Microsoft's tool stores it (method 0), and encrypted content gains nothing from compression")
        let profileOK = info.profileIdentifier == "ProfileVersion1" && info.fileDigestAlgorithm == "SHA256"
        report.record("detection-xml", profileOK,
                      profileOK ? "all fields present, key sizes right" : "ProfileIdentifier \(info.profileIdentifier), FileDigestAlgorithm \(info.fileDigestAlgorithm)")
        let keys = try ContentKeys(d, source: package.path)
        guard let inner = try verifyContent(package.content, keys: keys, setupFile: d.setupFile, limits: limits,
                                            progress: progress, into: &report) else { return report }
        let inflate = (try? limits.check(inner)) != nil
        if let nested = try NestedPayloadVerification.checks(package, inner: inner, inflate: inflate, source: source, excludes: excludes,
                                                             followingLinksOutside: followingLinksOutside) {
            report.checks += nested  // a nested-zip package: payload.zip's digest, and its files against the source
        } else if let source {
            let (ok, detail) = try compare(inner, source: source, excludes: excludes, followingLinksOutside: followingLinksOutside,
                                           package: package.path)
            report.record("source", ok, detail)
        }
        return report
    }

    /// Verifies encrypted content without its package (the `.bin` IME downloads) with key material from
    /// elsewhere (Graph's fileEncryptionInfo JSON, a decrypted DecryptInfo, a Detection.xml): the same
    /// content checks as for a package, each skipped when the material lacks the value it needs.
    public static func verify(contentFile path: String, keys: ContentKeys, setupFile: String? = nil, limits: SizeLimits = .default,
                              progress: ProgressHandler? = nil) throws -> VerificationReport {
        var report = VerificationReport(path: path)
        _ = try verifyContentFile(path, keys: keys, setupFile: setupFile, limits: limits, progress: progress, into: &report)
        return report
    }

    /// The content checks on the file at `path`, after making sure it may be encrypted content (no other
    /// file type's magic number: that is an error) and is as long as `keys` say (a shorter file is
    /// reported truncated, as the failed check `content-size`, and nothing else is checked).
    static func verifyContentFile(_ path: String, keys: ContentKeys, setupFile: String?, limits: SizeLimits,
                                  progress: ProgressHandler?, into report: inout VerificationReport) throws -> ZipReader? {
        let file = try FileRegion(path: path)
        try FileSignature.requireEncryptedContent(file)
        if let expected = keys.expectedEncryptedSize {
            if file.size < expected {
                report.record("content-size", false, "truncated (\(file.size) of \(expected) bytes)")
                return nil
            }
            report.record("content-size", file.size == expected, file.size == expected ? "\(file.size) bytes, as the key material says"
                          : "\(file.size) bytes, the key material says \(expected)")
        }
        let content: EncryptedContent
        do {
            content = try EncryptedContent(source: file)
        } catch let error as IntuneWinError {
            report.record("content-size", false, error.reason)
            return nil
        }
        return try verifyContent(content, keys: keys, setupFile: setupFile, limits: limits, progress: progress, into: &report)
    }

    /// The content checks, for a package's content or an IME `.bin` with key material from elsewhere:
    /// header MAC and IV, padding, HMAC, digest, size, the inner zip, its entry names and CRCs, the setup
    /// file and where the content's root is. A check whose value `keys` lack is skipped, saying so.
    /// Returns the inner zip when it could be read (for the checks that follow), nil when it could not.
    static func verifyContent(_ content: EncryptedContent, keys: ContentKeys, setupFile: String?, limits: SizeLimits,
                              progress: ProgressHandler?, into report: inout VerificationReport) throws -> ZipReader? {
        let meter = ProgressMeter(steps: 1, handler: progress)
        let path = content.source.path
        if let mac = keys.mac {
            let equal = HMACSHA256.equal(content.storedMac, mac)
            report.record("header-mac", equal, "first 32 bytes of the content \(equal ? "equal" : "differ from") <Mac>")
        } else {
            report.skip("header-mac", "no Mac given")
        }
        if let iv = keys.initializationVector {
            let equal = content.storedIV == iv
            report.record("header-iv", equal, "IV in the content \(equal ? "equals" : "differs from") <InitializationVector>")
        } else {
            report.skip("header-iv", "no InitializationVector given")
        }
        let after = ["file-digest", "unencrypted-size", "inner-zip", "entry-names", "entry-crc"] + (setupFile == nil ? [] : ["setup-file"]) + ["content-root"]
        let plain: DecryptedContent
        do {
            plain = try content.decrypted(key: keys.encryptionKey)
            report.record("padding", true, "PKCS#7, \(plain.paddingLength) bytes")
        } catch let error as IntuneWinError {
            // Still say whether the HMAC holds: it tells corruption from a wrong key.
            if let macKey = keys.macKey {
                let macOK = try content.hmacMatches(macKey: macKey)
                report.record("hmac", macOK, macOK ? "HMAC-SHA256 over IV and ciphertext matches" : "HMAC-SHA256 does not match: content corrupt or MacKey wrong")
            } else {
                report.skip("hmac", "no MacKey given")
            }
            report.record("padding", false, error.reason)
            for name in after { report.skip(name, "content could not be decrypted") }
            return nil
        }
        // Independent reads at once: HMAC + digest over the whole content on one thread, the entries
        // inflated (and CRC-checked) on the others, each taking the next entry.
        var stream: Result<(digest: [UInt8], hmacMatches: Bool?), Error> = .failure(IntuneWinError.badInput(path, "not run"))
        let zip = Result { try ZipReader(source: plain) }
        let sizes: Result<UInt64, Error>? = (try? zip.get()).map { inner in Result { try limits.check(inner) } }
        let inflate = (try? sizes?.get()) != nil
        let entries = inflate ? (try? zip.get())?.entries ?? [] : []
        // Small entries that follow one another are read together, one read a group (see readingGroups).
        let groups = inflate ? (try? zip.get())?.readingGroups() ?? [] : []
        let failures = EntryFailures(groups.count)
        // The entry-name check (a pass over every name) runs beside the reads too, on the first inflating task.
        var nameCheck: Result<Void, Error> = .success(())
        let threads = max(3, ProcessInfo.processInfo.activeProcessorCount + 1)
        DispatchQueue.concurrentPerform(iterations: threads) { task in
            if task == 0 {
                meter.begin("verifying", total: content.ciphertextSize)
                stream = Result { try plain.streamAll(macKey: keys.macKey, progress: meter.counter) }
                return
            }
            guard case .success(let inner) = zip else { return }
            if task == 1 { nameCheck = Result { _ = try SafePath.plan(inner) } }
            let inflater = Inflater()
            while let next = failures.next() {
                let group = groups[next]
                let region: ZipReader.Region?
                do { region = try inner.region(for: group) } catch {
                    // The group's bytes cannot be read together: each entry on its own says which fail.
                    region = nil
                }
                for index in group {
                    do { try inner.extract(entries[index], using: inflater, within: region) { _ in } } catch let error as IntuneWinError {
                        failures.record(index, error.reason)
                    } catch { failures.record(index, "\(error)") }
                }
            }
        }
        let bad = failures.reasons
        let (digest, macOK) = try stream.get()
        if let macOK {
            report.record("hmac", macOK, macOK ? "HMAC-SHA256 over IV and ciphertext matches" : "HMAC-SHA256 does not match: content corrupt or MacKey wrong")
        } else {
            report.skip("hmac", "no MacKey given")
        }
        if let expected = keys.fileDigest {
            report.record("file-digest", digest == expected, digest == expected ? "SHA-256 of the inner zip equals <FileDigest>" : "SHA-256 of the inner zip differs from <FileDigest>")
        } else {
            report.skip("file-digest", "no FileDigest given")
        }
        if let size = keys.plainSize {
            report.record("unencrypted-size", plain.size == size, "inner zip is \(plain.size) bytes, <UnencryptedContentSize> says \(size)")
        } else {
            report.skip("unencrypted-size", "no size given (inner zip is \(plain.size) bytes)")
        }
        let inner: ZipReader
        do {
            inner = try zip.get()
            let declared = (try? sizes?.get()).map { ", declaring \($0) bytes\(limits == .none ? " (size limits off)" : "")" } ?? ""
            report.record("inner-zip", true, "\(inner.entries.count) \(inner.entries.count == 1 ? "entry" : "entries")\(declared)")
        } catch let error as IntuneWinError {
            report.record("inner-zip", false, error.reason)
            for name in after.drop(while: { $0 != "entry-names" }) { report.skip(name, "inner zip unreadable") }
            return nil
        }
        report.entryCount = inner.entries.count
        // A check of its own only when it fails (a package within the limits has the usual checks).
        if case .failure(let error)? = sizes {
            report.record("size-limits", false, (error as? IntuneWinError)?.reason ?? "\(error)", remedy: (error as? IntuneWinError)?.remedy)
        }
        do {
            try nameCheck.get()
            report.record("entry-names", true, "every name stays inside an output folder; no duplicates, nor names that clash on Windows")
        } catch let error as IntuneWinError {
            report.record("entry-names", false, error.reason + " (" + error.path + ")")
        }
        if !inflate {
            report.skip("entry-crc", "not inflated: the declared sizes are over the size limits")
        } else {
            let count = inner.entries.count
            report.record("entry-crc", bad.isEmpty, bad.isEmpty ? "\(count) \(count == 1 ? "entry inflates" : "entries inflate") with the right size and CRC-32" : bad.prefix(5).joined(separator: "; "))
        }
        let layout = ContentLayout(inner)
        if let setupFile {
            let (ok, detail) = layout.setupFileCheck(setupFile)
            report.record("setup-file", ok, detail)
        }
        switch layout.rootCheck(setupFile: setupFile) {
        case (let ok?, let detail): report.record("content-root", ok, detail)
        case (nil, let detail): report.skip("content-root", detail)
        }
        return inner
    }

    /// Every file (and empty folder) of `source` is in the zip with identical bytes, and nothing else is.
    ///
    /// `source` may be written with `\` (as pack's `-c`). When `package` lies in a folder inside the source
    /// (pack's `-o .\Output` leaves that folder out of the package), that folder is left out here too.
    static func compare(_ zip: ZipReader, source: String, excludes: [String] = [],
                        followingLinksOutside: Bool = false, package: String? = nil) throws -> (Bool, String) {
        let source = try PathArgument.local(source, what: "source folder")
        let rules = try ExcludeRules(patterns: excludes, source: source)
        var leftOut: [String]? = nil
        if let package {
            let root = PackagePaths.canonical(source)
            let folder = PackagePaths.canonical((package as NSString).deletingLastPathComponent)
            if folder != root, PackagePaths.isInside(folder, folder: root) {
                leftOut = folder.dropFirst(root.count).split(separator: "/").map(String.init)
            }
        }
        let inLeftOut: ([String]) -> Bool = { components in
            guard let leftOut, components.count >= leftOut.count else { return false }
            return Array(components.prefix(leftOut.count)) == leftOut
        }
        let scanned = try SourceTree.scan(root: source, skipping: { rules.isExcluded($0) || inLeftOut($0) },
                                          followingLinksOutside: followingLinksOutside)
        let tree = rules.apply(to: leftOut == nil ? scanned : scanned.filter { !inLeftOut($0.components) }).kept
        var byName: [String: ZipEntry] = [:]
        for e in zip.entries { byName[e.portableName] = e }
        var missing: [String] = [], differ: [String] = []
        var seen = Set<String>()
        for item in tree {
            let name = item.components.joined(separator: "/") + (item.kind == .emptyFolder ? "/" : "")
            seen.insert(name)
            guard let entry = byName[name] else { missing.append(name); continue }
            guard case .file(let size) = item.kind else { continue }
            guard size == entry.uncompressedSize else { differ.append(name); continue }
            let inZip = SHA256()
            try zip.extract(entry) { inZip.update($0) }
            let onDisk = SHA256()
            try FileRegion(path: item.path).stream(from: 0, length: size) { onDisk.update($0) }
            if inZip.finalize() != onDisk.finalize() { differ.append(name) }
        }
        let extra = byName.keys.filter { !seen.contains($0) }.sorted()
        if missing.isEmpty && differ.isEmpty && extra.isEmpty {
            return (true, "\(tree.count) source items match the content byte for byte")
        }
        var parts: [String] = []
        if !missing.isEmpty { parts.append("\(missing.count) missing from the package (\(missing.prefix(3).joined(separator: ", ")))") }
        if !differ.isEmpty { parts.append("\(differ.count) differ (\(differ.prefix(3).joined(separator: ", ")))") }
        if !extra.isEmpty { parts.append("\(extra.count) not in the source (\(extra.prefix(3).joined(separator: ", ")))") }
        return (false, parts.joined(separator: "; "))
    }
}

/// Hands out work to the verifying threads (the next group of entries) and keeps their failures in entry order.
private final class EntryFailures: Sendable {
    private let cursor = Locked(0)
    private let count: Int
    private let byIndex = Locked<[Int: String]>([:])

    init(_ count: Int) { self.count = count }

    func next() -> Int? {
        cursor.withLock { cursor in
            guard cursor < count else { return nil }
            cursor += 1
            return cursor - 1
        }
    }

    func record(_ index: Int, _ reason: String) { byIndex.withLock { $0[index] = reason } }

    var reasons: [String] { byIndex.withLock { byIndex in byIndex.keys.sorted().map { byIndex[$0]! } } }
}
