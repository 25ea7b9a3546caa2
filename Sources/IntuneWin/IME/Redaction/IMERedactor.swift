import Foundation

/// Replaces user, tenant and device identifiers in IME log text with stable placeholders, so logs and
/// what `ime-log` prints about them can be shared. App ids stay: an admin needs them to find the app.
///
/// One redactor is one mapping: the same original always gets the same placeholder, numbered in the
/// order originals are first seen (`redact` and `learn` both number). Give every output of one run
/// (the report, JSON, HTML, the redacted copies of the logs) to the same redactor, so `user1` is the same
/// person everywhere. What is replaced, and what is not, is listed on `IMERedactionKind` and in
/// docs (`Tests/Fixtures/ime-logs/README.md`, "Redaction"):
///
/// * every GUID except app ids, the nil GUID, placeholders, and MSI product codes and other vendor
///   software ids written in braces after `ProductCode`, `Uninstall\`, `Package Cache\`, `msiexec` or
///   `ClientState\` (they name the software, the same on every device);
/// * SIDs `S-1-5-21-…` and `S-1-12-1-…` (built-in SIDs such as `S-1-5-18` stay);
/// * e-mail addresses and UPNs;
/// * account names after `AzureAD\` or `AzureAD_`, in `DOMAIN\name` after the phrases IME writes around
///   them (`After impersonation:`, `for user`, `-proxy "`, …) and in profile paths (`C:\Users\name`),
///   except built-in ones (`defaultuser0`, `Public`, `Default`, `SYSTEM`, …);
/// * the `DOMAIN` of such `DOMAIN\name` (a computer name for local accounts) unless built in;
/// * names learned so (an account or computer name seen once in a strong context) wherever they occur
///   again next to a separator (`\`, `_`, `/`), and computer names that hold a digit or `-` anywhere as
///   a whole word (`LFP-PF5QLRNK_defaultuser0`);
/// * the MDM device certificate thumbprint (40 hex digits after `MdmDeviceCertificate` or `thumbprint`);
/// * URL `token=` values (the WNS channel URI).
///
/// Not replaced: Microsoft's hostnames (`agents.<scale unit>.manage.microsoft.com`, CDN and telemetry
/// hosts: shared by many tenants), base64 blobs (script bodies the admin wrote, subgraph hashes, CMS
/// envelopes: decoded, those in real logs hold product codes, no user or tenant ids), dash-less 32-digit
/// run ids, and public CA thumbprints in `[TamperProtection]` lines. Anything an admin wrote into app
/// names, command lines or scripts stays as written.
///
/// Not `Sendable`: it holds a mutable mapping; use one per run on one thread at a time.
public final class IMERedactor {
    /// The app ids that stay, lower case.
    public let appIDs: Set<String>

    /// original key (`kind:lowercased original`) → placeholder.
    private var mapping: [String: String] = [:]
    private var counters: [String: Int] = [:]
    /// Account and computer names learned from strong contexts (lower case), searched for everywhere after.
    var learnedNames: [(bytes: [UInt8], kind: IMERedactionKind)] = []
    private var learnedKeys: Set<String> = []

    /// Learned names searched for in every text are capped (each costs a pass over the text).
    static let maxLearnedNames = 256

    /// A redactor that keeps `appIDs` (compared case-insensitively).
    public init(appIDs: Set<String>) {
        self.appIDs = Set(appIDs.map { $0.lowercased() })
    }

    /// `text` with every identifier replaced by its placeholder (the same text when there is none).
    public func redact(_ text: String) -> String {
        var copy = text
        let out = copy.withUTF8 { redact(bytes: $0) }
        return out.map { String(decoding: $0, as: UTF8.self) } ?? text
    }

    /// Numbers the identifiers in `text` and learns its names without producing text: a first pass over
    /// logs, so a name first seen in a strong context later in the logs is also replaced where it occurs
    /// earlier, and numbers follow the logs' order rather than the order outputs are printed in.
    public func learn(_ text: String) {
        var copy = text
        copy.withUTF8 { learn(bytes: $0) }
    }

    /// How many distinct originals of each kind were replaced (or learned) so far.
    public var counts: [IMERedactionKind: Int] {
        var result: [IMERedactionKind: Int] = [:]
        for key in mapping.keys {
            if let kind = key.split(separator: ":", maxSplits: 1).first.flatMap({ IMERedactionKind(rawValue: String($0)) }) {
                result[kind, default: 0] += 1
            }
        }
        return result
    }

    /// The placeholder `original` has (or gets now).
    public func placeholder(for original: String, kind: IMERedactionKind) -> String {
        let key = kind.rawValue + ":" + original.lowercased()
        if let known = mapping[key] { return known }
        let n = (counters[kind.counter] ?? 0) + 1
        counters[kind.counter] = n
        let value = kind.placeholder(n, original: original)
        mapping[key] = value
        return value
    }

    // MARK: bytes

    /// The redacted bytes of `b`, or nil when nothing in it is replaced.
    func redact(bytes b: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let matches = resolvedMatches(b)
        guard !matches.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(b.count + 32 * matches.count)
        var cursor = 0
        for m in matches {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[cursor..<m.start]))
            out.append(contentsOf: placeholder(for: m.original, kind: m.kind).utf8)
            cursor = m.end
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: b[cursor...]))
        return out
    }

    /// `learn` on bytes.
    func learn(bytes b: UnsafeBufferPointer<UInt8>) {
        for m in resolvedMatches(b) { _ = placeholder(for: m.original, kind: m.kind) }
    }

    /// Every match in `b`, in order, without overlaps (the earlier wins; at the same start the longer).
    private func resolvedMatches(_ b: UnsafeBufferPointer<UInt8>) -> [IMERedactionMatch] {
        var scan = IMEIdentifierScan(redactor: self, bytes: b)
        var matches = scan.matches()
        guard !matches.isEmpty else { return [] }
        matches.sort { (x: IMERedactionMatch, y: IMERedactionMatch) -> Bool in
            if x.start != y.start { return x.start < y.start }
            return x.end > y.end
        }
        var kept: [IMERedactionMatch] = []
        kept.reserveCapacity(matches.count)
        var end = 0
        for m in matches where m.start >= end {
            kept.append(m)
            end = m.end
        }
        return kept
    }

    /// Remembers a name seen in a strong context, to find it again elsewhere.
    func learnName(_ name: UnsafeBufferPointer<UInt8>, kind: IMERedactionKind) {
        guard learnedNames.count < Self.maxLearnedNames, !name.isEmpty else { return }
        let lowered = name.map(IMERedactionBytes.lower)
        let key = kind.rawValue + ":" + String(decoding: lowered, as: UTF8.self)
        guard learnedKeys.insert(key).inserted else { return }
        learnedNames.append((lowered, kind))
    }
}

/// One identifier found in a text: where it is, what it is, and the original text.
struct IMERedactionMatch {
    var start: Int
    var end: Int
    var kind: IMERedactionKind
    var original: String
}
