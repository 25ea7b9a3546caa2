import Foundation

/// Which files to read for a list of paths, and in what order: a folder (IME's `Logs`) stands for its
/// IME logs (`IntuneManagementExtension*.log`, `AppWorkload*.log`, `AppActionProcessor*.log`,
/// `AgentExecutor*.log`), each stem's rotated generations (`<Stem>-YYYYMMDD-HHMMSS.log`) oldest first and
/// the live file last, so records come out in the order they were written. A folder without such names
/// (logs collected and renamed) stands for all its `*.log` files, in name order.
public enum IMELogFiles {
    /// The log stems IME writes Win32 app lines to.
    public static let stems = ["IntuneManagementExtension", "AppWorkload", "AppActionProcessor", "AgentExecutor"]

    /// Expands folders, keeps files as given; fails with `badInput` for a path that does not exist and
    /// with `nothingFound` for a folder without a single `.log` file.
    public static func expand(_ paths: [String]) throws -> [String] {
        var result: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw IntuneWinError.badInput(path, "no such file or folder")
            }
            guard isFolder.boolValue else { result.append(path); continue }
            let names = try FileManager.default.contentsOfDirectory(atPath: path)
            var chosen = ordered(names)
            if chosen.isEmpty { chosen = names.filter { $0.lowercased().hasSuffix(".log") }.sorted() }
            guard !chosen.isEmpty else {
                throw IntuneWinError(.nothingFound, path: path, "no log files in the folder (looked for "
                    + stems.map { "\($0)*.log" }.joined(separator: ", ") + ", then any *.log)")
            }
            result += chosen.map { (path as NSString).appendingPathComponent($0) }
        }
        return result
    }

    /// The IME log names among `names`, grouped by stem, rotated generations by their stamp, live file last.
    public static func ordered(_ names: [String]) -> [String] {
        var out: [String] = []
        for stem in stems {
            let rotated = names.compactMap { name -> (String, String)? in
                guard let stamp = rotationStamp(name, stem: stem) else { return nil }
                return (stamp, name)
            }.sorted { $0.0 < $1.0 }.map(\.1)
            out += rotated
            if let live = names.first(where: { $0.caseInsensitiveCompare("\(stem).log") == .orderedSame }) { out.append(live) }
        }
        return out
    }

    /// `20240101-120000` for `<stem>-20240101-120000.log`, nil for any other name.
    static func rotationStamp(_ name: String, stem: String) -> String? {
        let lower = name.lowercased(), prefix = stem.lowercased() + "-"
        guard lower.hasPrefix(prefix), lower.hasSuffix(".log") else { return nil }
        let stamp = String(name.dropFirst(prefix.count).dropLast(4))
        let digits = stamp.filter(\.isNumber)
        guard digits.count == 14, stamp.count == 15, stamp.dropFirst(8).first == "-" else { return nil }
        return stamp
    }
}
