import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One app's policy as IME logs it in `Get policies = [...]`.
public struct IMEPolicy: Sendable, Equatable {
    /// The app's id (a GUID, lower case).
    public var id: String
    /// The app's display name in Intune.
    public var name: String
    /// The app's content version, when logged.
    public var version: String?
    /// 0 not targeted, 1 available, 3 required, 4 uninstall.
    public var intent: Int?
    /// The install command line configured in Intune.
    public var installCommand: String?
    /// The uninstall command line configured in Intune.
    public var uninstallCommand: String?
    /// "system" or "user" from `InstallEx.RunAs` (1 system, 0 user).
    public var installContext: String?
    /// Detection rule types (1 MSI, 2 file, 3 script, 4 registry… as IME numbers them).
    public var detectionTypes: [Int]
    /// InstallEx: how many times IME retries a failed install, how many minutes apart, and the installer's maximum run time.
    public var maxRetries: Int? = nil
    public var retryIntervalMinutes: Int? = nil
    public var maxRunTimeMinutes: Int? = nil
    /// Apps this one depends on, and apps it supersedes (from the policy's `FlatDependencies`/`Dependencies` and supersedence).
    public var dependencies: [String] = []
    public var supersedes: [String] = []

    /// The policies in the JSON array; an unreadable array gives none (the log line may be truncated).
    /// IME logs the same array at every check-in, so the last one read is kept and reused when the bytes match.
    static func parse(_ json: String) -> [IMEPolicy] {
        if let hit = lastParsed.lookup(json) { return hit }
        let policies = parseJSON(json)
        lastParsed.store(json, policies)
        return policies
    }

    private static let lastParsed = LastParsed()

    /// The last few arrays read and their policies, newest first (a lock: analyzers may run on several threads).
    private final class LastParsed: Sendable {
        private let entries = Locked<[(json: String, policies: [IMEPolicy])]>([])

        func lookup(_ text: String) -> [IMEPolicy]? {
            guard !text.isEmpty else { return nil }
            let count = text.utf8.count
            return entries.withLock { entries in
                for (n, entry) in entries.enumerated() where entry.json.utf8.count == count {
                    let same = IMEBytes.withUTF8(text) { a in IMEBytes.withUTF8(entry.json) { b in memcmp(a.baseAddress!, b.baseAddress!, count) == 0 } }
                    if same {
                        if n > 0 { entries.insert(entries.remove(at: n), at: 0) }
                        return entry.policies
                    }
                }
                return nil
            }
        }

        func store(_ text: String, _ value: [IMEPolicy]) {
            entries.withLock { entries in
                entries.insert((text, value), at: 0)
                if entries.count > 8 { entries.removeLast() }
            }
        }
    }

    private static func parseJSON(_ json: String) -> [IMEPolicy] {
        guard let array = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [[String: Any]] else { return [] }
        return array.compactMap { item in
            guard let id = item["Id"] as? String else { return nil }
            func inner(_ key: String) -> Any? { (item[key] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } }
            let installEx = inner("InstallEx") as? [String: Any]
            let runAs = installEx?["RunAs"] as? Int
            let types = (inner("DetectionRule") as? [[String: Any]] ?? []).compactMap { $0["DetectionType"] as? Int }
            var policy = IMEPolicy(id: id.lowercased(), name: item["Name"] as? String ?? "",
                                   version: (item["Version"] as? Int).map(String.init) ?? item["Version"] as? String,
                                   intent: item["Intent"] as? Int, installCommand: item["InstallCommandLine"] as? String,
                                   uninstallCommand: item["UninstallCommandLine"] as? String,
                                   installContext: runAs.map { $0 == 1 ? "system" : "user" }, detectionTypes: types)
            policy.maxRetries = installEx?["MaxRetries"] as? Int
            policy.retryIntervalMinutes = installEx?["RetryIntervalInMinutes"] as? Int
            policy.maxRunTimeMinutes = installEx?["MaxRunTimeInMinutes"] as? Int
            // Relations: a list of objects naming the other app (`ChildId`, `ApplicationId`) and its kind.
            for key in ["FlatDependencies", "Dependencies"] {
                for relation in (item[key] as? [[String: Any]]) ?? [] {
                    guard let other = (relation["ChildId"] ?? relation["ApplicationId"] ?? relation["Id"]) as? String else { continue }
                    let type = relation["Type"] as? Int ?? 0
                    if type == 1 || (relation["Type"] as? String)?.lowercased() == "supersedence" { policy.supersedes.append(other.lowercased()) }
                    else if !policy.dependencies.contains(other.lowercased()) { policy.dependencies.append(other.lowercased()) }
                }
            }
            return policy
        }
    }
}
