import Foundation

/// One item a diagnostics collection asked for (a `results.xml` element, or a numbered entry group):
/// what it was, whether Windows collected it, and the files it produced.
public struct DiagnosticsItem: Sendable, Equatable {
    /// The item's number: its position in `results.xml` (1-based), which the `(N)` entry names and
    /// the pre-2022 `N/` folders carry.
    public var number: Int
    /// `RegistryKey`, `Command`, `Events` or `FoldersFiles` (or what the entry name says).
    public var kind: String
    /// What was asked for (`HKLM\SOFTWARE\Microsoft\IntuneManagementExtension`, a command line, an
    /// event log, a folder pattern); from the entry name when there is no `results.xml`.
    public var target: String
    /// The item's HRESULT in `results.xml` (0 = collected), nil when not listed.
    public var hresult: UInt32?
    /// The error of a `(N) No Results - Error [0x…]` entry, when there is one.
    public var noResultsError: UInt32?
    /// The files it produced, as named in the collection.
    public var files: [String]

    /// Collected: no failing HRESULT, no `No Results` entry, and at least one file.
    public var collected: Bool { (hresult ?? 0) == 0 && noResultsError == nil && !files.isEmpty }
    /// The HRESULT that says why it is missing, when one does.
    public var failure: UInt32? { noResultsError ?? (hresult.flatMap { $0 == 0 ? nil : $0 }) }
}

/// The kinds of evidence an admin wants from a collection for Win32 app problems.
public enum DiagnosticsEvidenceKind: String, Sendable, CaseIterable {
    /// `%ProgramData%\Microsoft\IntuneManagementExtension\Logs`.
    case imeLogs
    /// `HKLM\SOFTWARE\Microsoft\IntuneManagementExtension` exported.
    case imeRegistry
    /// The Uninstall keys (native and WOW6432Node) exported.
    case uninstallRegistry
    /// `mdmdiagnosticstool` output (`MDMDiagnostics\mdmlogs-….cab`).
    case mdmDiagnostics
    /// Windows event logs (`.evtx`).
    case eventLogs
}

/// Whether one kind of evidence is in the collection.
public struct DiagnosticsEvidence: Sendable, Equatable {
    public var kind: DiagnosticsEvidenceKind
    /// At least one item of this kind was collected (or, without `results.xml`, its files are there).
    public var present: Bool
    /// The items of this kind (several for event logs).
    public var items: [DiagnosticsItem]
    /// The HRESULTs of the items that failed.
    public var failures: [UInt32] { items.compactMap(\.failure) }
}

/// What a diagnostics collection (a `DiagLogs-<device>-<time>.zip`, or the folder it was extracted to)
/// holds: the device and time from the zip's name, the items asked for and their results, which
/// evidence is present or missing, the IME log folders found, and the registry facts of its exports.
public struct DiagnosticsCollection: Sendable, Equatable {
    /// The entry layout.
    public enum Layout: String, Sendable {
        /// Since 2022: `(N) <kind> <what>` entries at the top.
        case flattened
        /// Before 2022: numbered folders `1/`, `2/`, … holding `export.reg`, `output.log`, `Events.evtx`.
        case numberedFolders
        /// Neither (a zip or folder that merely holds IME logs).
        case other
    }

    /// The zip or folder as given.
    public var path: String
    /// The device name from `DiagLogs-<device>-<yyyyMMddTHHmmssZ>.zip`.
    public var deviceName: String?
    /// The collection time (UTC) from the zip's name.
    public var collectedAt: Date?
    public var layout: Layout
    /// `results.xml` was there (and read).
    public var hasResults: Bool
    /// The `<Collection HRESULT="…">` of `results.xml`.
    public var collectionHRESULT: UInt32?
    /// Every item, in number order.
    public var items: [DiagnosticsItem]
    /// One entry per `DiagnosticsEvidenceKind`, in that order.
    public var evidence: [DiagnosticsEvidence]
    /// The folders (inside the collection) the IME logs were read from.
    public var logFolders: [String]
    /// What the IME and Uninstall registry exports say.
    public var registry: IMERegistryFacts
    /// Files that could not be read (a damaged `results.xml` or `.reg`): one line each; the rest was read.
    public var problems: [String]

    /// The evidence of one kind.
    public func evidence(_ kind: DiagnosticsEvidenceKind) -> DiagnosticsEvidence? { evidence.first { $0.kind == kind } }

    /// Device and UTC time from a `DiagLogs-<device>-<yyyyMMddTHHmmssZ>.zip` name (any folder before it).
    public static func parseName(_ path: String) -> (device: String, time: Date)? {
        var name = Substring((path as NSString).lastPathComponent)
        guard name.prefix(9).lowercased() == "diaglogs-" else { return nil }
        if name.lowercased().hasSuffix(".zip") { name = name.dropLast(4) }
        name = name.dropFirst(9)
        guard let dash = name.lastIndex(of: "-") else { return nil }
        let device = String(name[..<dash])
        let stamp = Array(name[name.index(after: dash)...].utf8)
        guard !device.isEmpty, stamp.count == 16, stamp[8] == UInt8(ascii: "T"), stamp[15] == UInt8(ascii: "Z") else { return nil }
        let digits = stamp[0..<8] + stamp[9..<15]
        guard digits.allSatisfy({ $0 &- 48 < 10 }) else { return nil }
        func n(_ r: Range<Int>) -> Int { digits[r].reduce(0) { $0 * 10 + Int($1 - 48) } }
        var parts = DateComponents()
        (parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second) = (n(0..<4), n(4..<6), n(6..<8), n(8..<10), n(10..<12), n(12..<14))
        guard (1...12).contains(parts.month!), (1...31).contains(parts.day!), parts.hour! < 24, parts.minute! < 60, parts.second! < 61 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: parts) else { return nil }
        return (device, date)
    }

    /// An HRESULT as text in any of the forms seen (`0`, `-2147024894`, `0x80070002`, `2147942402`),
    /// as its 32 bits; nil for anything else.
    public static func hresult(_ text: String) -> UInt32? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.lowercased().hasPrefix("0x") { return UInt32(t.dropFirst(2), radix: 16) }
        if let v = Int64(t), v >= Int64(Int32.min), v <= Int64(UInt32.max) { return UInt32(truncatingIfNeeded: v) }
        return nil
    }

    /// `0x80070002`.
    public static func hex(_ hresult: UInt32) -> String { "0x" + String(format: "%08X", hresult) }
}

extension DiagnosticsCollection {
    /// Most bytes of `results.xml` read (real ones are a few KB).
    static let maximumResultsBytes = 4 << 20

    /// Reads what `container` holds (rooted at `root`, "" for its top): `results.xml`, the item entries,
    /// the registry exports; `logFolders` are the IME log folders already found.
    static func read(_ container: DiagnosticsContainer, root: String, logFolders: [String]) -> DiagnosticsCollection {
        let prefix = root.isEmpty ? "" : root + "/"
        let files = container.files.filter { $0.path.hasPrefix(prefix) }
        var problems: [String] = []
        // results.xml
        var requested: [(kind: String, target: String, hresult: UInt32?)] = []
        var collectionHRESULT: UInt32?
        var hasResults = false
        if let results = files.first(where: { $0.path.dropFirst(prefix.count).lowercased() == "results.xml" }) {
            do {
                let bytes = try container.open(results, limit: UInt64(maximumResultsBytes))
                    .readAll(limit: maximumResultsBytes, name: container.displayName(results))
                let decoded = try TextEncodingStream(MemoryByteStream(bytes)).readAll(limit: 2 * maximumResultsBytes, name: container.displayName(results))
                let root = try XMLTree.parse(decoded)
                hasResults = true
                collectionHRESULT = root.attribute("HRESULT").flatMap(hresult)
                for child in root.children where ["RegistryKey", "Command", "Events", "FoldersFiles"].contains(child.name) {
                    requested.append((child.name, child.text.trimmingCharacters(in: .whitespacesAndNewlines), child.attribute("HRESULT").flatMap(hresult)))
                }
            } catch let error as XMLTree.SyntaxError {
                problems.append("\(container.displayName(results)): not readable XML: \(error)")
            } catch {
                problems.append("\(error)")
            }
        }
        // Entry groups: `(N) kind what…` at the top, or `N/…` folders.
        var groups: [Int: (kind: String?, target: String, files: [String], error: UInt32?)] = [:]
        var flattened = 0, numbered = 0
        for file in files {
            let relative = String(file.path.dropFirst(prefix.count))
            let top = relative.split(separator: "/", maxSplits: 1).first.map(String.init) ?? relative
            if let (n, rest) = numberedName(top) {
                flattened += 1
                var group = groups[n] ?? (nil, "", [], nil)
                if rest.lowercased().hasPrefix("no results") {
                    group.error = bracketedHRESULT(rest) ?? group.error
                } else {
                    let words = rest.split(separator: " ", maxSplits: 1)
                    group.kind = words.first.map(String.init)
                    if group.target.isEmpty { group.target = words.count > 1 ? String(words[1]) : "" }
                    if file.size > 0 || !relative.contains("/") { group.files.append(container.displayName(file)) }
                }
                groups[n] = group
            } else if relative.contains("/"), let n = Int(top), n > 0, n < 100_000 {
                numbered += 1
                var group = groups[n] ?? (nil, "", [], nil)
                let name = file.fileName.lowercased()
                group.kind = group.kind ?? (name == "export.reg" ? "RegistryKey" : name == "output.log" ? "Command" : name.hasSuffix(".evtx") ? "Events" : "FoldersFiles")
                group.files.append(container.displayName(file))
                groups[n] = group
            }
        }
        var items: [DiagnosticsItem] = []
        for (i, asked) in requested.enumerated() {
            let n = i + 1
            var item = DiagnosticsItem(number: n, kind: asked.kind, target: asked.target, hresult: asked.hresult, noResultsError: nil, files: [])
            if let group = groups[n], group.kind == nil || group.kind == asked.kind {
                item.files = group.files
                item.noResultsError = group.error
                groups[n] = nil
            }
            items.append(item)
        }
        for (n, group) in groups.sorted(by: { $0.key < $1.key }) {
            items.append(DiagnosticsItem(number: n, kind: group.kind ?? "", target: group.target, hresult: nil, noResultsError: group.error, files: group.files))
        }
        // Evidence.
        var evidence: [DiagnosticsEvidence] = []
        for kind in DiagnosticsEvidenceKind.allCases {
            let mine = items.filter { classify($0) == kind }
            var present = mine.contains { $0.collected }
            switch kind {
            case .imeLogs: present = present || !logFolders.isEmpty
            case .mdmDiagnostics: present = present || files.contains { $0.fileName.lowercased().hasSuffix(".cab") && $0.path.lowercased().contains("mdm") }
            case .eventLogs: present = present || files.contains { $0.fileName.lowercased().hasSuffix(".evtx") }
            default: break
            }
            evidence.append(DiagnosticsEvidence(kind: kind, present: present, items: mine))
        }
        // Registry exports: those of the IME and Uninstall items, else any .reg naming those keys.
        var facts = IMERegistryFacts()
        var exports = Set(items.filter { [.imeRegistry, .uninstallRegistry].contains(classify($0)) }.flatMap(\.files))
        if exports.isEmpty {
            for file in files where file.fileName.lowercased().hasSuffix(".reg") {
                let squeezed = squeeze(file.path)
                if squeezed.contains("intunemanagementextension") || squeezed.contains("uninstall") { exports.insert(container.displayName(file)) }
            }
        }
        for file in files where exports.contains(container.displayName(file)) && file.fileName.lowercased().hasSuffix(".reg") {
            do {
                try facts.add(export: container.open(file, limit: DiagnosticsContainer.maximumRegistryEntry), name: container.displayName(file))
            } catch {
                problems.append("\(error)")
            }
        }
        let parsed = parseName(container.path)
        return DiagnosticsCollection(path: container.path, deviceName: parsed?.device, collectedAt: parsed?.time,
                                     layout: flattened > 0 ? .flattened : numbered > 0 && hasResults ? .numberedFolders : .other,
                                     hasResults: hasResults, collectionHRESULT: collectionHRESULT, items: items, evidence: evidence,
                                     logFolders: logFolders, registry: facts, problems: problems)
    }

    /// `(N) rest` → (N, rest).
    static func numberedName(_ name: String) -> (Int, String)? {
        guard name.hasPrefix("("), let close = name.firstIndex(of: ")"),
              let n = Int(name[name.index(after: name.startIndex)..<close]), n >= 0 else { return nil }
        return (n, String(name[name.index(after: close)...].drop { $0 == " " }))
    }

    /// The `0x…` between brackets in `No Results - Error [0x80070002]`.
    static func bracketedHRESULT(_ text: String) -> UInt32? {
        guard let open = text.firstIndex(of: "["), let close = text[open...].firstIndex(of: "]") else { return nil }
        return hresult(String(text[text.index(after: open)..<close]))
    }

    /// Lower-case letters and digits only (`HKLM\SOFTWARE\…` and `HKLM_SOFTWARE_…` compare equal).
    static func squeeze(_ text: String) -> String { String(text.lowercased().unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0)) }.map(Character.init)) }

    /// Which evidence an item is.
    static func classify(_ item: DiagnosticsItem) -> DiagnosticsEvidenceKind? {
        let what = squeeze(item.target)
        switch item.kind.lowercased() {
        case "foldersfiles":
            if what.contains("intunemanagementextensionlogs") { return .imeLogs }
            if what.contains("mdmdiagnostics") { return .mdmDiagnostics }
        case "registrykey":
            if what.contains("currentversionuninstall") { return .uninstallRegistry }
            if what.contains("microsoftintunemanagementextension") { return .imeRegistry }
        case "command":
            if what.contains("mdmdiagnosticstool") { return .mdmDiagnostics }
        case "events": return .eventLogs
        default: break
        }
        return nil
    }
}
