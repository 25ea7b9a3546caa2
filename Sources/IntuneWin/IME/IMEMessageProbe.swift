import Foundation

/// Where phrases occur in a message (without IME's `----` lead-in): what `IMEEvent`'s decision list asks.
protocol IMEMessageProbe {
    /// The message without its `----` / `---->>` lead-in.
    var m: Substring { get }
    /// False only when no `IMEMarker` occurs (a shortcut; true is always correct).
    var any: Bool { get }
    /// What follows the first occurrence of `marker`; nil when it does not occur.
    func after(_ marker: IMEMarker) -> Substring?
    /// Whether `marker` occurs.
    func contains(_ marker: IMEMarker) -> Bool
    /// Whether `m` starts with `text`.
    func hasPrefix(_ text: String) -> Bool
    /// What follows the first occurrence of `text` (a phrase not in `IMEMarker`: asked only after a match).
    func after(_ text: String) -> Substring?
    /// The first occurrence of `text` in `part` (a slice of `m`).
    func range(of text: String, in part: Substring) -> Range<Substring.Index>?
}

/// The probe over a plain-ASCII message's bytes, with the marker positions from one `IMEMarkerTable` scan.
struct IMEByteProbe: IMEMessageProbe {
    let m: Substring
    let bytes: UnsafeBufferPointer<UInt8>
    let ends: UnsafeMutableBufferPointer<Int>
    let any: Bool

    private func index(_ offset: Int) -> Substring.Index { m.utf8.index(m.startIndex, offsetBy: offset) }

    func after(_ marker: IMEMarker) -> Substring? {
        let end = ends[marker.rawValue]
        return end < 0 ? nil : m[index(end)...]
    }

    func contains(_ marker: IMEMarker) -> Bool { ends[marker.rawValue] >= 0 }

    func hasPrefix(_ text: String) -> Bool { IMEBytes.hasPrefix(bytes, text) }

    func after(_ text: String) -> Substring? {
        IMEBytes.find(text, in: bytes, from: 0, to: bytes.count).map { m[index($0 + text.utf8.count)...] }
    }

    func range(of text: String, in part: Substring) -> Range<Substring.Index>? {
        let from = m.utf8.distance(from: m.startIndex, to: part.startIndex)
        let to = m.utf8.distance(from: m.startIndex, to: part.endIndex)
        return IMEBytes.find(text, in: bytes, from: from, to: to).map { index($0)..<index($0 + text.utf8.count) }
    }
}

/// The probe with Foundation's search (Unicode rules), for messages that are not plain ASCII.
struct IMEFoundationProbe: IMEMessageProbe {
    let whole: String
    var m: Substring { whole[...] }
    var any: Bool { true }
    func after(_ marker: IMEMarker) -> Substring? { after(marker.text) }
    func contains(_ marker: IMEMarker) -> Bool { whole.contains(marker.text) }
    func hasPrefix(_ text: String) -> Bool { whole.hasPrefix(text) }
    func after(_ text: String) -> Substring? { whole.range(of: text).map { whole[$0.upperBound...] } }
    func range(of text: String, in part: Substring) -> Range<Substring.Index>? { part.range(of: text) }
}
