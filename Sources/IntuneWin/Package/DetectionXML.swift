import Foundation

/// The package's `IntuneWinPackage/Metadata/Detection.xml`: what the content is and how it is encrypted.
///
/// `serialized()` writes the bytes Microsoft's IntuneWinAppUtil writes (so our packages are
/// byte-compatible); `parse` reads that format and hand-edited variants of it.
public struct DetectionXML: Sendable, Equatable {
    /// The `ToolVersion` attribute, e.g. `1.8.7.0`.
    public var toolVersion: String
    /// Setup file name (non-MSI) or MSI ProductName.
    public var name: String
    /// Size of the inner zip before encryption.
    public var unencryptedContentSize: UInt64
    /// Name of the encrypted content file in `IntuneWinPackage/Contents/` (`IntunePackage.intunewin`).
    public var fileName: String
    /// Path of the setup file relative to the source folder, `\`-separated.
    public var setupFile: String
    /// Keys, IV, MAC and digest of the encrypted content.
    public var encryptionInfo: EncryptionInfo
    /// The `<MsiInfo>` fields in element order; nil when there is no `<MsiInfo>` (non-MSI setup).
    public var msiInfo: [MsiInfoField]?

    /// The metadata of a package; `serialized()` turns it into the file.
    public init(toolVersion: String, name: String, unencryptedContentSize: UInt64,
                fileName: String = "IntunePackage.intunewin", setupFile: String,
                encryptionInfo: EncryptionInfo, msiInfo: [MsiInfoField]? = nil) {
        self.toolVersion = toolVersion
        self.name = name
        self.unencryptedContentSize = unencryptedContentSize
        self.fileName = fileName
        self.setupFile = setupFile
        self.encryptionInfo = encryptionInfo
        self.msiInfo = msiInfo
    }

    // MARK: Writer

    /// Exact bytes Microsoft's tool writes: UTF-8 without BOM or XML declaration, CRLF line ends,
    /// 2-space indentation, no trailing newline, text escaped the way .NET's XmlSerializer does
    /// (an empty value becomes `<Name />`).
    public func serialized() -> [UInt8] {
        var lines: [String] = []
        lines.append("<ApplicationInfo xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
            + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
            + " ToolVersion=\"\(DotNetXMLEscaping.attribute(toolVersion))\">")
        lines.append(Self.leaf("  ", "Name", name))
        lines.append(Self.leaf("  ", "UnencryptedContentSize", String(unencryptedContentSize)))
        lines.append(Self.leaf("  ", "FileName", fileName))
        lines.append(Self.leaf("  ", "SetupFile", setupFile))
        let e = encryptionInfo
        lines.append("  <EncryptionInfo>")
        lines.append(Self.leaf("    ", "EncryptionKey", e.encryptionKey.revealedBase64()))
        lines.append(Self.leaf("    ", "MacKey", e.macKey.revealedBase64()))
        lines.append(Self.leaf("    ", "InitializationVector", Data(e.initializationVector).base64EncodedString()))
        lines.append(Self.leaf("    ", "Mac", Data(e.mac).base64EncodedString()))
        lines.append(Self.leaf("    ", "ProfileIdentifier", e.profileIdentifier))
        lines.append(Self.leaf("    ", "FileDigest", Data(e.fileDigest).base64EncodedString()))
        lines.append(Self.leaf("    ", "FileDigestAlgorithm", e.fileDigestAlgorithm))
        lines.append("  </EncryptionInfo>")
        if let msiInfo {
            if msiInfo.isEmpty {
                lines.append("  <MsiInfo />")
            } else {
                lines.append("  <MsiInfo>")
                for field in msiInfo { lines.append(Self.leaf("    ", field.name, field.value)) }
                lines.append("  </MsiInfo>")
            }
        }
        lines.append("</ApplicationInfo>")
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    /// `<name>text</name>` as XmlTextWriter writes it; `<name />` when the text is empty.
    private static func leaf(_ indent: String, _ name: String, _ text: String) -> String {
        text.isEmpty ? "\(indent)<\(name) />" : "\(indent)<\(name)>\(DotNetXMLEscaping.text(text))</\(name)>"
    }

    // MARK: Reader

    /// The Detection.xml in `path`: a package's, or a Detection.xml file. (For key material from any
    /// source, JSON included, use `KeyMaterial.read`.)
    public static func read(_ path: String) throws -> DetectionXML {
        if try IntuneWinPackage.isZip(path) { return try IntuneWinPackage(path: path).detection }
        let file = try FileRegion(path: path)
        guard file.size <= IntuneWinPackage.detectionSizeLimit else {
            throw IntuneWinError.badInput(path, "neither a package nor a Detection.xml (\(file.size) bytes)")
        }
        return try parse(try file.readExactly(at: 0, count: Int(file.size)), path: path)
    }

    /// Tolerant reader: accepts a BOM, an XML declaration, LF or CRLF, any element order, comments,
    /// unknown extra elements (ignored) and whitespace around values (trimmed). A missing `<Name>` reads
    /// as "" and a missing `ToolVersion` as "". Everything else Microsoft always writes is required, with
    /// base64 values of the right sizes. Throws `IntuneWinError.badInput` naming `path` and the element.
    public static func parse(_ bytes: [UInt8], path: String) throws -> DetectionXML {
        let reader = DetectionReader(path: path)
        let root: XMLTree.Element
        do {
            root = try XMLTree.parse(bytes)
        } catch {
            throw reader.fail("not well-formed XML: \(error)")
        }
        guard root.name == "ApplicationInfo" else {
            throw reader.fail("root element is <\(reader.shown(root.name))>, expected <ApplicationInfo>")
        }

        let name = try reader.optionalText("Name", in: root) ?? ""
        let sizeText = try reader.text("UnencryptedContentSize", in: root)
        guard !sizeText.isEmpty, sizeText.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw reader.fail("<UnencryptedContentSize> is not a number")
        }
        guard let size = UInt64(sizeText) else { throw reader.fail("<UnencryptedContentSize> is too large") }
        let fileName = try reader.text("FileName", in: root)
        let setupFile = try reader.text("SetupFile", in: root)

        guard let info = try reader.single("EncryptionInfo", in: root) else {
            throw reader.fail("missing <EncryptionInfo>")
        }
        let encryptionInfo = EncryptionInfo(
            encryptionKey: try reader.secret("EncryptionKey", in: info, count: 32),
            macKey: try reader.secret("MacKey", in: info, count: 32),
            initializationVector: try reader.base64("InitializationVector", in: info, count: 16),
            mac: try reader.base64("Mac", in: info, count: 32),
            profileIdentifier: try reader.text("ProfileIdentifier", in: info),
            fileDigest: try reader.base64("FileDigest", in: info, count: 32),
            fileDigestAlgorithm: try reader.text("FileDigestAlgorithm", in: info))

        var msiInfo: [MsiInfoField]?
        if let msi = try reader.single("MsiInfo", in: root) {
            msiInfo = try msi.children.map { field in
                MsiInfoField(name: field.name, value: try reader.leafText(field, in: msi))
            }
        }

        return DetectionXML(toolVersion: DetectionReader.trimmed(root.attribute("ToolVersion") ?? ""),
                            name: name, unencryptedContentSize: size, fileName: fileName, setupFile: setupFile,
                            encryptionInfo: encryptionInfo, msiInfo: msiInfo)
    }
}

/// Field lookups for `DetectionXML.parse`, each failing with a one-line `badInput` that names the
/// element and never its content.
private struct DetectionReader {
    let path: String

    func fail(_ reason: String) -> IntuneWinError { .badInput(path, "Detection.xml: \(reason)") }

    /// The only child called `name`, nil if there is none; two or more is an error (which one is meant?).
    func single(_ name: String, in parent: XMLTree.Element) throws -> XMLTree.Element? {
        let matches = parent.children(named: name)
        guard matches.count <= 1 else { throw fail("<\(name)> appears \(matches.count) times in <\(parent.name)>") }
        return matches.first
    }

    /// The trimmed text of a required child element.
    func text(_ name: String, in parent: XMLTree.Element) throws -> String {
        guard let value = try optionalText(name, in: parent) else {
            throw fail(parent.name == "ApplicationInfo" ? "missing <\(name)>" : "missing <\(name)> in <\(parent.name)>")
        }
        return value
    }

    /// The trimmed text of an optional child element.
    func optionalText(_ name: String, in parent: XMLTree.Element) throws -> String? {
        guard let element = try single(name, in: parent) else { return nil }
        return try leafText(element, in: parent)
    }

    /// The trimmed text of an element that must not contain elements.
    func leafText(_ element: XMLTree.Element, in parent: XMLTree.Element) throws -> String {
        guard element.children.isEmpty else {
            throw fail("<\(shown(element.name))> in <\(parent.name)> contains elements, expected text")
        }
        return Self.trimmed(element.text)
    }

    /// A required base64 child decoded and checked to be `count` bytes.
    func base64(_ name: String, in parent: XMLTree.Element, count: Int) throws -> [UInt8] {
        let text = try text(name, in: parent).filter { !Self.isXMLWhitespace($0) }
        guard let data = Data(base64Encoded: text) else { throw fail("<\(name)> is not valid base64") }
        guard data.count == count else { throw fail("<\(name)> is \(data.count) bytes, expected \(count)") }
        return [UInt8](data)
    }

    /// A required base64 key decoded straight into scrubbed storage (no unscrubbed copy of its bytes) and
    /// checked to be `count` bytes.
    func secret(_ name: String, in parent: XMLTree.Element, count: Int) throws -> SecretBytes {
        let text = try text(name, in: parent).filter { !Self.isXMLWhitespace($0) }
        guard let bytes = SecretBytes(base64: text) else { throw fail("<\(name)> is not valid base64") }
        guard bytes.count == count else { throw fail("<\(name)> is \(bytes.count) bytes, expected \(count)") }
        return bytes
    }

    /// Strips XML whitespace (space, tab, CR, LF) at both ends; other Unicode spaces are content.
    static func trimmed(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isXMLWhitespace(Character($0)) }),
              let last = scalars.lastIndex(where: { !isXMLWhitespace(Character($0)) }) else { return "" }
        return String(scalars[first...last])
    }

    static func isXMLWhitespace(_ c: Character) -> Bool {
        c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\r\n"
    }

    /// An element name as shown in messages, cut when long.
    func shown(_ name: String) -> String {
        name.count <= 64 ? name : String(name.prefix(64)) + "…"
    }
}

/// Escaping as .NET's XmlTextWriter (used by XmlSerializer) does it, so written text matches the tool's
/// byte for byte: `&`, `<`, `>` become entities; control characters other than tab/LF/CR, U+FFFE and
/// U+FFFF become `&#xH;` (upper-case hex); quotes stay as they are in text.
private enum DotNetXMLEscaping {
    static func text(_ s: String) -> String { escape(s, inAttribute: false) }

    /// In a double-quoted attribute value `"` becomes `&quot;` and CR/LF become character references.
    static func attribute(_ s: String) -> String { escape(s, inAttribute: true) }

    private static func escape(_ s: String, inAttribute: Bool) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where inAttribute: out += "&quot;"
            case "\n", "\r": out += inAttribute ? characterReference(scalar) : String(scalar)
            case "\t": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += characterReference(scalar)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    private static func characterReference(_ scalar: Unicode.Scalar) -> String {
        "&#x" + String(scalar.value, radix: 16, uppercase: true) + ";"
    }
}
