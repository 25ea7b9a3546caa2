import Foundation
import XCTest
@testable import IntuneWin
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Key material never reaches stdout or stderr unless asked for, whatever succeeds or fails; and decrypted
/// files stay private (0600, in a 0700 staging folder) until they are complete.
final class SecretLeakTests: ToolTestCase {
    override class func tearDown() {
        LargePackage.removeAll()
        super.tearDown()
    }

    // MARK: Fixtures

    private var sample: URL { Tool.sample("01") }

    /// The ways a secret could be printed: base64 (standard, URL-safe, unpadded), hex either case, and
    /// prefixes of each (a truncated key is still a leak).
    private func spellings(_ base64: String) -> [String] {
        guard let data = Data(base64Encoded: base64) else { XCTFail("not base64: \(base64)"); return [] }
        let hex = data.map { String(format: "%02x", $0) }.joined()
        let urlSafe = base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let unpadded = base64.trimmingCharacters(in: CharacterSet(charactersIn: "="))
        let full = [base64, urlSafe, unpadded, hex, hex.uppercased()]
        return full + full.map { String($0.prefix(16)) }
    }

    /// `value` (base64) with its first byte changed: a wrong key of the right size.
    private func altered(_ base64: String) -> String {
        var bytes = [UInt8](Data(base64Encoded: base64)!)
        bytes[0] ^= 0x5A
        return Data(bytes).base64EncodedString()
    }

    private struct Secret {
        let name: String
        let base64: String
    }

    private struct Fixture {
        let good: URL, bin: URL, xml: URL
        let wrongKey: URL, wrongMacKey: URL, wrongMac: URL, corrupt: URL, missing: URL
        let wrongKeyXML: URL, wrongMacKeyXML: URL, wrongMacXML: URL, corruptBin: URL
        let parts: PackageParts
        /// The real keys and the wrong ones written into the variants: none may ever be printed.
        let keys: [Secret]
        /// The IV: printed by `info` on purpose (with Mac and FileDigest; it is not a key), nowhere else.
        let iv: Secret
    }

    private func makeFixture() throws -> Fixture {
        let parts = try PackageParts(sample)
        let good = path("good.intunewin")
        try FileManager.default.copyItem(at: sample, to: good)
        let bin = path("content.bin"), xml = path("Detection.xml")
        try parts.content(of: sample).write(to: bin)
        try write(parts.detectionXML, to: xml)

        func variant(_ field: String, _ name: String) throws -> (URL, URL, String) {
            let value = altered(parts[field])
            let text = parts.detectionXML.replacingOccurrences(of: "<\(field)>\(parts[field])</\(field)>", with: "<\(field)>\(value)</\(field)>")
            XCTAssertNotEqual(text, parts.detectionXML, "\(field) not replaced")
            let package = try rewrittenSample([detectionEntry: Data(text.utf8)], name: "\(name).intunewin")
            let file = path("\(name).xml")
            try write(text, to: file)
            return (package, file, value)
        }
        let (wrongKey, wrongKeyXML, otherKey) = try variant("EncryptionKey", "wrong-key")
        let (wrongMacKey, wrongMacKeyXML, otherMacKey) = try variant("MacKey", "wrong-mac-key")
        let (wrongMac, wrongMacXML, _) = try variant("Mac", "wrong-mac")

        var content = try parts.content(of: sample)
        content[content.count / 2] ^= 0x01
        let corrupt = try rewrittenSample(["IntuneWinPackage/Contents/" + parts["FileName"]: content], name: "corrupt.intunewin")
        let corruptBin = path("corrupt.bin")
        try content.write(to: corruptBin)

        return Fixture(good: good, bin: bin, xml: xml, wrongKey: wrongKey, wrongMacKey: wrongMacKey, wrongMac: wrongMac,
                       corrupt: corrupt, missing: path("missing.intunewin"), wrongKeyXML: wrongKeyXML,
                       wrongMacKeyXML: wrongMacKeyXML, wrongMacXML: wrongMacXML, corruptBin: corruptBin, parts: parts,
                       keys: [Secret(name: "EncryptionKey", base64: parts["EncryptionKey"]), Secret(name: "MacKey", base64: parts["MacKey"]),
                              Secret(name: "the wrong EncryptionKey", base64: otherKey), Secret(name: "the wrong MacKey", base64: otherMacKey)],
                       iv: Secret(name: "InitializationVector", base64: parts["InitializationVector"]))
    }

    /// What one run may print besides nothing secret.
    private enum Expect { case success, failure, either }

    private var outputCounter = 0
    /// A fresh output path in the scratch folder.
    private func output(_ suffix: String = "") -> String {
        outputCounter += 1
        return path("out-\(outputCounter)\(suffix)").path
    }

    /// Runs the tool and asserts no key (nor the IV unless `ivAllowed`) appears in stdout or stderr.
    @discardableResult
    private func assertNoLeak(_ arguments: [String], _ fixture: Fixture, expect: Expect, ivAllowed: Bool = false,
                              file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        let result = try tool(arguments)
        let label = arguments.map { $0.hasPrefix(scratch.path) ? String($0.dropFirst(scratch.path.count + 1)) : $0 }.joined(separator: " ")
        assertNoCrash(result, label, file: file, line: line)
        switch expect {
        case .success: XCTAssertEqual(result.status, 0, "\(label)\n\(result.summary)", file: file, line: line)
        case .failure: XCTAssertNotEqual(result.status, 0, "\(label) should fail\n\(result.summary)", file: file, line: line)
        case .either: break
        }
        XCTAssertFalse(result.out.isEmpty && result.err.isEmpty, "\(label) printed nothing: the check would be empty", file: file, line: line)
        let secrets = fixture.keys + (ivAllowed ? [] : [fixture.iv])
        for stream in [("stdout", result.out), ("stderr", result.err)] {
            for secret in secrets {
                for spelling in spellings(secret.base64) where stream.1.contains(spelling) {
                    XCTFail("\(label): \(secret.name) appears in \(stream.0) as \(spelling)\n\(result.summary)", file: file, line: line)
                }
            }
        }
        return result
    }

    // MARK: Keys never printed

    func testInfoListVerifyUnpackNeverPrintKeys() throws {
        let f = try makeFixture()
        let failing = [f.wrongKey, f.wrongMacKey, f.wrongMac, f.corrupt]
        for package in [f.good] + failing + [f.missing] {
            let good = package == f.good
            let readable = package != f.missing
            // info shows the IV (with Mac and FileDigest) on purpose; keys only with --show-keys. It counts the
            // entries, decrypting the directory: a wrong key fails it.
            try assertNoLeak(["info", package.path], f, expect: good ? .success : readable ? .either : .failure, ivAllowed: true)
            try assertNoLeak(["info", "--json", package.path], f, expect: good ? .success : readable ? .either : .failure, ivAllowed: true)
            // list decrypts the directory only: a wrong MAC or a flipped byte mid-content goes unnoticed.
            try assertNoLeak(["list", package.path], f, expect: good ? .success : .either)
            try assertNoLeak(["list", "--json", package.path], f, expect: good ? .success : .either)
            try assertNoLeak(["verify", package.path], f, expect: good ? .success : .failure)
            try assertNoLeak(["verify", "--json", package.path], f, expect: good ? .success : .failure)
            try assertNoLeak(["verify", package.path, "--source", path("no-such-source").path], f, expect: .failure)
            try assertNoLeak(["unpack", package.path, "-o", output()], f, expect: good ? .success : .failure)
            try assertNoLeak(["unpack", "--json", package.path, "-o", output()], f, expect: good ? .success : .failure)
        }
        try assertNoLeak(["info", f.xml.path], f, expect: .success, ivAllowed: true)
        try assertNoLeak(["info", f.wrongKeyXML.path], f, expect: .success, ivAllowed: true)
    }

    func testDecryptNeverPrintsKeysFromAnySource() throws {
        let f = try makeFixture()
        // Key material from a file: the package itself, a Detection.xml, broken variants.
        for (bin, info, expect) in [(f.bin, f.xml, Expect.success), (f.good, f.good, .success), (f.bin, f.wrongKeyXML, .failure),
                                    (f.bin, f.wrongMacKeyXML, .failure), (f.bin, f.wrongMacXML, .failure), (f.corruptBin, f.xml, .failure),
                                    (f.missing, f.xml, .failure), (f.bin, f.missing, .failure), (f.wrongKey, f.wrongKey, .failure),
                                    (f.corrupt, f.corrupt, .failure)] {
            try assertNoLeak(["decrypt", bin.path, "--encryption-info", info.path, "-o", output(".zip")], f, expect: expect)
            try assertNoLeak(["decrypt", bin.path, "--encryption-info", info.path, "-o", output()], f, expect: expect)
            try assertNoLeak(["decrypt", "--json", bin.path, "--encryption-info", info.path, "-o", output()], f, expect: expect)
            try assertNoLeak(["unpack", bin.path, "--encryption-info", info.path, "-o", output()], f, expect: expect)
        }
        // Key material on the command line: errors must not echo it back.
        let p = f.parts
        let key = p["EncryptionKey"], macKey = p["MacKey"], iv = p["InitializationVector"]
        let wrongKey = altered(key), wrongMacKey = altered(macKey)
        for (k, mk, input, expect) in [(key, macKey, f.bin, Expect.success), (wrongKey, macKey, f.bin, .failure),
                                       (key, wrongMacKey, f.bin, .failure), (key, macKey, f.corruptBin, .failure),
                                       (key, macKey, f.missing, .failure)] {
            try assertNoLeak(["decrypt", input.path, "--key", k, "--iv", iv, "--mac-key", mk, "-o", output(".zip")], f, expect: expect)
            try assertNoLeak(["decrypt", input.path, "--key", k, "--iv", iv, "--mac-key", mk, "--mac", p["Mac"], "--digest", p["FileDigest"],
                              "-o", output()], f, expect: expect)
            try assertNoLeak(["decrypt", input.path, "--key", k, "-o", output(".zip")], f, expect: .either)
        }
        // Usage errors with keys given: a truncated key, a missing output, keys without --key.
        let shortKey = Data(Data(base64Encoded: key)!.prefix(31)).base64EncodedString()
        try assertNoLeak(["decrypt", f.bin.path, "--key", shortKey, "-o", output(".zip")], f, expect: .failure)
        try assertNoLeak(["decrypt", f.bin.path, "--key", key, "--iv", iv], f, expect: .failure)
        try assertNoLeak(["decrypt", f.bin.path, "--mac-key", macKey, "-o", output(".zip")], f, expect: .failure)
        try assertNoLeak(["decrypt", f.bin.path, "--key", key, "--encryption-info", f.xml.path, "-o", output(".zip")], f, expect: .failure)
    }

    func testDiffNeverPrintsKeys() throws {
        let f = try makeFixture()
        let p = f.parts
        for (a, expect) in [(f.good, Expect.success), (f.wrongKey, .failure), (f.wrongMacKey, .either), (f.wrongMac, .either),
                            (f.corrupt, .either), (f.missing, .failure)] {
            try assertNoLeak(["diff", a.path, f.good.path], f, expect: expect)
            try assertNoLeak(["diff", "--json", a.path, f.good.path], f, expect: expect)
        }
        for (info, expect) in [(f.xml, Expect.success), (f.wrongKeyXML, .failure), (f.wrongMacKeyXML, .either), (f.missing, .failure)] {
            try assertNoLeak(["diff", f.bin.path, f.good.path, "--encryption-info-a", info.path], f, expect: expect)
            try assertNoLeak(["diff", f.good.path, f.bin.path, "--encryption-info-b", info.path, "--json"], f, expect: expect)
        }
        try assertNoLeak(["diff", f.corruptBin.path, f.good.path, "--encryption-info-a", f.xml.path], f, expect: .either)
        for (k, mk, expect) in [(p["EncryptionKey"], p["MacKey"], Expect.success), (altered(p["EncryptionKey"]), p["MacKey"], .failure),
                                (p["EncryptionKey"], altered(p["MacKey"]), .either)] {
            try assertNoLeak(["diff", f.bin.path, f.good.path, "--key-a", k, "--iv-a", p["InitializationVector"], "--mac-key-a", mk], f, expect: expect)
        }
        // A .bin without keys, and keys given for a side that is not encrypted (a warning is printed).
        try assertNoLeak(["diff", f.bin.path, f.good.path], f, expect: .failure)
        try assertNoLeak(["diff", f.good.path, f.good.path, "--key-a", p["EncryptionKey"]], f, expect: .success)
    }

    /// The switch works: with --show-keys (and in `info --graph`, which exists to hand the keys to Graph)
    /// the keys are printed — so the checks above would see a leak.
    func testShowKeysAndGraphDoPrintTheKeys() throws {
        let f = try makeFixture()
        let key = f.parts["EncryptionKey"], macKey = f.parts["MacKey"]
        for arguments in [["info", "--show-keys", f.good.path], ["info", "--show-keys", "--json", f.good.path],
                          ["info", "--show-keys", f.xml.path], ["info", "--graph", f.good.path], ["info", "--graph", f.xml.path]] {
            let result = try tool(arguments)
            assertExit(result, 0, arguments.joined(separator: " "))
            XCTAssertTrue(result.out.contains(key), "EncryptionKey missing: \(arguments)\n\(result.summary)")
            XCTAssertTrue(result.out.contains(macKey), "MacKey missing: \(arguments)\n\(result.summary)")
            XCTAssertFalse(result.err.contains(key) || result.err.contains(macKey), "keys on stderr: \(arguments)\n\(result.summary)")
        }
        let graph = try tool("info", "--graph", f.good.path)
        XCTAssertTrue(graph.err.contains("keys"), "info --graph should warn that its output holds the keys\n\(graph.summary)")
    }

    // MARK: Decrypted files private until complete

    /// Stops the tool (SIGSTOP) while it writes decrypted files: a file not yet complete must be 0600, the
    /// staging folder must have no group or other bits; once finished, files get 0644 minus the umask.
    func testDecryptedFilesAre0600UntilCompleteInAPrivateStagingFolder() throws {
        let mask = currentUmask()
        let parent = path("out")
        try makeFolder(parent)
        let fileSize = 32 << 20
        let package = try LargePackage.package(fileSize: fileSize)
        let expectedSize: (String) -> Int64 = { name in name.hasSuffix("setup.exe") ? 9 : Int64(fileSize) }

        var sawIncomplete = false
        for attempt in 1...3 where !sawIncomplete {
            for name in listing(parent) { try FileManager.default.removeItem(at: parent.appending(name)) }
            let target = parent.appending("app")
            let process = try RunningProcess(executable: Tool.binary, arguments: ["unpack", package.path, "-o", target.path])
            try waitForData(parent, process)
            guard process.isRunning else { _ = process.wait(); continue }
            process.signal(SIGSTOP)
            for staging in listing(parent) where staging.contains(".partial-") {
                let folder = parent.appending(staging)
                XCTAssertEqual(mode(folder.path) & 0o077, 0, "staging folder \(staging) is \(octal(mode(folder.path)))")
                for (relative, st) in regularFiles(folder) where Int64(st.st_size) < expectedSize(relative) {
                    sawIncomplete = true
                    XCTAssertEqual(st.st_mode & 0o777, 0o600, "\(relative) at \(st.st_size) bytes is \(octal(st.st_mode)) while being written")
                }
            }
            process.signal(SIGCONT)
            let result = process.wait()
            assertExit(result, 0, "unpack after SIGSTOP/SIGCONT (attempt \(attempt))")
            for (relative, st) in regularFiles(target) {
                XCTAssertEqual(st.st_mode & 0o777, 0o644 & ~mask, "\(relative) after completion is \(octal(st.st_mode))")
            }
            // The unpacked folder keeps mkdtemp's 0700 (Extractor renames the staging folder into place):
            // private, but unlike the files it ignores the umask. Checked here only for group/other write.
            XCTAssertEqual(mode(target.path) & 0o022, 0, "unpacked folder is \(octal(mode(target.path)))")
        }
        XCTAssertTrue(sawIncomplete, "never caught a file while it was being written")
    }

    func testDecryptedZipIs0600UntilComplete() throws {
        let mask = currentUmask()
        let parent = path("out")
        try makeFolder(parent)
        let package = try LargePackage.package(fileSize: 32 << 20)
        let plainSize = Int64(try PackageParts(package)["UnencryptedContentSize"])!
        var sawIncomplete = false
        for attempt in 1...3 where !sawIncomplete {
            for name in listing(parent) { try FileManager.default.removeItem(at: parent.appending(name)) }
            let zip = parent.appending("inner.zip")
            let process = try RunningProcess(executable: Tool.binary,
                                             arguments: ["decrypt", package.path, "--encryption-info", package.path, "-o", zip.path])
            try waitForData(parent, process)
            guard process.isRunning else { _ = process.wait(); continue }
            process.signal(SIGSTOP)
            for name in listing(parent) where name.contains(".partial-") {
                let partial = parent.appending(name).path
                if fileSize(partial) < plainSize {
                    sawIncomplete = true
                    XCTAssertEqual(mode(partial) & 0o777, 0o600, "\(name) at \(fileSize(partial)) bytes is \(octal(mode(partial)))")
                }
            }
            process.signal(SIGCONT)
            assertExit(process.wait(), 0, "decrypt after SIGSTOP/SIGCONT (attempt \(attempt))")
            XCTAssertEqual(mode(zip.path) & 0o777, 0o644 & ~mask, "inner.zip after completion is \(octal(mode(zip.path)))")
        }
        XCTAssertTrue(sawIncomplete, "never caught the zip while it was being written")
    }

    // MARK: Helpers

    private func waitForData(_ parent: URL, _ process: RunningProcess) throws {
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && !stagingHoldsData(parent) && Date() < deadline { usleep(1_000) }
    }

    private func currentUmask() -> mode_t {
        let old = umask(0o022)
        umask(old)
        return old
    }

    private func mode(_ path: String) -> mode_t {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode : 0
    }

    private func octal(_ mode: mode_t) -> String { "0" + String(mode & 0o7777, radix: 8) }

    /// Regular files under `folder` with their lstat, by relative path.
    private func regularFiles(_ folder: URL) -> [(String, stat)] {
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        var result: [(String, stat)] = []
        for case let relative as String in walker {
            var st = stat()
            if lstat(folder.path + "/" + relative, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { result.append((relative, st)) }
        }
        return result
    }
}
