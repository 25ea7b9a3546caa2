import Foundation

/// IME's `<EncryptedMessage>`: the DecryptInfo the service sends with each app download, as a
/// base64 CMS EnvelopedData (`<EncryptedContent>`) plus the SHA-1 thumbprints of the certificates it
/// is encrypted to. Found wherever it is: a file holding just the XML, a log line holding it
/// verbatim, or JSON-escaped (once or twice, `\"` and `\u003c`) inside a logged service response,
/// or XML-escaped (`&lt;`). A file with only the CMS (DER, or its base64) is accepted too.
struct EncryptedMessage: Equatable {
    /// The CMS EnvelopedData, DER.
    var content: [UInt8]
    /// `<RecipientCertThumbprints>` entries as written (upper-case hex SHA-1), possibly empty.
    var thumbprints: [String]

    /// The one message in `bytes`. More than one different message is a usage error: the caller must
    /// say which app download is meant by cutting it out.
    static func find(in bytes: [UInt8], path: String) throws -> EncryptedMessage {
        let data = KeyText.utf8(bytes)
        if data.first == 0x30, let der = derLength(data), der == data.count {
            return EncryptedMessage(content: data, thumbprints: [])
        }
        let text = String(decoding: data, as: UTF8.self)
        var messages: [EncryptedMessage] = []
        for span in spans(in: text) {
            let message = try parse(span, path: path)
            if !messages.contains(message) { messages.append(message) }
        }
        if messages.count > 1 {
            throw IntuneWinError.usage(path, "holds \(messages.count) different <EncryptedMessage> blocks (one per app download): "
                + "save the one for the app you want in a file of its own")
        }
        if let message = messages.first { return message }
        // Only the base64 of the CMS, as copied out of the XML by hand.
        let bare = text.filter { !$0.isWhitespace }
        if bare.count >= 16, let decoded = Data(base64Encoded: bare), decoded.first == 0x30 {
            return EncryptedMessage(content: [UInt8](decoded), thumbprints: [])
        }
        throw IntuneWinError.badInput(path, "no <EncryptedMessage> (IME's DecryptInfo) found: give the XML, or the IME log line holding it")
    }

    /// The total length a DER element starting `bytes` claims, if it can be read.
    private static func derLength(_ bytes: [UInt8]) -> Int? {
        var reader = DERReader(bytes[...])
        return reader.next()?.encoding.count
    }

    // MARK: Locating

    private static let name = "EncryptedMessage"

    /// Every `<EncryptedMessage …>…</EncryptedMessage>` span in `text`, still escaped as found.
    static func spans(in text: String) -> [Substring] {
        var found: [Substring] = []
        var searchFrom = text.startIndex
        while let hit = text.range(of: name, range: searchFrom..<text.endIndex) {
            searchFrom = hit.upperBound
            guard let start = openingStart(in: text, before: hit.lowerBound) else { continue }
            guard let close = text.range(of: "/" + name, range: hit.upperBound..<text.endIndex),
                  let end = closingEnd(in: text, after: close.upperBound) else { break }
            found.append(text[start..<end])
            searchFrom = end
        }
        return found
    }

    /// Where the opening tag's `<` (raw, `\u003c` with any number of backslashes, or `&lt;`) begins,
    /// when `nameStart` is preceded by one; nil for closing tags and mere mentions of the name.
    private static func openingStart(in text: String, before nameStart: String.Index) -> String.Index? {
        let head = text[..<nameStart]
        if head.hasSuffix("<") { return text.index(before: nameStart) }
        if head.hasSuffix("&lt;") { return text.index(nameStart, offsetBy: -4) }
        guard head.suffix(5).lowercased() == "u003c" else { return nil }
        var start = text.index(nameStart, offsetBy: -5)
        guard start > text.startIndex, text[text.index(before: start)] == "\\" else { return nil }
        while start > text.startIndex, text[text.index(before: start)] == "\\" { start = text.index(before: start) }
        return start
    }

    /// Just past the `>` (raw, escaped or `&gt;`) that closes `</EncryptedMessage`.
    private static func closingEnd(in text: String, after index: String.Index) -> String.Index? {
        var i = index
        while i < text.endIndex, text[i] == " " { i = text.index(after: i) }
        let rest = text[i...]
        if rest.hasPrefix(">") { return text.index(after: i) }
        if rest.hasPrefix("&gt;") { return text.index(i, offsetBy: 4) }
        var j = i
        while j < text.endIndex, text[j] == "\\" { j = text.index(after: j) }
        guard j > i, text[j...].prefix(5).lowercased() == "u003e" else { return nil }
        return text.index(j, offsetBy: 5)
    }

    // MARK: Unescaping and reading

    /// Undoes the escaping layers around a span and reads the XML.
    private static func parse(_ span: Substring, path: String) throws -> EncryptedMessage {
        var xml = String(span)
        if xml.hasPrefix("&lt;") { xml = entitiesDecoded(xml) }
        // Base64 and this XML hold no backslash: every one left belongs to a JSON escaping layer.
        var layers = 0
        while xml.contains("\\"), layers < 4 {
            guard let unescaped = jsonUnescaped(xml) else { break }
            xml = unescaped
            layers += 1
        }
        let root: XMLTree.Element
        do {
            root = try XMLTree.parse(Array(xml.utf8))
        } catch {
            throw IntuneWinError.badInput(path, "<EncryptedMessage> is not well-formed XML: \(error)")
        }
        guard let contentElement = root.children.first(where: { localName($0.name) == "EncryptedContent" }) else {
            throw IntuneWinError.badInput(path, "<EncryptedMessage> has no <EncryptedContent>")
        }
        let base64 = contentElement.text.filter { !$0.isWhitespace }
        guard !base64.isEmpty else { throw IntuneWinError.badInput(path, "<EncryptedContent> is empty") }
        guard let der = Data(base64Encoded: base64) else {
            throw IntuneWinError.badInput(path, "<EncryptedContent> is not valid base64 (cut short?)")
        }
        let thumbprints = root.children.filter { localName($0.name) == "RecipientCertThumbprints" }
            .flatMap { $0.children }.map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        return EncryptedMessage(content: [UInt8](der), thumbprints: thumbprints)
    }

    private static func localName(_ name: String) -> Substring {
        name.split(separator: ":", omittingEmptySubsequences: false).last ?? Substring(name)
    }

    /// One level of JSON string escapes undone (`\"`, `\\`, `\/`, `\uXXXX`, `\n`…); nil when malformed.
    static func jsonUnescaped(_ s: String) -> String? {
        var out = String.UnicodeScalarView()
        var scalars = s.unicodeScalars.makeIterator()
        var pendingHigh: UInt32?
        while let c = scalars.next() {
            guard c == "\\" else {
                out.append(c)
                continue
            }
            guard let e = scalars.next() else { return nil }
            switch e {
            case "\"", "\\", "/": out.append(e)
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "u":
                var value: UInt32 = 0
                for _ in 0..<4 {
                    guard let h = scalars.next(), h.isASCII, let digit = UInt32(String(h), radix: 16) else { return nil }
                    value = value << 4 | digit
                }
                if (0xD800..<0xDC00).contains(value) {
                    pendingHigh = value
                    continue
                }
                if (0xDC00..<0xE000).contains(value), let high = pendingHigh {
                    value = 0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00)
                }
                pendingHigh = nil
                guard let scalar = Unicode.Scalar(value) else { return nil }
                out.append(scalar)
            default: return nil
            }
        }
        return String(out)
    }

    /// The predefined XML entities decoded (for a message XML-escaped inside another XML document).
    private static func entitiesDecoded(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
