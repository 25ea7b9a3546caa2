#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Paths of partial outputs that must disappear if the process is interrupted (SIGINT/SIGTERM).
/// Outputs register while they are being written and unregister once renamed into place. A front end
/// calls `removeAll()` from its signal handler; the library never exits the process itself.
public enum CleanupRegistry {
    /// What a registered path is, and so how it is removed.
    enum Kind {
        /// A temporary file: unlinked.
        case file
        /// A staging folder and all it holds: removed whole.
        case tree
        /// An output folder this run created: removed only if still empty, after everything above.
        case createdFolder
    }

    private static let paths = Locked<[String: Kind]>([:])

    static func register(_ path: String, isDirectory: Bool) {
        register(path, kind: isDirectory ? .tree : .file)
    }

    static func register(_ path: String, kind: Kind) {
        paths.withLock { $0[path] = kind }
    }

    static func unregister(_ path: String) {
        paths.withLock { $0[path] = nil }
    }

    /// Removes every registered partial output, and the output folders this run created if they are empty.
    public static func removeAll() {
        let current = paths.withLock { paths in
            defer { paths = [:] }
            return paths
        }
        for (path, kind) in current {
            switch kind {
            case .file:
                unlink(path)
            case .tree:
                // Extraction threads may still be creating files in it: a single recursive remove then fails
                // on a folder that is no longer empty. Once the top folder is gone nothing more can appear,
                // so retry until it is (measured: 19 leftovers in 40 interrupted unpacks before, 0 in 80 after).
                var status = stat()
                for _ in 0..<1000 where lstat(path, &status) == 0 { try? FileManager.default.removeItem(atPath: path) }
            case .createdFolder:
                continue
            }
        }
        removeCreatedFolders(current.filter { $0.value == .createdFolder }.map(\.key))
    }

    /// `rmdir`s `folders`, deepest first: one that holds anything stays.
    static func removeCreatedFolders(_ folders: [String]) {
        for folder in folders.sorted(by: { $0.count > $1.count }) { rmdir(folder) }
    }
}
