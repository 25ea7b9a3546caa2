import Foundation

/// What a device's registry exports say about Win32 apps: IME's per-app state under
/// `HKLM\SOFTWARE\Microsoft\IntuneManagementExtension\Win32Apps\<userId>\<appId>_<n>` (every value kept;
/// the JSON ones decoded), its GRS (retry gate) times under `…\Win32Apps\<userId>\GRS\<hash>`, and the
/// products the Uninstall keys list (native and WOW6432Node). Built value by value (`add`), so only
/// these facts are held, not the exports.
public struct IMERegistryFacts: Sendable, Equatable {
    /// IME's state for one app (one `<appId>_<n>` key and its subkeys) of one user (or the device).
    public struct AppState: Sendable, Equatable {
        /// The user id the state is for (all zeros for the device).
        public var userId: String
        /// The app id (lower-case as written by IME).
        public var appId: String
        /// The `_<n>` suffix (the app's content version as IME counts it), nil when there is none.
        public var revision: Int?
        /// The values, by name; a subkey's value is named `Subkey\Value` unless both names are the same
        /// (IME writes `EnforcementStateMessage\EnforcementStateMessage`: kept as `EnforcementStateMessage`).
        public var values: [String: RegistryData] = [:]
        /// JSON values decoded (value name → field → the field's value as text; `null` becomes "").
        public var json: [String: [String: String]] = [:]

        /// `EnforcementStateMessage`'s `EnforcementState` (1000 success, 2000 in progress, 3000 requirements
        /// not met, 4000 unknown, 5000 error; IME's numbering).
        public var enforcementState: Int? { json["EnforcementStateMessage"]?["EnforcementState"].flatMap { Int($0) } }
        /// `EnforcementStateMessage`'s `ErrorCode` (an HRESULT as a signed number).
        public var enforcementErrorCode: Int? { json["EnforcementStateMessage"]?["ErrorCode"].flatMap { Int($0) } }
        /// `ComplianceStateMessage`'s `ComplianceState` (1 compliant, 2 not compliant, 4 error).
        public var complianceState: Int? { json["ComplianceStateMessage"]?["ComplianceState"].flatMap { Int($0) } }
        /// `ComplianceStateMessage`'s `DesiredState` (1 not present, 2 present, 4 available).
        public var desiredState: Int? { json["ComplianceStateMessage"]?["DesiredState"].flatMap { Int($0) } }
        /// The `ExitCode` value, when there is one.
        public var exitCode: Int? {
            switch values["ExitCode"] {
            case .dword(let v): return Int(Int32(bitPattern: v))
            case .qword(let v): return Int(Int64(bitPattern: v))
            case .string(let s): return Int(s)
            default: return nil
            }
        }
    }

    /// One GRS value: when IME last recorded an attempt at an app (it retries after ~24 h).
    public struct GRSValue: Sendable, Equatable {
        public var userId: String
        /// The GRS key's hash (IME's own, opaque).
        public var hash: String
        public var appId: String
        /// The time as IME wrote it (text such as `9/24/2025 7:12:03 AM`).
        public var time: String
    }

    /// A product an Uninstall key lists.
    public struct InstalledProduct: Sendable, Equatable {
        /// The Uninstall subkey's name (a product code for MSI, any name for others).
        public var key: String
        /// Listed under WOW6432Node (a 32-bit install on 64-bit Windows).
        public var wow6432: Bool
        public var displayName: String?
        public var displayVersion: String?
        public var publisher: String?
    }

    /// IME's per-app state, in the order the exports list them.
    public var apps: [AppState] = []
    /// GRS values, in export order.
    public var grs: [GRSValue] = []
    /// Installed products, in export order (entries without any of the three values are left out).
    public var installed: [InstalledProduct] = []

    private var appIndex: [String: Int] = [:]
    private var productIndex: [String: Int] = [:]

    /// Most bytes of a JSON value decoded (IME's are a few hundred).
    static let maximumJSONBytes = 64 << 10

    public init() {}

    /// True when nothing was found.
    public var isEmpty: Bool { apps.isEmpty && grs.isEmpty && installed.isEmpty }

    /// Reads an export (see `RegistryExport.read`) and adds its facts.
    public mutating func add(export stream: LogByteStream, name: String) throws {
        try RegistryExport.read(stream, name: name) { add($0) }
    }

    /// Adds what one value says (values of other keys are ignored).
    public mutating func add(_ value: RegistryValue) {
        let parts = value.key.split(separator: "\\", omittingEmptySubsequences: false).map(String.init)
        guard let hive = parts.first?.uppercased(), hive == "HKEY_LOCAL_MACHINE" || hive == "HKLM" else { return }
        let path = parts.dropFirst().map { $0.lowercased() }
        let ime = ["software", "microsoft", "intunemanagementextension", "win32apps"]
        if path.count >= 6, Array(path.prefix(4)) == ime {
            let rest = Array(parts.dropFirst(5))  // <userId>, …
            if rest[1].lowercased() == "grs" {
                if rest.count == 3, !value.name.isEmpty {
                    grs.append(GRSValue(userId: rest[0], hash: rest[2], appId: value.name, time: value.data.text))
                } else if rest.count == 4 {
                    grs.append(GRSValue(userId: rest[0], hash: rest[2], appId: rest[3], time: value.data.text))
                }
                return
            }
            addAppValue(user: rest[0], appKey: rest[1], subkeys: Array(rest.dropFirst(2)), value)
            return
        }
        for (prefix, wow) in [(["software", "microsoft", "windows", "currentversion", "uninstall"], false),
                              (["software", "wow6432node", "microsoft", "windows", "currentversion", "uninstall"], true)] {
            guard path.count == prefix.count + 1, Array(path.prefix(prefix.count)) == prefix else { continue }
            let field: WritableKeyPath<InstalledProduct, String?>
            switch value.name.lowercased() {
            case "displayname": field = \.displayName
            case "displayversion": field = \.displayVersion
            case "publisher": field = \.publisher
            default: return
            }
            let keyName = parts[parts.count - 1]
            let id = "\(wow)|\(keyName.lowercased())"
            let index = productIndex[id] ?? {
                installed.append(InstalledProduct(key: keyName, wow6432: wow))
                productIndex[id] = installed.count - 1
                return installed.count - 1
            }()
            installed[index][keyPath: field] = value.data.text
            return
        }
    }

    private mutating func addAppValue(user: String, appKey: String, subkeys: [String], _ value: RegistryValue) {
        var appId = appKey
        var revision: Int?
        if let underscore = appKey.lastIndex(of: "_"), let n = Int(appKey[appKey.index(after: underscore)...]) {
            appId = String(appKey[..<underscore])
            revision = n
        }
        let id = "\(user.lowercased())|\(appKey.lowercased())"
        let index = appIndex[id] ?? {
            apps.append(AppState(userId: user, appId: appId, revision: revision))
            appIndex[id] = apps.count - 1
            return apps.count - 1
        }()
        var name = value.name.isEmpty ? "@" : value.name
        if let last = subkeys.last {
            name = subkeys.count == 1 && last.caseInsensitiveCompare(name) == .orderedSame ? last : (subkeys + [name]).joined(separator: "\\")
        }
        apps[index].values[name] = value.data
        if case .string(let text) = value.data, let fields = Self.jsonFields(text) { apps[index].json[name] = fields }
    }

    /// A JSON object's top-level fields as text, nil for anything that is not a JSON object.
    static func jsonFields(_ text: String) -> [String: String]? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("{"), trimmed.utf8.count <= maximumJSONBytes,
              let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any] else { return nil }
        var fields: [String: String] = [:]
        for (key, value) in object {
            switch value {
            case is NSNull: fields[key] = ""
            case let n as NSNumber: fields[key] = n.stringValue
            case let s as String: fields[key] = s
            default:
                if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) { fields[key] = String(decoding: data, as: UTF8.self) }
            }
        }
        return fields
    }
}

extension IMERegistryFacts {
    /// The facts of several diagnostics collections together.
    public static func combined(_ collections: [DiagnosticsCollection]) -> IMERegistryFacts {
        var all = IMERegistryFacts()
        for d in collections {
            all.apps += d.registry.apps
            all.grs += d.registry.grs
            all.installed += d.registry.installed
        }
        return all
    }

    /// IME's enforcement state number in words, by its thousands (1000s success, 2000s in progress,
    /// 3000s requirements not met, 4000s unknown, 5000s error, 6000s not attempted).
    public static func enforcementStateName(_ state: Int) -> String {
        switch state / 1000 {
        case 1: return "success"
        case 2: return "in progress"
        case 3: return "requirements not met"
        case 4: return "unknown"
        case 5: return "error"
        case 6: return "not attempted"
        default: return "state \(state)"
        }
    }
}
