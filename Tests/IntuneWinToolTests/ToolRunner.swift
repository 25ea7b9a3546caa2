import Foundation
@_exported import IntuneWinTestSupport  // the runner and fixture paths, for every file of the suite
import XCTest

// Helpers for the end-to-end suite: find and run the built `intunewin-tool` (processes run through
// IntuneWinTestSupport's `execute`), make scratch folders, read folders back.

extension RunResult {
    func json(file: StaticString = #filePath, line: UInt = #line) throws -> Any {
        do { return try JSONSerialization.jsonObject(with: stdout) } catch {
            XCTFail("stdout is not JSON: \(summary)", file: file, line: line)
            throw error
        }
    }

    func jsonObject(file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        try XCTUnwrap(try json(file: file, line: line) as? [String: Any], "not a JSON object: \(out)", file: file, line: line)
    }
}

enum Tool {
    /// The folder holding the built products (`.build/debug`, or whatever `--scratch-path` chose): the test
    /// bundle is built there, beside the tool. On Linux that is `Bundle.main`'s folder (the .xctest is an
    /// executable); on macOS the .xctest bundle's parent. Never a hard-coded `.build`: with another scratch
    /// path that would silently test someone else's (stale) build.
    static let productsDirectory: URL = {
        var candidates: [URL] = []
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent())
        }
        candidates.append(Bundle.main.bundleURL)
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent())
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("intunewin-tool").path) }
            ?? candidates[0]
    }()

    static var binary: URL { productsDirectory.appendingPathComponent("intunewin-tool") }

    static let repoRoot = RepositoryPaths.root
    static let fixtures = RepositoryPaths.fixtures
    static let samplesDirectory = RepositoryPaths.samples
    static let imeLogs = RepositoryPaths.imeLogs
    static let oracle = RepositoryPaths.oracle

    /// All Microsoft-made sample packages, sorted by name.
    static var samples: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: samplesDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".intunewin") }.sorted().map { samplesDirectory.appendingPathComponent($0) }
    }

    /// The sample whose file name starts with `prefix` ("01", "05", …).
    static func sample(_ prefix: String) -> URL {
        guard let url = samples.first(where: { $0.lastPathComponent.hasPrefix(prefix + "_") }) else {
            // Fails the test that asked, with the reason; the path returned does not exist, so it fails again
            // where it is read, naming the file.
            XCTFail("no sample \(prefix)_* in \(samplesDirectory.path)")
            return samplesDirectory.appendingPathComponent("\(prefix)_missing.intunewin")
        }
        return url
    }
}

/// Runs the built `intunewin-tool`.
@discardableResult
func tool(_ arguments: String..., environment: [String: String] = [:], in directory: URL? = nil) throws -> RunResult {
    try tool(arguments, environment: environment, in: directory)
}

@discardableResult
func tool(_ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil) throws -> RunResult {
    try execute(Tool.binary.path, arguments, environment: environment, in: directory)
}

/// Runs a Python snippet; `arguments` become `sys.argv[1...]`.
@discardableResult
func python(_ script: String, _ arguments: [String] = []) throws -> RunResult {
    try execute("python3", ["-c", script] + arguments)
}

/// Runs the independent Python implementation in Tests/Oracle.
@discardableResult
func oracle(_ arguments: String...) throws -> RunResult {
    try execute("python3", [Tool.oracle.path] + arguments)
}

/// A JSON number as an integer.
func number(_ value: Any?) -> Int? { (value as? NSNumber)?.intValue }

// MARK: - Assertions

func assertExit(_ result: RunResult, _ expected: Int32, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(result.signaled, "killed by a signal: \(message)\n\(result.summary)", file: file, line: line)
    XCTAssertEqual(result.status, expected, "\(message)\n\(result.summary)", file: file, line: line)
}

/// The error contract: one line on stderr that names `subject` (a file, an option). A usage error may add
/// the fixed hint line "see 'intunewin-tool --help'", which names nothing and repeats nothing.
func assertOneLineError(_ result: RunResult, naming subject: String, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    var lines = result.errLines
    if lines.count == 2, lines[1] == "intunewin-tool: see 'intunewin-tool --help'" { lines.removeLast() }
    XCTAssertEqual(lines.count, 1, "stderr should be one line: \(message)\n\(result.summary)", file: file, line: line)
    XCTAssertTrue(result.err.contains(subject), "stderr should name \(subject): \(message)\n\(result.summary)", file: file, line: line)
}

func assertNoCrash(_ result: RunResult, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(result.signaled, "crashed with signal \(result.status): \(message)\n\(result.summary)", file: file, line: line)
}

// MARK: - Files

extension URL {
    func appending(_ relative: String) -> URL { appendingPathComponent(relative) }
    var exists: Bool { FileManager.default.fileExists(atPath: path) }
    var bytes: Data { (try? Data(contentsOf: self)) ?? Data() }
}

func write(_ data: Data, to url: URL) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try data.write(to: url)
}

func write(_ text: String, to url: URL) throws { try write(Data(text.utf8), to: url) }

func makeFolder(_ url: URL) throws {
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
}

/// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
func pseudoRandomBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> Data {
    var state = seed
    var data = Data(count: count)
    data.withUnsafeMutableBytes { raw in
        let bytes = raw.bindMemory(to: UInt8.self)
        for i in 0..<count {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            bytes[i] = UInt8(truncatingIfNeeded: state)
        }
    }
    return data
}

/// Every file under `root` keyed by its path relative to `root` ("a/b.txt"); folders map to nil.
func tree(_ root: URL) throws -> [String: Data?] {
    var result: [String: Data?] = [:]
    let base = root.standardizedFileURL.resolvingSymlinksInPath().path
    guard let walker = FileManager.default.enumerator(atPath: base) else { return result }
    for case let relative as String in walker {
        let full = base + "/" + relative
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory)
        result[relative] = isDirectory.boolValue ? .some(nil) : .some(try Data(contentsOf: URL(fileURLWithPath: full)))
    }
    return result
}

func files(_ root: URL) throws -> [String: Data] {
    try tree(root).compactMapValues { $0 }
}

func assertSameFiles(_ actual: [String: Data], _ expected: [String: Data], _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.keys.sorted(), expected.keys.sorted(), "file names differ: \(message)", file: file, line: line)
    for (name, bytes) in expected where actual[name] != nil && actual[name] != bytes {
        XCTFail("\(name): \(actual[name]!.count) bytes differ from the expected \(bytes.count): \(message)", file: file, line: line)
    }
}

/// Names directly inside `folder` (empty when it does not exist).
func listing(_ folder: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
}

// MARK: - Packages, read with tools we did not write

/// A package's Detection.xml and content entry, read with Info-ZIP `unzip -p`.
struct PackageParts {
    let detectionXML: String
    let fields: [String: String]

    init(_ package: URL) throws {
        let xml = try execute("unzip", ["-p", package.path, "IntuneWinPackage/Metadata/Detection.xml"])
        guard xml.status == 0 else { throw SetupError("unzip could not read \(package.path): \(xml.summary)") }
        detectionXML = xml.out
        var fields: [String: String] = [:]
        let regex = try NSRegularExpression(pattern: "<([A-Za-z]+)>([^<]*)</\\1>")
        let ns = detectionXML as NSString
        for m in regex.matches(in: detectionXML, range: NSRange(location: 0, length: ns.length)) {
            fields[ns.substring(with: m.range(at: 1))] = ns.substring(with: m.range(at: 2))
        }
        self.fields = fields
    }

    subscript(_ name: String) -> String { fields[name] ?? "" }

    static func content(of package: URL, fileName: String) throws -> Data {
        try execute("unzip", ["-p", package.path, "IntuneWinPackage/Contents/\(fileName)"]).stdout
    }

    func content(of package: URL) throws -> Data { try Self.content(of: package, fileName: self["FileName"]) }
}

/// The plain inner zip of `package`, decrypted by the Python oracle, and its entries as Python's
/// zipfile sees them (names with `\` turned into `/`).
struct OracleInner {
    let zip: URL
    /// Entry names in zip order (folders end in "/").
    let names: [String]
    /// Extracted files by portable name.
    let files: [String: Data]

    init(package: URL, scratch: URL) throws {
        let parts = try PackageParts(package)
        try makeFolder(scratch)
        let blob = scratch.appending("content.bin")
        try parts.content(of: package).write(to: blob)
        zip = scratch.appending("inner.zip")
        let decrypted = try oracle("decrypt", blob.path, "--key", parts["EncryptionKey"], "--iv", parts["InitializationVector"],
                                   "--mac-key", parts["MacKey"], "-o", zip.path)
        guard decrypted.status == 0 else { throw SetupError("oracle decrypt failed for \(package.lastPathComponent): \(decrypted.summary)") }
        let extracted = scratch.appending("extracted")
        let listed = try python("""
            import json, os, sys, zipfile
            names = []
            with zipfile.ZipFile(sys.argv[1]) as z:
                for info in z.infolist():
                    name = info.filename.replace("\\\\", "/")
                    names.append(name)
                    target = os.path.join(sys.argv[2], name)
                    if name.endswith("/"):
                        os.makedirs(target, exist_ok=True)
                        continue
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    with open(target, "wb") as f:
                        f.write(z.read(info))
            print(json.dumps(names))
            """, [zip.path, extracted.path])
        guard listed.status == 0, let names = try? JSONSerialization.jsonObject(with: listed.stdout) as? [String] else {
            throw SetupError("python zipfile could not read the inner zip of \(package.lastPathComponent): \(listed.summary)")
        }
        self.names = names
        files = try Self.extractedFiles(extracted)
    }

    private static func extractedFiles(_ root: URL) throws -> [String: Data] {
        root.exists ? try IntuneWinToolTests.files(root) : [:]
    }
}

/// A zip of `entries` (name, text) in that order, written by Python's zipfile (names kept verbatim, `\\` too).
func pythonZip(_ entries: [(String, String)], stored: Bool = false, scratch: URL) throws -> Data {
    let zip = scratch.appending("python-\(UUID().uuidString).zip")
    defer { try? FileManager.default.removeItem(at: zip) }
    let result = try python("""
        import sys, zipfile
        method = zipfile.ZIP_STORED if sys.argv[2] == "stored" else zipfile.ZIP_DEFLATED
        with zipfile.ZipFile(sys.argv[1], "w", method) as z:
            for pair in sys.argv[3:]:
                name, text = pair.split("=", 1)
                z.writestr(name, text.encode("utf-8"))
        """, [zip.path, stored ? "stored" : "deflated"] + entries.map { "\($0.0)=\($0.1)" })
    guard result.status == 0 else { throw SetupError("python zip failed: \(result.summary)") }
    return zip.bytes
}

/// A valid package around any inner zip, built without our packer: AES/HMAC from the oracle module,
/// Detection.xml and outer zip by Python. The keys, digest and size match `inner`.
func wrapInnerZip(_ inner: Data, setup: String, into package: URL, scratch: URL) throws {
    let innerFile = scratch.appending("inner-\(UUID().uuidString).zip")
    defer { try? FileManager.default.removeItem(at: innerFile) }
    try inner.write(to: innerFile)
    let result = try python("""
        import base64, hashlib, hmac, os, sys, zipfile
        sys.path.insert(0, os.path.dirname(sys.argv[1]))
        import intunewin_ref as ref
        plain = open(sys.argv[2], "rb").read()
        setup, out = sys.argv[3], sys.argv[4]
        key, mac_key, iv = os.urandom(32), os.urandom(32), os.urandom(16)
        pad = 16 - len(plain) % 16
        ct = ref.aes_cbc(key, iv, plain + bytes([pad]) * pad, True)
        mac = hmac.new(mac_key, iv + ct, hashlib.sha256).digest()
        b64 = lambda b: base64.b64encode(b).decode()
        xml = ("<ApplicationInfo ToolVersion=\\"1.8.6.0\\"><Name>%s</Name><UnencryptedContentSize>%d</UnencryptedContentSize>"
               "<FileName>IntunePackage.intunewin</FileName><SetupFile>%s</SetupFile><EncryptionInfo>"
               "<EncryptionKey>%s</EncryptionKey><MacKey>%s</MacKey><InitializationVector>%s</InitializationVector>"
               "<Mac>%s</Mac><ProfileIdentifier>ProfileVersion1</ProfileIdentifier><FileDigest>%s</FileDigest>"
               "<FileDigestAlgorithm>SHA256</FileDigestAlgorithm></EncryptionInfo></ApplicationInfo>") % (
               setup, len(plain), setup, b64(key), b64(mac_key), b64(iv), b64(mac), b64(hashlib.sha256(plain).digest()))
        with zipfile.ZipFile(out, "w") as z:
            z.writestr(ref.CONTENT + "IntunePackage.intunewin", mac + iv + ct)
            z.writestr(ref.DETECTION, xml.encode("utf-8"))
        """, [Tool.oracle.path, innerFile.path, setup, package.path])
    guard result.status == 0 else { throw SetupError("python wrap failed: \(result.summary)") }
}

struct SetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

let detectionEntry = "IntuneWinPackage/Metadata/Detection.xml"

// MARK: - Base class

/// Gives each test a fresh scratch folder, removed afterwards.
class ToolTestCase: XCTestCase {
    private(set) var scratch: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        guard FileManager.default.isExecutableFile(atPath: Tool.binary.path) else {
            XCTFail("no intunewin-tool at \(Tool.binary.path): build it (swift build) with the same --scratch-path")
            throw SetupError("intunewin-tool not built")
        }
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("iwt-\(UUID().uuidString)")
        try makeFolder(scratch)
    }

    override func tearDownWithError() throws {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
        try super.tearDownWithError()
    }

    /// A path in this test's scratch folder.
    func path(_ relative: String) -> URL { scratch.appending(relative) }

    /// Sample 01 with one bit of its ciphertext flipped (the outer zip's CRC is left as it was, as a
    /// damaged download would have it).
    func flippedSample() throws -> URL {
        let sample = Tool.sample("01")
        var bytes = sample.bytes
        let located = try python("""
            import struct, sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as z:
                info = z.getinfo("IntuneWinPackage/Contents/IntunePackage.intunewin")
            data = open(sys.argv[1], "rb").read()
            name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
            print(info.header_offset + 30 + name_len + extra_len)
            """, [sample.path])
        let contentOffset = try XCTUnwrap(Int(located.out.trimmingCharacters(in: .whitespacesAndNewlines)), located.summary)
        bytes[contentOffset + 48 + 1000] ^= 0x10 // inside the ciphertext: after MAC(32) and IV(16)
        let package = path("flipped.intunewin")
        try bytes.write(to: package)
        return package
    }

    /// A small app folder: `setup.exe` plus a file in a sub-folder.
    @discardableResult
    func makeApp(_ relative: String = "src") throws -> URL {
        let root = path(relative)
        try write("MZ fake installer\n", to: root.appending("setup.exe"))
        try write("config=1\n", to: root.appending("conf/app.ini"))
        return root
    }

    /// A copy of sample 01 with entries replaced (`name: data`) or dropped (`name: nil`), written by Python's zipfile.
    func rewrittenSample(_ changes: [String: Data?], name: String = "rewritten.intunewin") throws -> URL {
        let output = path(name)
        var arguments = [Tool.sample("01").path, output.path]
        for (entry, data) in changes {
            if let data {
                let replacement = path("replacement-\(arguments.count)")
                try data.write(to: replacement)
                arguments.append("\(entry)=\(replacement.path)")
            } else {
                arguments.append("-\(entry)")
            }
        }
        let result = try python("""
            import sys, zipfile
            src, dst, changes = sys.argv[1], sys.argv[2], sys.argv[3:]
            drop = {c[1:] for c in changes if c.startswith("-")}
            replace = dict(c.split("=", 1) for c in changes if not c.startswith("-"))
            with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
                for info in zin.infolist():
                    if info.filename in drop:
                        continue
                    data = open(replace[info.filename], "rb").read() if info.filename in replace else zin.read(info)
                    zout.writestr(info.filename, data)
            """, arguments)
        assertExit(result, 0, "python rewrite")
        return output
    }

    /// Packs `source` with `setup` into `output` and insists it worked.
    @discardableResult
    func pack(_ source: URL, setup: String = "setup.exe", to output: URL, _ extra: [String] = [],
              environment: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        let result = try tool(["pack", "-c", source.path, "-s", setup, "-o", output.path] + extra, environment: environment)
        assertExit(result, 0, "pack \(source.path)", file: file, line: line)
        return result
    }
}
