import Foundation

/// A document written in pieces: markup we write (`raw`) and text from the logs (`text`, always escaped),
/// collected in a buffer handed to `sink` every 64 KiB, so a report of thousands of phases never has to be
/// one string.
struct HTMLOutput {
    private var buffer = ""
    private let sink: (String) throws -> Void
    private static let flushSize = 64 << 10

    init(sink: @escaping (String) throws -> Void) {
        self.sink = sink
        buffer.reserveCapacity(Self.flushSize + 4096)
    }

    /// Markup written by this code: never text from the logs.
    mutating func raw(_ markup: String) throws {
        buffer += markup
        if buffer.utf8.count >= Self.flushSize { try flush() }
    }

    /// Text from anywhere, escaped for text and quoted attribute values.
    mutating func text(_ text: String) throws {
        HTMLEscape.append(text, to: &buffer)
        if buffer.utf8.count >= Self.flushSize { try flush() }
    }

    /// `<tag class="cls">text</tag>`: a fixed tag and class around escaped text.
    mutating func element(_ tag: StaticString, _ text: String, class cls: StaticString? = nil) throws {
        try raw("<\(tag)" + (cls.map { " class=\"\($0)\"" } ?? "") + ">")
        try self.text(text)
        try raw("</\(tag)>")
    }

    /// Hands what is buffered to the sink.
    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try sink(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
