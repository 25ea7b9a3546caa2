#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files and folders under unique temporary names (`<folder>/<prefix>XXXXXX`, made by mkstemp/mkdtemp so
/// no other process can take the name, mode 0600/0700): partial outputs beside their target, spools,
/// staging folders. The callers choose the prefix (hidden `.<name>.partial-` beside a target, for one).
enum StagingName {
    /// Creates a new file; its open descriptor and path, or nil with `errno` set.
    static func makeFile(in folder: String, prefix: String) -> (fd: Int32, path: String)? {
        var template = self.template(folder, prefix)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        return (fd, template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
    }

    /// Creates a new folder; its path, or nil with `errno` set.
    static func makeFolder(in folder: String, prefix: String) -> String? {
        var template = self.template(folder, prefix)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else { return nil }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    private static func template(_ folder: String, _ prefix: String) -> [CChar] {
        Array(((folder.isEmpty ? "." : folder) + "/" + prefix + "XXXXXX").utf8CString)
    }
}
