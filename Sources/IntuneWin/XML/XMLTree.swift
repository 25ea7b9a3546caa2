import Foundation

/// A small, dependency-free XML reader that turns a document into a tree of elements.
///
/// Detection.xml is tiny and untrusted (it comes out of a package someone else built), so this reader
/// is deliberately simple and strict about structure: it never recurses (nesting is capped at
/// `maximumDepth`), every loop consumes input, and anything malformed throws a `SyntaxError`.
/// It understands what real Detection.xml files and hand-edited variants contain: a UTF-8 BOM, the
/// `<?xml …?>` declaration, comments, processing instructions, CDATA, CRLF or LF line ends, prefixed
/// names (kept verbatim, no namespace resolution), self-closing tags, the five predefined entities and
/// numeric character references. DOCTYPE (and so custom entities) is refused.
enum XMLTree {
    /// One element: its name as written (prefix included), attributes in document order, the character
    /// data directly inside it (text and CDATA concatenated, line ends normalised to LF), and its
    /// child elements in document order.
    struct Element: Equatable, Sendable {
        var name: String
        var attributes: [Attribute]
        var text: String
        var children: [Element]

        init(name: String, attributes: [Attribute] = [], text: String = "", children: [Element] = []) {
            self.name = name
            self.attributes = attributes
            self.text = text
            self.children = children
        }

        /// The value of the first attribute with this exact name.
        func attribute(_ name: String) -> String? {
            attributes.first { $0.name == name }?.value
        }

        /// The child elements with this exact name, in document order.
        func children(named name: String) -> [Element] {
            children.filter { $0.name == name }
        }
    }

    /// One `name="value"` pair; the value has its entities decoded.
    struct Attribute: Equatable, Sendable {
        var name: String
        var value: String
    }

    /// Why a document was refused, and the byte offset where the problem was found.
    /// The reason names elements but never quotes text content (which may be key material).
    struct SyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
        var reason: String
        var offset: Int
        var description: String { "\(reason) (at byte \(offset))" }
    }

    /// Deepest element nesting accepted (the root is level 1).
    static let maximumDepth = 64

    /// Parses a whole document and returns its root element.
    static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> Element {
        var parser = Parser(bytes)
        return try parser.document()
    }
}

// MARK: - Parser

private struct Parser {
    private let b: [UInt8]
    private var i = 0

    init(_ bytes: [UInt8]) { b = bytes }

    // ASCII bytes used below.
    private static let lt = UInt8(ascii: "<"), gt = UInt8(ascii: ">"), amp = UInt8(ascii: "&")
    private static let slash = UInt8(ascii: "/"), eq = UInt8(ascii: "="), semi = UInt8(ascii: ";")
    private static let quot = UInt8(ascii: "\""), apos = UInt8(ascii: "'"), hash = UInt8(ascii: "#")
    private static let cr: UInt8 = 0x0D, lf: UInt8 = 0x0A, tab: UInt8 = 0x09, space: UInt8 = 0x20

    private func error(_ reason: String, at offset: Int? = nil) -> XMLTree.SyntaxError {
        XMLTree.SyntaxError(reason: reason, offset: offset ?? i)
    }

    // MARK: Document

    mutating func document() throws(XMLTree.SyntaxError) -> XMLTree.Element {
        guard String(validating: b, as: UTF8.self) != nil else { throw error("not valid UTF-8", at: 0) }
        if hasPrefix([0xEF, 0xBB, 0xBF]) { i = 3 }
        if hasPrefix("<?xml"), i + 5 >= b.count || isWhitespace(b[i + 5]) || b[i + 5] == UInt8(ascii: "?") {
            try skip(to: "?>", what: "XML declaration")
        }
        try skipMisc()
        guard i < b.count else { throw error("no root element") }
        guard b[i] == Parser.lt, !hasPrefix("</") else { throw error("text before the root element") }
        let root = try rootElement()
        try skipMisc()
        guard i == b.count else { throw error("content after the end of <\(shown(root.name))>") }
        return root
    }

    /// Skips whitespace, comments and processing instructions outside the root element.
    private mutating func skipMisc() throws(XMLTree.SyntaxError) {
        while true {
            while i < b.count, isWhitespace(b[i]) { i += 1 }
            if hasPrefix("<!--") {
                try skipComment()
            } else if hasPrefix("<?") {
                try skipProcessingInstruction()
            } else if hasPrefix("<!") {
                throw error("DOCTYPE and markup declarations are not supported")
            } else {
                return
            }
        }
    }

    // MARK: Elements

    /// Parses the root element and everything inside it, with an explicit stack instead of recursion.
    private mutating func rootElement() throws(XMLTree.SyntaxError) -> XMLTree.Element {
        let (root, rootClosed) = try startTag()
        if rootClosed { return root }
        var stack: [XMLTree.Element] = [root]
        var pendingText: [UInt8] = []

        while true {
            guard i < b.count else {
                throw error("unexpected end of input inside <\(shown(stack[stack.count - 1].name))>")
            }
            if b[i] != Parser.lt {
                let start = i
                while i < b.count, b[i] != Parser.lt { i += 1 }
                try decode(start..<i, into: &pendingText, inAttribute: false, element: stack[stack.count - 1].name)
                continue
            }
            if hasPrefix("<!--") {
                try skipComment()
            } else if hasPrefix("<![CDATA[") {
                let contentStart = i + 9
                try skip(to: "]]>", what: "CDATA section")
                if let nul = b[contentStart..<(i - 3)].firstIndex(of: 0) {
                    throw error("NUL character in <\(shown(stack[stack.count - 1].name))>", at: nul)
                }
                appendNormalizingLineEnds(b[contentStart..<(i - 3)], to: &pendingText)
            } else if hasPrefix("<?") {
                try skipProcessingInstruction()
            } else if hasPrefix("<!") {
                throw error("markup declaration inside <\(shown(stack[stack.count - 1].name))>")
            } else if hasPrefix("</") {
                let tagStart = i
                i += 2
                let name = try readName(context: "end tag")
                while i < b.count, isWhitespace(b[i]) { i += 1 }
                guard i < b.count else { throw error("unexpected end of input in end tag </\(shown(name))>") }
                guard b[i] == Parser.gt else { throw error("malformed end tag </\(shown(name))>") }
                i += 1
                var finished = stack.removeLast()
                guard finished.name == name else {
                    throw error("end tag </\(shown(name))> does not match <\(shown(finished.name))>", at: tagStart)
                }
                finished.text += String(decoding: pendingText, as: UTF8.self)
                pendingText.removeAll(keepingCapacity: true)
                if stack.isEmpty { return finished }
                stack[stack.count - 1].children.append(finished)
            } else {
                let tagStart = i
                let parentName = stack[stack.count - 1].name
                stack[stack.count - 1].text += String(decoding: pendingText, as: UTF8.self)
                pendingText.removeAll(keepingCapacity: true)
                let (child, closed) = try startTag()
                guard stack.count < XMLTree.maximumDepth else {
                    throw error("elements nested deeper than \(XMLTree.maximumDepth) levels inside <\(shown(parentName))>",
                                at: tagStart)
                }
                if closed {
                    stack[stack.count - 1].children.append(child)
                } else {
                    stack.append(child)
                }
            }
        }
    }

    /// Parses `<name attr="v" …>` or `<name …/>` at `i`; returns the element and whether it self-closed.
    private mutating func startTag() throws(XMLTree.SyntaxError) -> (XMLTree.Element, Bool) {
        i += 1  // '<'
        let name = try readName(context: "start tag")
        var element = XMLTree.Element(name: name)
        while true {
            let hadSpace = i < b.count && isWhitespace(b[i])
            while i < b.count, isWhitespace(b[i]) { i += 1 }
            guard i < b.count else { throw error("unexpected end of input in start tag <\(shown(name))>") }
            if b[i] == Parser.gt {
                i += 1
                return (element, false)
            }
            if b[i] == Parser.slash {
                guard i + 1 < b.count else { throw error("unexpected end of input in start tag <\(shown(name))>") }
                guard b[i + 1] == Parser.gt else { throw error("malformed start tag <\(shown(name))>") }
                i += 2
                return (element, true)
            }
            guard hadSpace else { throw error("malformed start tag <\(shown(name))>") }
            let attributeName = try readName(context: "attribute name in <\(shown(name))>")
            while i < b.count, isWhitespace(b[i]) { i += 1 }
            guard i < b.count, b[i] == Parser.eq else {
                throw error("attribute \(shown(attributeName)) in <\(shown(name))> has no value")
            }
            i += 1
            while i < b.count, isWhitespace(b[i]) { i += 1 }
            guard i < b.count, b[i] == Parser.quot || b[i] == Parser.apos else {
                throw error("attribute \(shown(attributeName)) in <\(shown(name))> is not quoted")
            }
            let quote = b[i]
            i += 1
            let valueStart = i
            while i < b.count, b[i] != quote {
                guard b[i] != Parser.lt else {
                    throw error("'<' in the value of attribute \(shown(attributeName)) in <\(shown(name))>")
                }
                i += 1
            }
            guard i < b.count else {
                throw error("unexpected end of input in attribute \(shown(attributeName)) of <\(shown(name))>")
            }
            var value: [UInt8] = []
            try decode(valueStart..<i, into: &value, inAttribute: true, element: name)
            i += 1  // closing quote
            guard element.attribute(attributeName) == nil else {
                throw error("duplicate attribute \(shown(attributeName)) in <\(shown(name))>")
            }
            element.attributes.append(XMLTree.Attribute(name: attributeName, value: String(decoding: value, as: UTF8.self)))
        }
    }

    /// Reads an XML name (ASCII letters, digits, `_ : - .`, and any non-ASCII byte) at `i`.
    private mutating func readName(context: String) throws(XMLTree.SyntaxError) -> String {
        guard i < b.count else { throw error("unexpected end of input in \(context)") }
        guard isNameStart(b[i]) else { throw error("invalid name in \(context)") }
        let start = i
        while i < b.count, isNameStart(b[i]) || isNameContinuation(b[i]) { i += 1 }
        return String(decoding: b[start..<i], as: UTF8.self)
    }

    // MARK: Character data

    /// Decodes entity and character references in `range`, normalising line ends (text) or whitespace
    /// (attribute values) as XML requires, and appends the UTF-8 result.
    private func decode(_ range: Range<Int>, into out: inout [UInt8], inAttribute: Bool,
                        element: String) throws(XMLTree.SyntaxError) {
        var k = range.lowerBound
        while k < range.upperBound {
            let c = b[k]
            if c == Parser.amp {
                var end = k + 1
                while end < range.upperBound, end - k <= 12, b[end] != Parser.semi { end += 1 }
                guard end < range.upperBound, b[end] == Parser.semi else {
                    throw error("'&' without an entity reference in <\(shown(element))>", at: k)
                }
                guard let scalar = entity(b[(k + 1)..<end]) else {
                    throw error("invalid entity reference in <\(shown(element))>", at: k)
                }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
                k = end + 1
            } else if c == Parser.cr {
                out.append(inAttribute ? Parser.space : Parser.lf)
                k += (k + 1 < range.upperBound && b[k + 1] == Parser.lf) ? 2 : 1
            } else if inAttribute, c == Parser.lf || c == Parser.tab {
                out.append(Parser.space)
                k += 1
            } else if c == 0 {
                // No XML version allows NUL, raw or as a reference (and we could not write it back).
                throw error("NUL character in <\(shown(element))>", at: k)
            } else {
                out.append(c)
                k += 1
            }
        }
    }

    /// The character an entity body (between `&` and `;`) stands for, or nil if it is not one.
    private func entity(_ body: ArraySlice<UInt8>) -> Unicode.Scalar? {
        switch Array(body) {
        case Array("amp".utf8): return "&"
        case Array("lt".utf8): return "<"
        case Array("gt".utf8): return ">"
        case Array("quot".utf8): return "\""
        case Array("apos".utf8): return "'"
        default: break
        }
        guard body.first == Parser.hash else { return nil }
        var digits = body.dropFirst()
        var radix: UInt32 = 10
        if digits.first == UInt8(ascii: "x") {
            radix = 16
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.count <= 8 else { return nil }
        var value: UInt32 = 0
        for d in digits {
            let digit: UInt32
            switch d {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(d - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: digit = UInt32(d - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: digit = UInt32(d - UInt8(ascii: "A")) + 10
            default: return nil
            }
            value = value * radix + digit  // at most 8 hex digits: cannot overflow UInt32
        }
        guard value != 0, let scalar = Unicode.Scalar(value) else { return nil }
        return scalar
    }

    private func appendNormalizingLineEnds(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) {
        var k = bytes.startIndex
        while k < bytes.endIndex {
            if bytes[k] == Parser.cr {
                out.append(Parser.lf)
                k += (k + 1 < bytes.endIndex && bytes[k + 1] == Parser.lf) ? 2 : 1
            } else {
                out.append(bytes[k])
                k += 1
            }
        }
    }

    // MARK: Skipping

    private mutating func skipComment() throws(XMLTree.SyntaxError) {
        try skip(to: "-->", what: "comment")
    }

    private mutating func skipProcessingInstruction() throws(XMLTree.SyntaxError) {
        let start = i
        i += 2
        let target = try readName(context: "processing instruction")
        guard target.lowercased() != "xml" else { throw error("XML declaration not at the start", at: start) }
        i = start
        try skip(to: "?>", what: "processing instruction")
    }

    /// Moves `i` just past the next occurrence of `terminator`, or throws naming `what` is unclosed.
    private mutating func skip(to terminator: String, what: String) throws(XMLTree.SyntaxError) {
        let t = Array(terminator.utf8)
        let start = i
        var k = i
        while k + t.count <= b.count {
            if b[k] == t[0], b[k..<(k + t.count)].elementsEqual(t) {
                i = k + t.count
                return
            }
            k += 1
        }
        throw error("unclosed \(what)", at: start)
    }

    // MARK: Byte classes

    private func hasPrefix(_ s: String) -> Bool { hasPrefix(Array(s.utf8)) }

    private func hasPrefix(_ p: [UInt8]) -> Bool {
        i + p.count <= b.count && b[i..<(i + p.count)].elementsEqual(p)
    }

    private func isWhitespace(_ c: UInt8) -> Bool {
        c == Parser.space || c == Parser.tab || c == Parser.lf || c == Parser.cr
    }

    private func isNameStart(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || c == UInt8(ascii: "_") || c == UInt8(ascii: ":") || c >= 0x80
    }

    private func isNameContinuation(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
    }

    /// A name as shown in messages: long names are cut so one line stays one line.
    private func shown(_ name: String) -> String {
        name.count <= 64 ? name : String(name.prefix(64)) + "…"
    }
}
