// Test machinery, not product: the IntuneWin library a user links holds none of this. Two builds use it:
// SwiftPM debug builds (FuzzRegressionTests, through `@testable import`), and scripts/fuzz.sh, which
// compiles these sources with the library's as one module (INTUNEWIN_FUZZ_ONE_MODULE) for libFuzzer.
// A release build compiles this target empty: `@testable import` needs a library built for testing.
#if DEBUG || INTUNEWIN_FUZZ_ONE_MODULE
import Foundation
#if !INTUNEWIN_FUZZ_ONE_MODULE
@testable import IntuneWin
#endif

/// libFuzzer entry points (`Fuzz/main.swift`, `scripts/fuzz.sh`) and the replay of committed regression
/// inputs (`FuzzRegressionTests`). Each target drives one reader over untrusted bytes as far as it goes:
/// thrown errors are the expected outcome for hostile input; a crash, trap, hang, unbounded allocation
/// or sanitizer report is a bug. Nothing is written outside a private temporary folder, and what a
/// target inflates or decrypts goes to a bounded sink, never to memory or disk whole.
enum FuzzEntryPoints {
    /// How one input ended: the first error a target's main step threw, or `ok`.
    enum Outcome: Equatable, CustomStringConvertible {
        case ok
        case error(IntuneWinError.Kind)
        /// An error that is not an `IntuneWinError` (the type name).
        case other(String)

        var description: String {
            switch self {
            case .ok: return "ok"
            case .error(let kind): return "\(kind)"
            case .other(let type): return "other:\(type)"
            }
        }
    }

    /// The targets by name, as `INTUNEWIN_FUZZ_TARGET` and the regression folders name them.
    static let targets: [String: ([UInt8]) -> Outcome] = [
        "zip": zip,
        "detectionXML": detectionXML,
        "package": package,
        "compoundFile": compoundFile,
        "cmtrace": cmtrace,
        "decryptInfo": decryptInfo,
        "diagnosticsZip": diagnosticsZip,
        "registryExport": registryExport,
        "utf16Log": utf16Log,
    ]

    /// Most bytes one input may inflate or decrypt into a sink (a zip bomb is cut off here, cleanly).
    static let sinkLimit: UInt64 = 64 << 20

    // MARK: - Targets

    /// A zip (outer package or inner content, Zip64 included) read from memory: the directory, the
    /// extraction plan, and every entry inflated and CRC-checked into a bounded sink.
    static func zip(_ data: [UInt8]) -> Outcome {
        var run = Run()
        guard let reader = run.step({ try ZipReader(source: MemorySource(data, path: "fuzz.zip")) }) else { return run.outcome }
        readZip(reader, &run)
        return run.outcome
    }

    /// Detection.xml: the XML tree, the Detection.xml reader, and the key-material reader that also
    /// accepts key JSON. What parses must serialize and read back to the same value.
    static func detectionXML(_ data: [UInt8]) -> Outcome {
        var run = Run()
        if let detection = run.step({ try DetectionXML.parse(data, path: "Detection.xml") }) {
            let again: DetectionXML
            do {
                again = try DetectionXML.parse(detection.serialized(), path: "Detection.xml (written)")
            } catch {
                fatalError("Detection.xml that parses does not read back after serialized(): \(error)")
            }
            precondition(again == detection, "Detection.xml changes when written and read back")
            precondition((try? KeyMaterial(detection)) != nil, "a Detection.xml that parses has keys of the right sizes")
        }
        _ = try? XMLTree.parse(data)
        _ = try? KeyMaterial.parse(data, path: "keys")
        return run.outcome
    }

    /// A whole `.intunewin` read the way `info`, `verify`, `list` and `decrypt` read it (decrypting to sinks).
    /// The first byte picks the mode: even (every real package starts with `P`, 0x50): the input is the
    /// package. Odd: the rest is a plain inner zip, encrypted here with fixed keys into a well-formed
    /// package, so that mutations reach the inner zip reader through the real decrypt path (past the HMAC).
    /// Bits 1 and 2 of an odd first byte vary the package around it (MsiInfo, entry order).
    static func package(_ data: [UInt8]) -> Outcome {
        guard let first = data.first else { return readPackage([]) }
        if first & 1 == 0 { return readPackage(data) }
        return readPackage(sealed(innerZip: Array(data.dropFirst()), withMsiInfo: first & 2 != 0,
                                  detectionFirst: first & 4 != 0))
    }

    /// An OLE compound file / MSI database from memory: the directory tree, every stream (bounded),
    /// every table, the summary information, and the Detection.xml `<MsiInfo>` and resiliency rules.
    static func compoundFile(_ data: [UInt8]) -> Outcome {
        var run = Run()
        guard let file = run.step({ try CompoundFile(source: MemorySource(data, path: "fuzz.msi")) }) else { return run.outcome }
        // Walk the tree (each entry once; the reader already refuses loops) and read each stream.
        var pending = [file.root]
        var visited = 0
        while let storage = pending.popLast(), visited < 10_000 {
            visited += 1
            guard let children = run.step({ try file.children(of: storage) }) else { continue }
            for child in children {
                _ = decodeMSIStreamName(child.name)
                switch child.kind {
                case .storage: pending.append(child)
                case .stream, .root:
                    if let stream = run.step({ try file.open(child) }) {
                        run.step { try drain(stream, limit: 1 << 20) }
                    }
                }
            }
        }
        _ = try? file.open(file.root)
        _ = try? SummaryInformation.read(from: file)
        guard let db = run.step({ try MSIDatabase(file: file) }) else { return run.outcome }
        var names = Set(db.tableNames)
        for name in db.tableNames { _ = db.columns(of: name)?.map { ($0.idtType, $0.isKey, $0.isNullable) } }
        names.insert("Property")
        for name in names.sorted() {
            if let table = run.step({ try db.table(name) }) {
                for row in table?.rows.prefix(1000) ?? [] { _ = row.map { ($0.description, $0.text) } }
            }
        }
        _ = db.otherStreams
        _ = run.step { try db.properties() }
        if let summary = run.step({ try db.summaryInformation() }) {
            _ = (summary.title, summary.subject, summary.author, summary.revisionNumber, summary.template, summary.wordCount)
            _ = summary.properties.values.map(\.description)
        }
        if let info = run.step({ try MsiInfo(database: db, fileName: "fuzz.msi") }) {
            _ = (info.fields, info.differences)
        }
        _ = run.step { try SourceResiliency(database: db, folder: nil) }
        return run.outcome
    }

    /// A CMTrace / IME log from memory: every record, each fed to the timeline analyser (events, phases,
    /// apps), content-info replies and their DecryptInfo read, then the report and its findings.
    static func cmtrace(_ data: [UInt8]) -> Outcome {
        var run = Run()
        let reader = CMTraceReader(bytes: data, source: "fuzz.log")
        let analyzer = IMELogAnalyzer()
        run.step {
            var count = 0
            while let record = try reader.next() {
                count += 1
                guard count <= 1_000_000 else { break }
                _ = (record.time?.description, record.firstLine)  // localSeconds: the analyser reads it
                analyzer.add(record)
                if let info = IMEContentInfo(record) {
                    _ = try? info.decryptInfo()
                }
            }
        }
        let report = analyzer.report()
        for finding in report.findings { _ = (finding.kind.rawValue, finding.summary, finding.evidence.count) }
        for app in report.apps {
            for checkIn in app.checkIns { _ = (checkIn.start, checkIn.phases.map(\.kind.rawValue), checkIn.outcome.text) }
        }
        _ = (reader.fragmentCount, report.recordCount, report.unattributed.count)
        return run.outcome
    }

    /// IME's DecryptInfo (`<EncryptedMessage>` XML, a log holding it, DER or base64 CMS): located,
    /// unescaped, parsed as CMS, then decrypted with the fixed test device key (with and without its
    /// certificate, picked by the input's length) and the key JSON inside read. The bytes also go
    /// through the key JSON / Detection.xml reader directly.
    static func decryptInfo(_ data: [UInt8]) -> Outcome {
        var run = Run()
        _ = try? KeyMaterial.parse(data, path: "keys")
        guard let info = run.step({ try DecryptInfo(bytes: data, path: "fuzz.xml") }) else { return run.outcome }
        _ = (info.recipients.map(\.description), info.contentEncryption, info.neededKey, info.recipientThumbprints)
        let key = deviceKey(withCertificate: data.count & 1 == 0)
        _ = info.isRecipient(key)
        if let material = run.step({ try info.decrypt(with: key) }) { _ = material.isPlain }
        return run.outcome
    }

    /// A zip given to `ime-log` (a diagnostics zip, or any zip): resolved in place (IME log folders,
    /// results.xml, No Results entries, .reg exports into registry facts), then every log found read
    /// through the streaming inflate and the UTF-16 detection into the CMTrace reader (bounded).
    static func diagnosticsZip(_ data: [UInt8]) -> Outcome {
        var run = Run()
        guard let file = run.step({ try TemporaryFiles.shared.write(data, suffix: ".zip") }) else { return run.outcome }
        defer { unlink(file) }
        guard let input = run.step({ try IMELogInput.resolve([file]) }) else { return run.outcome }
        for d in input.diagnostics {
            _ = (d.deviceName, d.collectedAt, d.layout, d.items.map { ($0.collected, $0.failure, $0.files.count) }, d.problems)
            _ = d.evidence.map { ($0.present, $0.failures) }
        }
        let facts = input.registry
        _ = (facts.apps.map { ($0.enforcementState, $0.exitCode, $0.complianceState) }, facts.grs.count, facts.installed.count)
        var budget = 1_000_000
        for source in input.logs.prefix(100) {
            run.step {
                let reader = try source.reader()
                while budget > 0, let record = try reader.next() { budget -= 1; _ = record.message.utf8.count }
            }
        }
        return run.outcome
    }

    /// A `.reg` export (any encoding) read value by value into the registry facts.
    static func registryExport(_ data: [UInt8]) -> Outcome {
        var run = Run()
        var facts = IMERegistryFacts()
        run.step { try facts.add(export: MemoryByteStream(data), name: "fuzz.reg") }
        _ = facts.apps.map { ($0.enforcementState, $0.enforcementErrorCode, $0.exitCode, $0.desiredState, $0.values.count) }
        _ = (facts.grs.count, facts.installed.map(\.displayName))
        return run.outcome
    }

    /// A log through the text-encoding detection and UTF-16 transcoder into the CMTrace reader: the bytes
    /// as given, then behind a UTF-16LE BOM and a UTF-16BE BOM (so every input also takes both transcoding paths).
    static func utf16Log(_ data: [UInt8]) -> Outcome {
        var run = Run()
        for bytes in [data, [0xFF, 0xFE] + data, [0xFE, 0xFF] + data] {
            run.step {
                let reader = try IMELogSource(.memory(bytes), name: "fuzz.log").reader()
                var count = 0
                while let record = try reader.next() {
                    count += 1
                    guard count <= 1_000_000 else { break }
                    precondition(String(validating: Array(record.message.utf8), as: UTF8.self) != nil)
                }
            }
        }
        return run.outcome
    }

    // MARK: - Shared steps

    /// Records the first error of a target's steps.
    struct Run {
        private(set) var outcome = Outcome.ok

        @discardableResult
        mutating func step<T>(_ body: () throws -> T) -> T? {
            do { return try body() } catch {
                if outcome == .ok {
                    if let e = error as? IntuneWinError { outcome = .error(e.kind) } else { outcome = .other(String(describing: type(of: error))) }
                }
                return nil
            }
        }
    }

    /// Plan, then inflate every entry (bounded in total), as unpack and verify do.
    static func readZip(_ reader: ZipReader, _ run: inout Run) {
        run.step { _ = try SafePath.plan(reader) }
        var budget = sinkLimit
        for entry in reader.entries.prefix(10_000) {
            _ = (entry.name, entry.portableName, entry.isDirectory, entry.modified.unixTime(timeZone: utc))
            run.step {
                try reader.extract(entry) { chunk in
                    guard UInt64(chunk.count) <= budget else { throw SinkFull() }
                    budget -= UInt64(chunk.count)
                }
            }
        }
    }

    private static func readPackage(_ bytes: [UInt8]) -> Outcome {
        var run = Run()
        guard let file = run.step({ try TemporaryFiles.shared.write(bytes, suffix: ".intunewin") }) else { return run.outcome }
        defer { unlink(file) }
        guard let package = run.step({ try IntuneWinPackage(path: file) }) else { return run.outcome }
        precondition((try? KeyMaterial(package.detection)) != nil && (try? ContentKeys(package.detection)) != nil,
                     "a package's Detection.xml has keys of the right sizes")
        _ = (package.keys, package.detection.msiInfo)
        if let report = run.step({ try Verifier.verify(package) }) {
            _ = (report.passed, report.failures.count, report.entryCount)
        }
        // Verify ran what decrypt runs before writing (padding, HMAC and digest in one streamed read, the
        // inner zip's directory, plan and every entry's CRC). What is left: the tail-only read of `list`.
        if let inner = run.step({ try package.innerZip() }) {
            for entry in inner.entries.prefix(10_000) {
                _ = (entry.portableName, entry.isDirectory, entry.modified.unixTime(timeZone: utc))
                _ = run.step { try inner.dataOffset(of: entry) }
            }
        }
        return run.outcome
    }

    /// Fixed keys for the sealed-package mode (not secret: any value will do).
    static let sealKeys = try! EncryptionKeys(encryptionKey: SecretBytes((0..<32).map { UInt8($0) }),
                                         macKey: SecretBytes((0..<32).map { UInt8(0x40 + $0) }),
                                         initializationVector: (0..<16).map { UInt8(0xA0 + $0) })

    /// A well-formed package around `innerZip`: encrypted with `sealKeys`, a matching Detection.xml,
    /// both stored in an outer zip as Microsoft's tool lays them out.
    static func sealed(innerZip plain: [UInt8], withMsiInfo: Bool, detectionFirst: Bool) -> [UInt8] {
        let keys = sealKeys
        let aes = AESCBC(key: keys.encryptionKey, iv: keys.initializationVector, direction: .encrypt)
        var ciphertext: [UInt8] = []
        ciphertext.reserveCapacity(plain.count + 16)
        plain.withUnsafeBytes { aes.update($0) { ciphertext.append(contentsOf: $0) } }
        try! aes.finish { ciphertext.append(contentsOf: $0) }
        let hmac = HMACSHA256(key: keys.macKey)
        hmac.update(keys.initializationVector)
        hmac.update(ciphertext)
        let mac = hmac.finalize()
        let content = mac + keys.initializationVector + ciphertext
        let detection = DetectionXML(
            toolVersion: "1.8.6.0", name: "setup.exe", unencryptedContentSize: UInt64(plain.count),
            setupFile: "setup.exe",
            encryptionInfo: EncryptionInfo(encryptionKey: keys.encryptionKey, macKey: keys.macKey,
                                           initializationVector: keys.initializationVector, mac: mac,
                                           fileDigest: SHA256.hash(plain)),
            msiInfo: withMsiInfo ? [MsiInfoField(name: "MsiProductCode", value: "{00000000-0000-0000-0000-000000000000}")] : nil)
        var parts: [(String, [UInt8])] = [(PackagePaths.contentFolder + PackagePaths.contentFileName, content),
                                          (PackagePaths.detectionEntry, detection.serialized())]
        if detectionFirst { parts.reverse() }
        var out: [UInt8] = []
        var entries: [ZipEntry] = []
        for (name, bytes) in parts {
            var crc = CRC32()
            crc.update(bytes)
            let entry = ZipEntry(nameBytes: Array(name.utf8), method: ZipEntry.stored, flags: 0, versionMadeBy: 0x002D,
                                 versionNeeded: 10, modified: DOSDateTime(date: 0x5A21, time: 0x6000), crc32: crc.value,
                                 compressedSize: UInt64(bytes.count), uncompressedSize: UInt64(bytes.count),
                                 localHeaderOffset: UInt64(out.count), externalAttributes: 0)
            out += ZipRecords.localHeader(entry, extra: [])
            out += bytes
            entries.append(entry)
        }
        let centralOffset = out.count
        for entry in entries { out += ZipRecords.centralHeader(entry) }
        out += ZipRecords.endRecords(entryCount: entries.count, centralOffset: UInt64(centralOffset),
                                     centralSize: UInt64(out.count - centralOffset))
        return out
    }

    /// Reads a whole source in chunks (bounded), for streams whose bytes nothing else looks at.
    static func drain(_ source: RandomAccessSource, limit: UInt64) throws {
        try source.stream(from: 0, length: min(source.size, limit)) { _ in }
    }

    static let utc = TimeZone(identifier: "UTC")!

    /// Thrown by a sink that has taken `sinkLimit` bytes.
    struct SinkFull: Error {}

    // MARK: - Device key

    /// The test device key (and its certificate), as in Tests/Fixtures/fuzz/device.key.pem and
    /// device.cert.pem. A throwaway key made for these tests; it protects nothing.
    static let testDeviceKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQC0PI9wQdAoouIO
XnIpRg7VBZrnHCBszKOGatrIyy9BvHUKiUOSilWFhsCm6WfTmwGixdIaE7QvJky7
BoJ0yQaT/q7eUDMre2kL/I2dWl0bNBAqDSU4phYH4gBfKcsUe4VMTDh/wKmaJKTD
jBe2krY5bAx4H4j6WH5CYqRP3HX1r+bEuKMjdxJp26ieA2WjWCorJYVFkiJ3QtlF
DOGSvV3XzXAOkjFU8n713xDM6iX9cjCqVmxbgLFLMorFYPclOLUpR30mEeDe27q4
bK2ALGJbPRjD58O2EEs1vOivh0bEV04ofmZS97zkHBEJPjkwg8Mf0bVBRmtclvZC
w4MBRnc7AgMBAAECggEATgD9xUQ+fi/MbRKUDufaqHgWC9rA78V7KkQZrxg8uhMB
ho9UltnW3ISu4S4X+N1XjmZWIWIQs+07/R96m2ebOLbbYKzOEI4HLyBc+9JthEX6
jvCEgOlklIHLzmPMl+9Dh/te4m90F5mvU1BQvPvu8JgiJ2TiiBJ/hmShn0yXIr6F
zMRd3u+UwtofrTodM0lA6bmwTtD0xLIULzqIcIA9tgI0M697Gfyblqr3GOpVlPKT
UpnB1eBPTDovmgo0vl+K/zZIRBRRowac+msOzIZnodvq3wBm7ePIY1AgLEkH4rIm
5qlC5Vc3RimOKuMHxt4eu/Ljl3F5rRSWyv89QcOByQKBgQDZL/9zVCGJOXLLb1x6
GVttl5GP4sbzeX/gXujjQHKeuKxBaUK6miToz7HCmyFACl5xT9XPK1/g1eECqUWf
XGE6RFr+QojwtIZ3gvc7o72IQ8r50Mrs2jh5Gnv01iTHndLJ74sMT3tHDj/CqM8W
OvGqBzs06Jmc8+TQkOHJnDkKkwKBgQDUchzmuehXZR7jpDalTnoQw4RYA5fIEev+
vYcOznqwaFCtj7glRe/Gbx4YQzfupvnE5MnoXJnWjy6FyJyn5VL+QsG+5nQ2lcy0
MlJvyx6yqj5bRN+1fiCg3//+q/hd22/o9I6XxoREN8Ey9QpM1bhQ/dI0tUl2yYDD
rNYJxLfBuQKBgC/cPeTCQ2mj+UIPVkep0tYBspgMl18MBTwCbju19gw4Ee2QLp5E
XaHYMwn5eYhNQKajuzAeFNDNEPqvJqKJjvtyGMMzEk5I2eD4QVcpLBkdJ1uJwU4U
gKFfTrWTgyNiChNp8DBUS4xK/Y39+TSi5KJdWZS9NSy7Kk8zvi3ZeVB1AoGAIveh
YCyrXG8tdWSbBfxzxPyZdO8qdWjVwjkp2LsNoKma1eZ49dGcFLpHZtDxjNt48vqB
bTiIrbMlgimx90Scs3MDdstxx2ZCqko6HWJ+bAPvfZBJjhLzhec4uI9PswsiUWKn
cb3gGWZf62Y/ysPGsbYFel14eQ/TnOF+3V6+rCkCgYATwXW9yUDgchd+UXltnZkG
DoALOidrZB/rKf/ZWPpRALXyhAU3gQWS318iGoXQed4jiwi9FEuTcA45rtP2a+63
BJ758DbP3dCBtjNUsOarVS67+XnABlXWrii/oCma9zHRH14tjRvY+BRl4qpYYooj
wKIkFNN21+SdidxPnJYKTQ==
-----END PRIVATE KEY-----

"""
    static let testDeviceCertificatePEM = """
-----BEGIN CERTIFICATE-----
MIIDWzCCAkOgAwIBAgIUcIAm/T2yCaqrej8WYNdR60QWbzcwDQYJKoZIhvcNAQEL
BQAwPDE6MDgGA1UEAwwxaW50dW5ld2luIGZ1enogdGVzdCBkZXZpY2UgKHRlc3Qg
a2V5LCBub3Qgc2VjcmV0KTAgFw0yNjExMjYwNzAzMDFaGA8yMTI2MTEwMjA3MDMw
MVowPDE6MDgGA1UEAwwxaW50dW5ld2luIGZ1enogdGVzdCBkZXZpY2UgKHRlc3Qg
a2V5LCBub3Qgc2VjcmV0KTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEB
ALQ8j3BB0Cii4g5ecilGDtUFmuccIGzMo4Zq2sjLL0G8dQqJQ5KKVYWGwKbpZ9Ob
AaLF0hoTtC8mTLsGgnTJBpP+rt5QMyt7aQv8jZ1aXRs0ECoNJTimFgfiAF8pyxR7
hUxMOH/AqZokpMOMF7aStjlsDHgfiPpYfkJipE/cdfWv5sS4oyN3EmnbqJ4DZaNY
KislhUWSIndC2UUM4ZK9XdfNcA6SMVTyfvXfEMzqJf1yMKpWbFuAsUsyisVg9yU4
tSlHfSYR4N7burhsrYAsYls9GMPnw7YQSzW86K+HRsRXTih+ZlL3vOQcEQk+OTCD
wx/RtUFGa1yW9kLDgwFGdzsCAwEAAaNTMFEwHwYDVR0jBBgwFoAUDRWnfYIlLcc0
tI9NtpDfrCzwq7MwDwYDVR0TAQH/BAUwAwEB/zAdBgNVHQ4EFgQUDRWnfYIlLcc0
tI9NtpDfrCzwq7MwDQYJKoZIhvcNAQELBQADggEBAG04RNhWUtjkik2O45NQK1nw
lTuIZcA8UYmbuh8w84km7I//Ht6ajvfqgxDUq5CjqtSNbpcSL6Uvkxg557soip/j
2lEWzQkDT70uF9R0bAv8wreS99ELSzSfFFbouGE/3P0jmyUT9gW4lvbgQO78bdvr
wcusdVsKfreKQZl9hNqnfmm0usz36nmw4QQRrTIACtMFX80VJVT6Zv59UaxspKMV
d3J0OM0U35DaHIqO8Xs32QHUKrTQTpavp+YnHPgIF/qVaI9k0ICIwwfCp/bsbSFe
8FDUHNXy/Z3OqsLc5BNPUWMUw8LX4TIt8klMSk+SfQybtWHXZtya5KRFwAKaQhU=
-----END CERTIFICATE-----
"""

    private static let keys: (withCertificate: Result<DeviceKey, Error>, bare: Result<DeviceKey, Error>) = {
        func load(_ pem: String) -> Result<DeviceKey, Error> {
            Result {
                let path = try TemporaryFiles.shared.write(Array(pem.utf8), suffix: ".pem")
                defer { unlink(path) }
                return try DeviceKey(path: path, password: nil)
            }
        }
        return (load(testDeviceKeyPEM + testDeviceCertificatePEM), load(testDeviceKeyPEM))
    }()

    /// The test device key; a key that does not load is a broken harness, not a finding.
    static func deviceKey(withCertificate: Bool) -> DeviceKey {
        do { return try (withCertificate ? keys.withCertificate : keys.bare).get() } catch {
            fatalError("the fuzz test device key does not load: \(error)")
        }
    }
}

/// Bytes in memory as a `RandomAccessSource`.
final class MemorySource: RandomAccessSource {
    let path: String
    let bytes: [UInt8]
    var size: UInt64 { UInt64(bytes.count) }

    init(_ bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard offset < size else { return 0 }
        let n = Int(min(UInt64(buffer.count), size - offset))
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + Int(offset), byteCount: n) }
        return n
    }
}

/// A private folder for the files the readers insist on opening by path (packages, key files), one
/// file per call (thread-safe), removed at exit.
final class TemporaryFiles: @unchecked Sendable {
    static let shared = TemporaryFiles()

    let folder: String
    private let counter = Locked(0)

    private init() {
        folder = StagingName.makeFolder(in: NSTemporaryDirectory(), prefix: "intunewin-fuzz-") ?? NSTemporaryDirectory()
        TemporaryFiles.created = folder
        atexit { if let folder = TemporaryFiles.created { try? FileManager.default.removeItem(atPath: folder) } }
    }

    nonisolated(unsafe) private static var created: String?

    /// Writes `bytes` to a new file in the folder and returns its path.
    func write(_ bytes: [UInt8], suffix: String) throws -> String {
        let n = counter.withLock { $0 += 1; return $0 }
        let path = folder + "/input-\(n)" + suffix
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw IntuneWinError(.cannotWrite, path: path, "cannot create the fuzz input file")
        }
        return path
    }
}
#endif
