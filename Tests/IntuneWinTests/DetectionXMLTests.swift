import Foundation
import XCTest
@testable import IntuneWin

/// Detection.xml: the exact writer against every real package, the tolerant reader, its errors,
/// and the XML parser underneath.
final class DetectionXMLTests: XCTestCase {

    // MARK: Fixtures

    /// Every real package in Tests/Fixtures/intunewin-samples, sorted by name.
    static func samplePackages() throws -> [URL] {
        let folder = URL(fileURLWithPath: TestSupport.samples)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        return names.filter { $0.hasSuffix(".intunewin") }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// Detection.xml from a package, extracted with `unzip -p` (independent of our own zip reader).
    static func detectionXML(of package: URL) throws -> [UInt8] {
        let unzip = "/usr/bin/unzip"
        guard FileManager.default.isExecutableFile(atPath: unzip) else {
            throw IntuneWinError(.badInput, path: unzip, "Info-ZIP unzip is needed (make deps installs it)")
        }
        let result = try execute(unzip, ["-p", package.path, "IntuneWinPackage/Metadata/Detection.xml"])
        guard result.status == 0, !result.stdout.isEmpty else {
            throw NSError(domain: "unzip", code: Int(result.status),
                          userInfo: [NSLocalizedDescriptionKey: "unzip -p failed for \(package.lastPathComponent)"])
        }
        return [UInt8](result.stdout)
    }

    /// §3.3 of FORMAT.md: the MSI sample (tool 1.8.5, redanthrax/intunewinlib Pub/AESetup.intunewin), CRLF.
    static let msiSampleLines = [
        #"<ApplicationInfo xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ToolVersion="1.8.5.0">"#,
        "  <Name>AutoElevate</Name>",
        "  <UnencryptedContentSize>2034549</UnencryptedContentSize>",
        "  <FileName>IntunePackage.intunewin</FileName>",
        "  <SetupFile>AESetup.msi</SetupFile>",
        "  <EncryptionInfo>",
        "    <EncryptionKey>B0YbpR649o8GPKuLHnAallcRX0RuFp0afBNrJ+fRNfI=</EncryptionKey>",
        "    <MacKey>/YfxhJCtbZDwzHvrkn852PQYcjmtDj6ZD9JBUa2xzRM=</MacKey>",
        "    <InitializationVector>C9I8KdDUp/vGCcwDePIfpg==</InitializationVector>",
        "    <Mac>aNFN46GgTwWsft/BEgMKBCAI875laqEomO9KxIR9DIY=</Mac>",
        "    <ProfileIdentifier>ProfileVersion1</ProfileIdentifier>",
        "    <FileDigest>vHvcxTez4wPWAxblq7IYG9J4veUSEahqj6IANJFS1bo=</FileDigest>",
        "    <FileDigestAlgorithm>SHA256</FileDigestAlgorithm>",
        "  </EncryptionInfo>",
        "  <MsiInfo>",
        "    <MsiProductCode>{A39A1B33-CEB9-4875-BA5B-980AD93D91FC}</MsiProductCode>",
        "    <MsiProductVersion>2.6.3</MsiProductVersion>",
        "    <MsiPackageCode>{712AD9AE-A5E8-4F31-9BAC-BA3997370490}</MsiPackageCode>",
        "    <MsiUpgradeCode>{9C48E0AC-1427-4615-8A5B-F2E7F01848F4}</MsiUpgradeCode>",
        "    <MsiExecutionContext>System</MsiExecutionContext>",
        "    <MsiRequiresLogon>false</MsiRequiresLogon>",
        "    <MsiRequiresReboot>false</MsiRequiresReboot>",
        "    <MsiIsMachineInstall>true</MsiIsMachineInstall>",
        "    <MsiIsUserInstall>false</MsiIsUserInstall>",
        "    <MsiIncludesServices>false</MsiIncludesServices>",
        "    <MsiIncludesODBCDataSource>false</MsiIncludesODBCDataSource>",
        "    <MsiContainsSystemRegistryKeys>true</MsiContainsSystemRegistryKeys>",
        "    <MsiContainsSystemFolders>false</MsiContainsSystemFolders>",
        "    <MsiPublisher>CyberFOX LLC</MsiPublisher>",
        "  </MsiInfo>",
        "</ApplicationInfo>",
    ]
    static var msiSample: [UInt8] { Array(msiSampleLines.joined(separator: "\r\n").utf8) }

    /// A valid non-MSI document in Microsoft's layout whose pieces the malformed cases replace.
    static func document(name: String = "<Name>Install.ps1</Name>",
                         size: String = "<UnencryptedContentSize>1462</UnencryptedContentSize>",
                         fileName: String = "<FileName>IntunePackage.intunewin</FileName>",
                         setupFile: String = "<SetupFile>Install.ps1</SetupFile>",
                         encryptionKey: String = "<EncryptionKey>A+zF54QvZr6iLHBnx5sVGvl+NsZZlQ8bJuxpE+wUdSk=</EncryptionKey>",
                         macKey: String = "<MacKey>pL7+tlGdY/1glJv+0NDt4nTzH4anerXc/FHZEy3byBE=</MacKey>",
                         iv: String = "<InitializationVector>TOp8oF8LR1yiDsYXAmPrSA==</InitializationVector>",
                         mac: String = "<Mac>drstz4AllMTxIWm8sFLM4EwlMEjeg3btEuy8ZQ0Tk5U=</Mac>",
                         profile: String = "<ProfileIdentifier>ProfileVersion1</ProfileIdentifier>",
                         digest: String = "<FileDigest>7/PogHAbY05TtadIfVxnSeFT0XitXnaZ0XdRRvW0lSg=</FileDigest>",
                         algorithm: String = "<FileDigestAlgorithm>SHA256</FileDigestAlgorithm>",
                         encryptionInfo: String? = nil, extra: String = "") -> String {
        let info = encryptionInfo ?? "<EncryptionInfo>\(encryptionKey)\(macKey)\(iv)\(mac)\(profile)\(digest)\(algorithm)</EncryptionInfo>"
        return #"<ApplicationInfo xmlns:xsd="http://www.w3.org/2001/XMLSchema" ToolVersion="1.8.6.0">"#
            + "\(name)\(size)\(fileName)\(setupFile)\(info)\(extra)</ApplicationInfo>"
    }

    /// Key texts that must never appear in an error message.
    static let secretTexts = ["A+zF54QvZr6iLHBnx5sVGvl+NsZZlQ8bJuxpE+wUdSk=", "pL7+tlGdY/1glJv+0NDt4nTzH4anerXc/FHZEy3byBE="]

    func assertBadInput(_ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        assertBadInput(Array(text.utf8), expected, file: file, line: line)
    }

    func assertBadInput(_ bytes: [UInt8], _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try DetectionXML.parse(bytes, path: "pkg.intunewin"), file: file, line: line) { error in
            guard let error = error as? IntuneWinError else {
                return XCTFail("not an IntuneWinError: \(error)", file: file, line: line)
            }
            XCTAssertEqual(error.kind, .badInput, file: file, line: line)
            XCTAssertEqual(error.path, "pkg.intunewin", file: file, line: line)
            XCTAssertTrue(error.reason.hasPrefix("Detection.xml: "), error.reason, file: file, line: line)
            XCTAssertTrue(error.reason.contains(expected), "\"\(error.reason)\" lacks \"\(expected)\"", file: file, line: line)
            XCTAssertFalse(error.reason.contains("\n"), "multi-line reason", file: file, line: line)
            for secret in Self.secretTexts {
                XCTAssertFalse(error.description.contains(secret), "key text in error", file: file, line: line)
            }
        }
    }

    /// Byte equality that reports the first differing offset instead of dumping both arrays.
    func assertSameBytes(_ actual: [UInt8], _ expected: [UInt8], _ what: String,
                         file: StaticString = #filePath, line: UInt = #line) {
        guard actual != expected else { return }
        let at = (0..<min(actual.count, expected.count)).first { actual[$0] != expected[$0] } ?? min(actual.count, expected.count)
        XCTFail("\(what): serialized() differs at byte \(at) (\(actual.count) bytes written, \(expected.count) expected)",
                file: file, line: line)
    }

    // MARK: Writer against real packages

    func testEverySampleRoundTripsByteForByte() throws {
        let packages = try Self.samplePackages()
        XCTAssertGreaterThanOrEqual(packages.count, 10, "expected the 10 samples in \(TestSupport.samples)")
        var msiPackages = 0
        for package in packages {
            let original = try Self.detectionXML(of: package)
            let model = try DetectionXML.parse(original, path: package.path)
            assertSameBytes(model.serialized(), original, package.lastPathComponent)
            // Tool ≤ 1.6 (ToolVersion 1.4.0.0, samples 02/03) wrote Name = FileName = `<setup-base>.intunewin`;
            // later tools write `IntunePackage.intunewin`. Both round-trip: the writer just writes what it holds.
            XCTAssertTrue(model.fileName == "IntunePackage.intunewin" || model.fileName == model.name,
                          package.lastPathComponent)
            XCTAssertEqual(model.encryptionInfo.profileIdentifier, "ProfileVersion1")
            XCTAssertEqual(model.encryptionInfo.fileDigestAlgorithm, "SHA256")
            if let msi = model.msiInfo {
                msiPackages += 1
                XCTAssertEqual(msi.count, 14, package.lastPathComponent)
                XCTAssertEqual(msi.first?.name, "MsiProductCode")
                XCTAssertEqual(msi.last, MsiInfoField(name: "MsiPublisher", value: "CyberFOX LLC"))
            }
        }
        XCTAssertEqual(msiPackages, 1, "only sample 09 is an MSI package")
    }

    func testMsiSampleFromFormatDocument() throws {
        let model = try DetectionXML.parse(Self.msiSample, path: "Detection.xml")
        XCTAssertEqual(model.toolVersion, "1.8.5.0")
        XCTAssertEqual(model.name, "AutoElevate")
        XCTAssertEqual(model.unencryptedContentSize, 2_034_549)
        XCTAssertEqual(model.setupFile, "AESetup.msi")
        XCTAssertEqual(model.encryptionInfo.encryptionKey.revealedBase64(), "B0YbpR649o8GPKuLHnAallcRX0RuFp0afBNrJ+fRNfI=")
        XCTAssertEqual(model.encryptionInfo.initializationVector.count, 16)
        XCTAssertEqual(model.msiInfo?.map(\.name).joined(separator: ","),
                       "MsiProductCode,MsiProductVersion,MsiPackageCode,MsiUpgradeCode,MsiExecutionContext,"
                       + "MsiRequiresLogon,MsiRequiresReboot,MsiIsMachineInstall,MsiIsUserInstall,MsiIncludesServices,"
                       + "MsiIncludesODBCDataSource,MsiContainsSystemRegistryKeys,MsiContainsSystemFolders,MsiPublisher")
        assertSameBytes(model.serialized(), Self.msiSample, "FORMAT.md MSI sample")
    }

    func testWriterLayout() throws {
        let model = try DetectionXML.parse(Self.msiSample, path: "Detection.xml")
        var nonMsi = model
        nonMsi.msiInfo = nil
        let bytes = nonMsi.serialized()
        XCTAssertNotEqual(Array(bytes.prefix(3)), [0xEF, 0xBB, 0xBF])
        XCTAssertEqual(bytes.last, UInt8(ascii: ">"))
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertFalse(text.contains("MsiInfo"))
        XCTAssertFalse(text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        XCTAssertTrue(text.hasSuffix("  </EncryptionInfo>\r\n</ApplicationInfo>"))
        nonMsi.msiInfo = []
        XCTAssertTrue(String(decoding: nonMsi.serialized(), as: UTF8.self).hasSuffix("  <MsiInfo />\r\n</ApplicationInfo>"))
    }

    // MARK: Tolerant reader

    func testTolerantVariantGivesTheSameModel() throws {
        let canonical = try DetectionXML.parse(Self.msiSample, path: "Detection.xml")
        // BOM, declaration, LF, comments, reordered elements, extra unknown elements and attributes,
        // whitespace around values, CDATA, a character reference, single-quoted attributes.
        let variant = "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            + "<!-- edited by hand -->\n"
            + "<ApplicationInfo ToolVersion='1.8.5.0' xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" extra=\"1\">\n"
            + "\t<EncryptionInfo>\n"
            + "\t\t<FileDigestAlgorithm>SHA256</FileDigestAlgorithm>\n"
            + "\t\t<Mac>\n  aNFN46GgTwWsft/BEgMKBCAI875laqEomO9KxIR9DIY=\n</Mac>\n"
            + "\t\t<MacKey><![CDATA[/YfxhJCtbZDwzHvrkn852PQYcjmtDj6ZD9JBUa2xzRM=]]></MacKey>\n"
            + "\t\t<EncryptionKey>B0YbpR649o8GPKuLHnAallcRX0RuFp0afBNrJ+fRNfI=</EncryptionKey>\n"
            + "\t\t<InitializationVector>C9I8KdDUp/vGCcwDePIfpg==</InitializationVector>\n"
            + "\t\t<ProfileIdentifier>ProfileVersion1</ProfileIdentifier>\n"
            + "\t\t<FileDigest>vHvcxTez4wPWAxblq7IYG9J4veUSEahqj6IANJFS1bo=</FileDigest>\n"
            + "\t\t<Unknown/>\n"
            + "\t</EncryptionInfo>\n"
            + "\t<Description>ignored</Description>\n"
            + "\t<SetupFile> AESetup.msi </SetupFile>\n"
            + "\t<MsiInfo>\n"
            + Self.msiSampleLines[15...28].map { $0.trimmingCharacters(in: .whitespaces) + "\n" }.joined()
                .replacingOccurrences(of: "CyberFOX LLC", with: "CyberFOX&#x20;LLC")
            + "\t</MsiInfo>\n"
            + "\t<FileName>IntunePackage.intunewin</FileName>\n"
            + "\t<UnencryptedContentSize>\n2034549\n</UnencryptedContentSize>\n"
            + "\t<Name>AutoElevate</Name>\n"
            + "</ApplicationInfo>\n<!-- trailing comment -->\n"
        let parsed = try DetectionXML.parse(Array(variant.utf8), path: "Detection.xml")
        XCTAssertEqual(parsed, canonical)
        assertSameBytes(parsed.serialized(), Self.msiSample, "tolerant variant")

        // CRLF variant of the same edits reads the same too.
        let crlf = variant.replacingOccurrences(of: "\n", with: "\r\n")
        XCTAssertEqual(try DetectionXML.parse(Array(crlf.utf8), path: "Detection.xml"), canonical)
    }

    func testMissingNameAndToolVersionAreTolerated() throws {
        let text = Self.document(name: "").replacingOccurrences(of: #" ToolVersion="1.8.6.0""#, with: "")
        let model = try DetectionXML.parse(Array(text.utf8), path: "x")
        XCTAssertEqual(model.name, "")
        XCTAssertEqual(model.toolVersion, "")
        XCTAssertTrue(String(decoding: model.serialized(), as: UTF8.self).contains("\r\n  <Name />\r\n"))
    }

    // MARK: Errors

    func testMalformedInputsThrowBadInputNamingTheElement() {
        assertBadInput(Self.document(encryptionInfo: ""), "missing <EncryptionInfo>")
        assertBadInput(Self.document(macKey: ""), "missing <MacKey> in <EncryptionInfo>")
        assertBadInput(Self.document(profile: ""), "missing <ProfileIdentifier> in <EncryptionInfo>")
        assertBadInput(Self.document(algorithm: ""), "missing <FileDigestAlgorithm> in <EncryptionInfo>")
        assertBadInput(Self.document(size: ""), "missing <UnencryptedContentSize>")
        assertBadInput(Self.document(fileName: ""), "missing <FileName>")
        assertBadInput(Self.document(setupFile: ""), "missing <SetupFile>")
        assertBadInput(Self.document(macKey: "<MacKey>not*base64!</MacKey>"), "<MacKey> is not valid base64")
        assertBadInput(Self.document(encryptionKey: "<EncryptionKey>A+zF54QvZr6iLHBnx5sVGvl+NsZZlQ8bJuxpE+wUdSk</EncryptionKey>"),
                       "<EncryptionKey> is not valid base64")
        assertBadInput(Self.document(iv: "<InitializationVector>AAAAAAAAAAAAAAAA</InitializationVector>"),
                       "<InitializationVector> is 12 bytes, expected 16")
        assertBadInput(Self.document(encryptionKey: "<EncryptionKey>\(Data(count: 31).base64EncodedString())</EncryptionKey>"),
                       "<EncryptionKey> is 31 bytes, expected 32")
        assertBadInput(Self.document(mac: "<Mac></Mac>"), "<Mac> is 0 bytes, expected 32")
        assertBadInput(Self.document(digest: "<FileDigest>\(Data(count: 48).base64EncodedString())</FileDigest>"),
                       "<FileDigest> is 48 bytes, expected 32")
        assertBadInput(Self.document(size: "<UnencryptedContentSize>12kB</UnencryptedContentSize>"),
                       "<UnencryptedContentSize> is not a number")
        assertBadInput(Self.document(size: "<UnencryptedContentSize>-1</UnencryptedContentSize>"),
                       "<UnencryptedContentSize> is not a number")
        assertBadInput(Self.document(size: "<UnencryptedContentSize>+1</UnencryptedContentSize>"),
                       "<UnencryptedContentSize> is not a number")
        assertBadInput(Self.document(size: "<UnencryptedContentSize>18446744073709551616</UnencryptedContentSize>"),
                       "<UnencryptedContentSize> is too large")
        assertBadInput(Self.document(extra: "<Name>again</Name>"), "<Name> appears 2 times")
        assertBadInput(Self.document(name: "<Name><b>x</b></Name>"), "<Name> in <ApplicationInfo> contains elements")
        assertBadInput(Self.document(extra: "<MsiInfo><MsiProductCode><x/></MsiProductCode></MsiInfo>"),
                       "<MsiProductCode> in <MsiInfo> contains elements")
        assertBadInput("<Foo><Name>x</Name></Foo>", "root element is <Foo>, expected <ApplicationInfo>")
        assertBadInput("<ai:ApplicationInfo xmlns:ai=\"urn:x\"/>", "root element is <ai:ApplicationInfo>")

        // Not well-formed XML.
        assertBadInput(Self.document(name: "<Name>x</Nmae>"), "end tag </Nmae> does not match <Name>")
        assertBadInput(Self.document(name: "<Name>x"), "does not match <Name>")
        assertBadInput(String(Self.document().dropLast("</ApplicationInfo>".count)), "inside <ApplicationInfo>")
        assertBadInput(Self.document(name: "<Name>Tom & Jerry</Name>"), "in <Name>")
        assertBadInput(Self.document(name: "<Name>&nbsp;</Name>"), "invalid entity reference in <Name>")
        assertBadInput(Self.document(name: "<Name>&#0;</Name>"), "invalid entity reference in <Name>")
        assertBadInput(Self.document(name: "<Name>&#x110000;</Name>"), "invalid entity reference in <Name>")
        assertBadInput(Self.document(name: "<Name a=\"1\" a=\"2\">x</Name>"), "duplicate attribute a in <Name>")
        assertBadInput(Self.document(name: "<Name a=1>x</Name>"), "attribute a in <Name> is not quoted")
        assertBadInput(Self.document(name: "<Name <x>x</Name>"), "<Name>")
        assertBadInput(Self.document(extra: "<!-- never closed"), "unclosed comment")
        assertBadInput(Self.document(extra: "<![CDATA[ never closed"), "unclosed CDATA section")
        assertBadInput(Self.document() + "<Second/>", "content after the end of <ApplicationInfo>")
        assertBadInput("<!DOCTYPE x [<!ENTITY a \"b\">]>" + Self.document(), "DOCTYPE")
        assertBadInput("garbage", "text before the root element")
        assertBadInput("", "no root element")
        assertBadInput("\u{FEFF}  \r\n", "no root element")
        assertBadInput("<?xml version=\"1.0\"", "unclosed XML declaration")
        assertBadInput(" <?xml version=\"1.0\"?>" + Self.document(), "XML declaration not at the start")
        assertBadInput(Array(Self.document(name: "<Name>x</Name>").utf8).map { $0 == UInt8(ascii: "x") ? 0xFF : $0 },
                       "not valid UTF-8")
        let deep = String(repeating: "<a>", count: 64) + String(repeating: "</a>", count: 64)
        assertBadInput(Self.document(extra: deep), "nested deeper than 64 levels")
    }

    // MARK: Escaping

    func testEscapingRoundTrips() throws {
        var model = try DetectionXML.parse(Self.msiSample, path: "Detection.xml")
        model.name = #"Tom & Jerry <beta> "quoted" 'single' >>"#
        model.setupFile = #"a&b\set<up>.exe"#
        model.toolVersion = #"1.8.7.0 "x" & <y>"#
        model.msiInfo?[13].value = "A & B <C>"
        let text = String(decoding: model.serialized(), as: UTF8.self)
        XCTAssertTrue(text.contains(#"<Name>Tom &amp; Jerry &lt;beta&gt; "quoted" 'single' &gt;&gt;</Name>"#), text)
        XCTAssertTrue(text.contains(#"<SetupFile>a&amp;b\set&lt;up&gt;.exe</SetupFile>"#), text)
        XCTAssertTrue(text.contains(#"ToolVersion="1.8.7.0 &quot;x&quot; &amp; &lt;y&gt;">"#), text)
        XCTAssertTrue(text.contains("<MsiPublisher>A &amp; B &lt;C&gt;</MsiPublisher>"), text)
        XCTAssertEqual(try DetectionXML.parse(model.serialized(), path: "Detection.xml"), model)

        // Non-ASCII is written as raw UTF-8; control characters as .NET's upper-case character references.
        model.name = "Café 日本 🎉\u{1}\u{1F}"
        let bytes = model.serialized()
        XCTAssertTrue(String(decoding: bytes, as: UTF8.self).contains("<Name>Café 日本 🎉&#x1;&#x1F;</Name>"))
        XCTAssertEqual(try DetectionXML.parse(bytes, path: "Detection.xml").name, model.name)
    }

    // MARK: Robustness

    func testEveryTruncationOfARealDetectionXMLThrows() throws {
        var documents = [Self.msiSample]
        if let first = try Self.samplePackages().first { documents.append(try Self.detectionXML(of: first)) }
        for bytes in documents {
            for length in 0..<bytes.count {
                XCTAssertThrowsError(try DetectionXML.parse(Array(bytes[0..<length]), path: "t"), "length \(length)") { error in
                    XCTAssertEqual((error as? IntuneWinError)?.kind, .badInput)
                }
            }
            XCTAssertNoThrow(try DetectionXML.parse(bytes, path: "t"))
        }
    }

    func testRandomMutationsThrowOnlyBadInput() {
        var rng = SplitMix64(seed: 0x1D7E_C710)
        let original = Self.msiSample
        let alphabet = Array("<>/&;#x=\"' ![]-?CDATA\r\n\u{FEFF}a0".utf8)
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let at = Int(rng.next() % UInt64(bytes.count + 1))
                let byte = rng.next() % 3 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : alphabet[Int(rng.next() % UInt64(alphabet.count))]
                switch rng.next() % 3 {
                case 0 where at < bytes.count: bytes[at] = byte
                case 1 where at < bytes.count: bytes.remove(at: at)
                default: bytes.insert(byte, at: at)
                }
            }
            do {
                _ = try DetectionXML.parse(bytes, path: "m")
            } catch let error as IntuneWinError {
                XCTAssertEqual(error.kind, .badInput)
            } catch {
                XCTFail("unexpected error type: \(error)")
            }
        }
    }

    // MARK: XML tree

    func testXMLTreeStructure() throws {
        let text = "\u{FEFF}<?xml version=\"1.0\"?><?pi data?>\r\n<r:root xmlns:r=\"urn:r\" b='2' a=\"x&amp;&#65;&#x42;&lt;\r\nz\">"
            + "t1<!-- c --><child/>t2<![CDATA[<raw> &amp;\r\n]]><child k=\"v\">in</child>\r\n<?ignored ?></r:root><!-- end -->"
        let root = try XMLTree.parse(Array(text.utf8))
        XCTAssertEqual(root.name, "r:root")
        XCTAssertEqual(root.attributes, [XMLTree.Attribute(name: "xmlns:r", value: "urn:r"),
                                         XMLTree.Attribute(name: "b", value: "2"),
                                         XMLTree.Attribute(name: "a", value: "x&AB< z")])
        XCTAssertEqual(root.text, "t1t2<raw> &amp;\n\n")
        XCTAssertEqual(root.children, [XMLTree.Element(name: "child"),
                                       XMLTree.Element(name: "child", attributes: [.init(name: "k", value: "v")], text: "in")])
        XCTAssertEqual(root.children(named: "child").count, 2)
        XCTAssertEqual(root.attribute("b"), "2")
        XCTAssertEqual(try XMLTree.parse(Array("<a  />".utf8)), XMLTree.Element(name: "a"))
    }

    func testXMLTreeDepthLimit() throws {
        let ok = String(repeating: "<a>", count: XMLTree.maximumDepth) + String(repeating: "</a>", count: XMLTree.maximumDepth)
        XCTAssertNoThrow(try XMLTree.parse(Array(ok.utf8)))
        let selfClosingAtLimit = String(repeating: "<a>", count: XMLTree.maximumDepth - 1) + "<a/>"
            + String(repeating: "</a>", count: XMLTree.maximumDepth - 1)
        XCTAssertNoThrow(try XMLTree.parse(Array(selfClosingAtLimit.utf8)))
        let tooDeep = String(repeating: "<a>", count: 100_000)
        XCTAssertThrowsError(try XMLTree.parse(Array(tooDeep.utf8))) { error in
            XCTAssertTrue("\(error)".contains("nested deeper than 64 levels"), "\(error)")
        }
    }
}

/// A tiny deterministic PRNG so the mutation test is reproducible.
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
