/// The app ids a redaction keeps, found in the logs by strong contexts only (phrases IME writes an app's id
/// after), independently of the analyzer; the caller may add the analyzer's own ids.
extension IMERedactor {
    /// The app ids (lower case) that `records` name in a strong context.
    public static func appIDs<S: Sequence>(in records: S) -> Set<String> where S.Element == CMTraceRecord {
        var ids: Set<String> = []
        for record in records { collectAppIDs(in: record.message, into: &ids) }
        return ids
    }

    /// The app ids that the IME logs at `paths` (files, read as `ime-log` reads them) name in a strong context.
    public static func appIDs(inFiles paths: [String]) throws -> Set<String> {
        var ids: Set<String> = []
        for path in paths {
            let reader = try CMTraceReader(path: path)
            while let record = try reader.next() { collectAppIDs(in: record.message, into: &ids) }
        }
        return ids
    }

    /// Adds the app ids `message` names in a strong context to `ids`:
    /// `"Id":"…"` in `Get policies = [...]`, `"ApplicationId":"…"`, `"AppId":"…"`, `"ChildId":"…"`,
    /// `App with id: …`, `app (id = …`, `for app …`, `and app: …`, `Detected app …`, `policy with id: …`,
    /// `processing targeted app (name='…', id='…'`, the lists after `Processing subgraph with app ids:`,
    /// `apps with intent to install: [` and `to uninstall before enforcing installs: [`, content paths
    /// `IMECache\<id>_<n>`, `Incoming\<id>_<n>`, `Staging\<id>_<n>`, and GRS keys `<user>\GRS\<hash>\<id>`.
    public static func collectAppIDs(in message: String, into ids: inout Set<String>) {
        var copy = message
        copy.withUTF8 { b in
            guard b.count >= 36 else { return }
            let low = IMERedactionBytes.lowered(b)
            low.withUnsafeBufferPointer { l in collect(b, l, into: &ids) }
        }
    }

    private typealias B = IMERedactionBytes

    private static let suffixes: [StaticString] = [
        "\"applicationid\":\"", "\"appid\":\"", "\"childid\":\"", "app with id: ", "app (id = ", "app (id=", "for app ",
        "and app: ", "detected app ", "policy with id: ",
    ]

    private static let listPhrases: [StaticString] = [
        "with app ids: ", "apps with intent to install: [", "uninstall before enforcing installs: [",
    ]

    private static func collect(_ b: UnsafeBufferPointer<UInt8>, _ l: UnsafeBufferPointer<UInt8>, into ids: inout Set<String>) {
        let policies = B.contains("get policies = ", in: l, from: 0, to: min(l.count, 64))
        let targeted = B.contains("processing targeted app (name='", in: l, from: 0, to: l.count)
        var found: [Int] = []
        IMEEvent.forEachGUID(in: b) { i in found.append(i); return true }
        for i in found where isStrong(l, at: i, policies: policies, targeted: targeted) { ids.insert(IMEEvent.lowercasedGUID(b, i)) }
        for phrase in listPhrases {
            B.forEach(phrase, in: l) { i in
                var k = i + phrase.utf8CodeUnitCount
                while B.isGUID(b, at: k) {
                    ids.insert(IMEEvent.lowercasedGUID(b, k))
                    k += 36
                    while k < b.count, b[k] == UInt8(ascii: ",") || b[k] == UInt8(ascii: " ") { k += 1 }
                }
                return true
            }
        }
    }

    private static func isStrong(_ l: UnsafeBufferPointer<UInt8>, at i: Int, policies: Bool, targeted: Bool) -> Bool {
        for suffix in suffixes where B.endsWith(l, at: i, suffix) { return true }
        if policies, B.endsWith(l, at: i, "\"id\":\"") { return true }
        if targeted, B.endsWith(l, at: i, "', id='") { return true }
        // Before the GUID: one or more backslashes (JSON escapes double them).
        var k = i
        while k > 0, l[k - 1] == UInt8(ascii: "\\") { k -= 1 }
        guard k < i else { return false }
        // <folder>\<id>_<n>: content in IMECache, Incoming or Staging.
        let after = i + 36
        if after + 1 < l.count, l[after] == UInt8(ascii: "_"), B.isDigit(l[after + 1]) {
            if B.endsWith(l, at: k, "imecache") || B.endsWith(l, at: k, "incoming") || B.endsWith(l, at: k, "staging") { return true }
        }
        // <user>\GRS\<hash>\<id>: the hash is base64.
        var h = k
        while h > 0, k - h < 64, B.isAlnum(l[h - 1]) || l[h - 1] == UInt8(ascii: "+") || l[h - 1] == UInt8(ascii: "/") || l[h - 1] == UInt8(ascii: "=") { h -= 1 }
        guard h < k, h > 0, l[h - 1] == UInt8(ascii: "\\") else { return false }
        var g = h
        while g > 0, l[g - 1] == UInt8(ascii: "\\") { g -= 1 }
        return B.endsWith(l, at: g, "\\grs") || B.endsWith(l, at: g, "grs") && g == 3
    }
}
