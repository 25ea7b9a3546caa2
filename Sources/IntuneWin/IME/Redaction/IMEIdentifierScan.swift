/// One pass of `IMERedactor` over a text's bytes: finds every identifier it replaces (see `IMERedactor`
/// for the rules), learns the names it finds in strong contexts, and returns the matches unsorted.
/// Every scanner is linear in the text (names and addresses are bounded in length), so hostile lines of
/// any length cost time in proportion.
struct IMEIdentifierScan {
    let redactor: IMERedactor
    let b: UnsafeBufferPointer<UInt8>
    private var out: [IMERedactionMatch] = []

    private typealias B = IMERedactionBytes

    init(redactor: IMERedactor, bytes: UnsafeBufferPointer<UInt8>) {
        self.redactor = redactor
        b = bytes
    }

    mutating func matches() -> [IMERedactionMatch] {
        guard b.count >= 4 else { return [] }
        let low = B.lowered(b)
        low.withUnsafeBufferPointer { l in
            scanGUIDs(l)
            scanSIDs(l)
            scanEmails()
            scanAzureADAccounts(l)
            scanDomainAccounts(l)
            scanProfilePaths(l)
            scanThumbprints(l)
            scanTokens(l)
            scanLearnedNames(l)
        }
        return out
    }

    private func text(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
    }

    private mutating func add(_ start: Int, _ end: Int, _ kind: IMERedactionKind) {
        out.append(IMERedactionMatch(start: start, end: end, kind: kind, original: text(start, end)))
    }

    // MARK: GUIDs

    private static let nilGUID = "00000000-0000-0000-0000-000000000000"

    private mutating func scanGUIDs(_ l: UnsafeBufferPointer<UInt8>) {
        var found: [Int] = []
        IMEEvent.forEachGUID(in: b) { i in found.append(i); return true }
        for i in found {
            let id = IMEEvent.lowercasedGUID(b, i)
            if redactor.appIDs.contains(id) || id == Self.nilGUID || id.hasPrefix(IMERedactionKind.guidPrefix) || isVendorID(l, at: i) { continue }
            out.append(IMERedactionMatch(start: i, end: i + 36, kind: .guid, original: id))
        }
    }

    /// A GUID the software's vendor assigned (MSI product or upgrade code, an Uninstall key, an updater's
    /// app id): braced after a phrase that says so within the 64 bytes before it, or right after
    /// `product code` / `ProductCode` / `UpgradeCode` (IME retries product codes without braces).
    private func isVendorID(_ l: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        let near = max(0, i - 24)
        if B.contains("productcode", in: l, from: near, to: i) || B.contains("product code", in: l, from: near, to: i)
            || B.contains("upgradecode", in: l, from: near, to: i) { return true }
        guard i > 0, l[i - 1] == UInt8(ascii: "{"), i + 36 < l.count, l[i + 36] == UInt8(ascii: "}") else { return false }
        let from = max(0, i - 1 - 64), to = i - 1
        return B.contains("productcode", in: l, from: from, to: to) || B.contains("product code", in: l, from: from, to: to)
            || B.contains("upgradecode", in: l, from: from, to: to) || B.contains("uninstall", in: l, from: from, to: to)
            || B.contains("package cache", in: l, from: from, to: to) || B.contains("msiexec", in: l, from: from, to: to)
            || B.contains("clientstate", in: l, from: from, to: to)
    }

    // MARK: SIDs

    private mutating func scanSIDs(_ l: UnsafeBufferPointer<UInt8>) {
        var spans: [(Int, Int)] = []
        B.forEach("s-1-", in: l) { i in
            if i > 0, B.isAlnum(l[i - 1]) || l[i - 1] == UInt8(ascii: "-") { return true }
            var groups: [(Int, Int)] = []
            var j = i + 4
            while groups.count < 16 {
                let e = B.runEnd(b, from: j, limit: 10, B.isDigit)
                guard e > j else { break }
                groups.append((j, e))
                if e + 1 < b.count, b[e] == UInt8(ascii: "-"), B.isDigit(b[e + 1]) { j = e + 1 } else { break }
            }
            guard let last = groups.last else { return true }
            let end = last.1
            if end < b.count, B.isAlnum(b[end]) { return true }
            func value(_ g: (Int, Int)) -> String { text(g.0, g.1) }
            let isDomain = groups.count >= 5 && value(groups[0]) == "5" && value(groups[1]) == "21"
            let isEntra = groups.count >= 6 && value(groups[0]) == "12" && value(groups[1]) == "1"
            guard isDomain || isEntra else { return true }
            if value(groups[2]) == "0", value(groups[3]) == "0", value(groups[4]) == "0" { return true }   // a placeholder
            spans.append((i, end))
            return true
        }
        for (s, e) in spans { add(s, e, .sid) }
    }

    // MARK: e-mail addresses

    @inline(__always) private static func isLocalByte(_ c: UInt8) -> Bool {
        B.isAlnum(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "%") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-")
    }

    @inline(__always) private static func isDomainByte(_ c: UInt8) -> Bool {
        B.isAlnum(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "-")
    }

    private mutating func scanEmails() {
        var spans: [(Int, Int)] = []
        B.forEach("@", in: b) { k in
            var s = k
            while s > 0, k - s < 64, Self.isLocalByte(b[s - 1]) { s -= 1 }
            if s > 0, Self.isLocalByte(b[s - 1]) { return true }          // longer than a local part can be
            while s < k, b[s] == UInt8(ascii: ".") { s += 1 }
            guard s < k else { return true }
            var e = B.runEnd(b, from: k + 1, limit: 253, Self.isDomainByte)
            while e > k + 1, b[e - 1] == UInt8(ascii: ".") || b[e - 1] == UInt8(ascii: "-") { e -= 1 }
            guard e > k + 1, B.isAlnum(b[k + 1]) else { return true }
            guard let dot = UnsafeBufferPointer(rebasing: b[(k + 1)..<e]).lastIndex(of: UInt8(ascii: ".")) else { return true }
            let tld = (k + 1 + dot + 1)..<e
            guard tld.count >= 2, tld.allSatisfy({ B.isLetter(b[$0]) }) else { return true }
            if text(k + 1, e).lowercased() == IMERedactionKind.emailDomain { return true }
            spans.append((s, e))
            return true
        }
        for (s, e) in spans { add(s, e, .email) }
    }

    // MARK: account and computer names

    /// Built-in account names and profile folders: the same on every Windows device, kept.
    private static let builtInAccounts: Set<String> = [
        "public", "default", "default user", "all users", "system", "administrator", "guest", "defaultaccount",
        "wdagutilityaccount", "localservice", "networkservice", "local service", "network service", "systemprofile",
    ]

    /// Built-in domains (`DOMAIN\name` where `DOMAIN` is not a computer or a company).
    private static let builtInDomains: Set<String> = [
        "azuread", "nt authority", "builtin", "nt service", "workgroup", "font driver host", "window manager", "iis apppool",
    ]

    private static func isBuiltInAccount(_ lowered: String) -> Bool {
        if builtInAccounts.contains(lowered) { return true }
        // defaultuser0, defaultuser1, …: the accounts Windows setup (OOBE, Autopilot) runs as.
        if lowered.hasPrefix("defaultuser"), lowered.count > 11, lowered.dropFirst(11).allSatisfy(\.isASCII), lowered.dropFirst(11).allSatisfy(\.isNumber) { return true }
        return false
    }

    /// `user12` for accounts, `device3` for computers: a placeholder already.
    private static func isPlaceholder(_ lowered: String, _ kind: IMERedactionKind) -> Bool {
        let prefix = kind == .device ? "device" : "user"
        guard lowered.hasPrefix(prefix), lowered.count > prefix.count else { return false }
        let digits = lowered.dropFirst(prefix.count)
        return digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Records the name at `start..<end` (trailing dots dropped) unless built in or a placeholder, and learns it.
    private mutating func addName(_ start: Int, _ end: Int, _ kind: IMERedactionKind) {
        var end = end
        while end > start, b[end - 1] == UInt8(ascii: ".") { end -= 1 }
        guard end > start else { return }
        let lowered = text(start, end).lowercased()
        if kind == .account, Self.isBuiltInAccount(lowered) { return }
        if kind == .device, Self.builtInDomains.contains(lowered) { return }
        if Self.isPlaceholder(lowered, kind) { return }
        add(start, end, kind)
        redactor.learnName(UnsafeBufferPointer(rebasing: b[start..<end]), kind: kind)
    }

    /// After `from`: 1 to 4 backslashes (1 in logs, more in JSON-escaped text); where they end, or nil.
    private func afterBackslashes(_ from: Int) -> Int? {
        var k = from
        while k < b.count, k - from < 4, b[k] == UInt8(ascii: "\\") { k += 1 }
        return k > from ? k : nil
    }

    /// `AzureAD\Name` and `AzureAD_Name` (the second in file names IME makes from the first).
    private mutating func scanAzureADAccounts(_ l: UnsafeBufferPointer<UInt8>) {
        var spans: [(Int, Int)] = []
        B.forEach("azuread", in: l) { i in
            if i > 0, B.isAlnum(l[i - 1]) { return true }
            let j = i + 7
            guard j < b.count else { return false }
            if let k = afterBackslashes(j) {
                spans.append((k, B.runEnd(b, from: k, limit: 256, B.isNameByte)))
            } else if b[j] == UInt8(ascii: "_") {
                spans.append((j + 1, B.runEnd(b, from: j + 1, limit: 256, B.isTightNameByte)))
            }
            return true
        }
        for (s, e) in spans { addName(s, e, .account) }
    }

    /// Phrases IME writes before a `DOMAIN\name` account.
    private static let accountPhrases: [StaticString] = [
        "after impersonation: ", "for user ", "-proxy ", "with name ", "user name is ", "with value ", "user: ", "account: ",
    ]

    /// `DOMAIN\name` after the phrases IME writes it after: the domain (unless built in) and the name.
    private mutating func scanDomainAccounts(_ l: UnsafeBufferPointer<UInt8>) {
        var spans: [(domain: (Int, Int)?, name: (Int, Int))] = []
        for phrase in Self.accountPhrases {
            B.forEach(phrase, in: l) { i in
                var k = i + phrase.utf8CodeUnitCount
                while k < b.count, b[k] == UInt8(ascii: " ") || b[k] == UInt8(ascii: "\"") || b[k] == UInt8(ascii: "'"), k - i < phrase.utf8CodeUnitCount + 4 { k += 1 }
                let domainEnd = B.runEnd(b, from: k, limit: 64) { B.isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 >= 0x80 }
                guard domainEnd > k, let nameStart = afterBackslashes(domainEnd) else { return true }
                if B.isGUID(b, at: k) { return true }          // a registry-like path under a user id, not an account
                let domain = text(k, domainEnd).lowercased()
                if domain == "azuread" { return true }           // scanAzureADAccounts
                let nameEnd = B.runEnd(b, from: nameStart, limit: 256, B.isNameByte)
                guard nameEnd > nameStart else { return true }
                spans.append((Self.builtInDomains.contains(domain) ? nil : (k, domainEnd), (nameStart, nameEnd)))
                return true
            }
        }
        for s in spans {
            if let d = s.domain { addName(d.0, d.1, .device) }
            addName(s.name.0, s.name.1, .account)
        }
    }

    /// `…\Users\name` and `…/Users/name` (profile folders).
    private mutating func scanProfilePaths(_ l: UnsafeBufferPointer<UInt8>) {
        var spans: [(Int, Int)] = []
        B.forEach("users", in: l) { i in
            guard i > 0, l[i - 1] == UInt8(ascii: "\\") || l[i - 1] == UInt8(ascii: "/") else { return true }
            var k = i + 5
            let sepStart = k
            while k < b.count, k - sepStart < 4, b[k] == UInt8(ascii: "\\") || b[k] == UInt8(ascii: "/") { k += 1 }
            guard k > sepStart else { return true }
            spans.append((k, B.runEnd(b, from: k, limit: 256, B.isNameByte)))
            return true
        }
        for (s, e) in spans { addName(s, e, .account) }
    }

    /// Names learned in strong contexts (here or in earlier texts), found again: after `\`, `/` or `_`
    /// (computer names also before `\` or `_`), and computer names with a digit or `-` anywhere as a word.
    private mutating func scanLearnedNames(_ l: UnsafeBufferPointer<UInt8>) {
        let names = redactor.learnedNames
        guard !names.isEmpty else { return }
        var spans: [(Int, Int, IMERedactionKind)] = []
        for (name, kind) in names where name.count >= 3 {
            let distinctive = kind == .device && name.count >= 4 && name.contains { B.isDigit($0) || $0 == UInt8(ascii: "-") }
            name.withUnsafeBufferPointer { n in
                B.forEach(n, in: l) { i in
                    let end = i + n.count
                    if i > 0, B.isAlnum(b[i - 1]) { return true }
                    if end < b.count, B.isAlnum(b[end]) { return true }
                    let prev = i > 0 ? b[i - 1] : 0
                    let next = end < b.count ? b[end] : 0
                    let afterSeparator = prev == UInt8(ascii: "\\") || prev == UInt8(ascii: "/") || prev == UInt8(ascii: "_")
                    let beforeSeparator = kind == .device && (next == UInt8(ascii: "\\") || next == UInt8(ascii: "_"))
                    if distinctive || afterSeparator || beforeSeparator { spans.append((i, end, kind)) }
                    return true
                }
            }
        }
        for (s, e, kind) in spans { add(s, e, kind) }
    }

    // MARK: thumbprints and tokens

    private mutating func scanThumbprints(_ l: UnsafeBufferPointer<UInt8>) {
        var spans: [Int] = []
        for keyword in ["thumbprint", "mdmdevicecertificate"] as [StaticString] {
            B.forEach(keyword, in: l) { i in
                var k = i + keyword.utf8CodeUnitCount
                let sepStart = k
                while k < b.count, k - sepStart < 6, [UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "\\")].contains(b[k]) { k += 1 }
                guard k > sepStart, k + 40 <= b.count else { return true }
                for j in k..<(k + 40) where !B.isHex(b[j]) { return true }
                if k + 40 < b.count, B.isAlnum(b[k + 40]) { return true }
                if (k..<(k + 28)).allSatisfy({ b[$0] == UInt8(ascii: "0") }) { return true }   // a placeholder
                spans.append(k)
                return true
            }
        }
        for k in spans { add(k, k + 40, .thumbprint) }
    }

    @inline(__always) private static func isTokenByte(_ c: UInt8) -> Bool {
        B.isAlnum(c) || c == UInt8(ascii: "%") || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "~")
            || c == UInt8(ascii: "+") || c == UInt8(ascii: "/") || c == UInt8(ascii: "=") || c == UInt8(ascii: "-")
    }

    private mutating func scanTokens(_ l: UnsafeBufferPointer<UInt8>) {
        var spans: [(Int, Int)] = []
        var consumed = 0
        B.forEach("token=", in: l) { i in
            if i < consumed { return true }                    // inside the previous value (`=` is a token byte)
            if i > 0, B.isAlnum(l[i - 1]) { return true }
            let k = i + 6
            let e = B.runEnd(b, from: k, limit: 8192, Self.isTokenByte)
            consumed = e
            guard e - k >= 16, !B.startsWith(b, at: k, "REDACTED-TOKEN-") else { return true }
            spans.append((k, e))
            return true
        }
        for (s, e) in spans { add(s, e, .token) }
    }
}
