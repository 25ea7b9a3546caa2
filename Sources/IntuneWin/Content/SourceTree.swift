import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Walks a source folder the way Microsoft's tool does, deciding which entries the inner zip holds and in
/// which order (FORMAT.md §9.1).
public enum SourceTree {
    /// Walks `root` and returns its entries in the order Microsoft's tool writes them.
    ///
    /// Order (the .NET Framework enumeration on NTFS, predicted for Windows and agreeing with the real
    /// samples): a folder's whole listing sorted by NTFS name order, emitting its files and empty folders
    /// in that order, then each non-empty sub-folder in the same order, recursively (depth-first pre-order).
    /// Everything is included (dot-files too); symbolic links are followed like Microsoft's tool does, as
    /// long as they stay inside `root`. A link whose target lies outside it (`../common.dll`, `/opt/x`) is an
    /// error naming the link unless `followingLinksOutside` is set (tar's and rsync's habit): otherwise a
    /// stray link would quietly ship files from elsewhere on the build machine.
    ///
    /// Throws `IntuneWinError` (bad input) for anything the tool would fail on or that cannot be packed
    /// faithfully: an unreadable file or folder, a broken symbolic link, a link loop, a FIFO, socket or
    /// device, a name that is not UTF-8 or contains `\`; and when `root` is not a folder.
    /// Only metadata is read (no file contents), and the walk is iterative, so deep trees are fine.
    /// `skipping` names what will be left out anyway (exclude patterns): such an entry that could not be
    /// packed (a FIFO, a broken link, an unreadable file) is passed over instead of failing the scan.
    /// `problems`, when given, receives each entry that cannot be packed (the error the scan would throw)
    /// and the scan goes on without it, so a lint can list them all; the root itself still throws.
    public static func scan(root: String, skipping: (([String]) -> Bool)? = nil,
                            followingLinksOutside: Bool = false,
                            problems: ((IntuneWinError) -> Void)? = nil) throws -> [SourceEntry] {
        let rootPath = absolute(root)
        var rootStatus = stat()
        guard stat(rootPath, &rootStatus) == 0 else {
            let code = errno
            throw IntuneWinError.badInput(rootPath, "cannot read folder: \(describe(code))")
        }
        guard FileType(rootStatus) == .directory else {
            throw IntuneWinError.badInput(rootPath, "not a folder")
        }
        // Links are judged by where they really lead, against where the root really is.
        let containment = followingLinksOutside ? nil : LinkContainment(root: rootPath)

        // Every folder walked so far, with its parent's index, so a folder's ancestors can be found for loop checks.
        var folders = [WalkedFolder(identity: FileIdentity(rootStatus), parent: nil)]
        // Folders still to walk, the next one last (an explicit stack instead of recursion).
        var pending = [PendingFolder(path: rootPath, components: [], index: 0)]
        var entries: [SourceEntry] = []
        var keys = SortKeyCache()

        while let folder = pending.popLast() {
            // Kept open while its children are looked at, so they are reached by name, not by full path.
            guard let directory = opendir(folder.path) else {
                let code = errno
                let error = IntuneWinError.badInput(folder.path, "cannot read folder: \(describe(code))")
                if let problems, folder.index != 0 { problems(error); continue }
                throw error
            }
            defer { closedir(directory) }
            let descriptor = dirfd(directory)
            let children = try listChildren(of: directory, descriptor: descriptor, path: folder.path,
                                            containment: containment, problems: problems) {
                skipping?(folder.components + [$0]) ?? false
            }
            let sortKeys = children.map { keys.key(for: $0.name) }
            let order = children.indices.sorted { first, second in
                switch compareNtfsKeys(sortKeys[first], sortKeys[second]) {
                case .orderedAscending: return true
                case .orderedDescending: return false
                // Names NTFS would treat as the same (only a case-sensitive file system holds both):
                // raw UTF-16 order, so the result never depends on the listing order.
                case .orderedSame: return children[first].name.utf16.lexicographicallyPrecedes(children[second].name.utf16)
                }
            }

            var subFolders: [PendingFolder] = []
            for position in order {
                let child = children[position]
                let path = join(folder.path, child.name)
                let components = folder.components + [child.name]
                switch FileType(child.status) {
                case .file:
                    do { try checkReadable(child.name, in: descriptor, path: path) } catch where skipping?(components) == true { continue }
                    catch let error as IntuneWinError where problems != nil { problems?(error); continue }
                    entries.append(SourceEntry(kind: .file(size: UInt64(max(0, child.status.st_size))),
                                               components: components, path: path,
                                               modificationTime: modificationTime(child.status)))
                case .directory:
                    let identity = FileIdentity(child.status)
                    var ancestor: Int? = folder.index, looping = false
                    while let index = ancestor, !looping {
                        looping = folders[index].identity == identity
                        ancestor = folders[index].parent
                    }
                    if looping {
                        let error = IntuneWinError.badInput(path, "symbolic link loop (leads back to a folder it is in)",
                                                            remedy: .exclude(pattern: child.name))
                        guard let problems else { throw error }
                        problems(error)
                        continue
                    }
                    let empty: Bool
                    do { empty = try isEmptyFolder(child.name, in: descriptor, path: path) }
                    catch let error as IntuneWinError where problems != nil { problems?(error); continue }
                    if empty {
                        entries.append(SourceEntry(kind: .emptyFolder, components: components, path: path,
                                                   modificationTime: modificationTime(child.status)))
                    } else {
                        folders.append(WalkedFolder(identity: identity, parent: folder.index))
                        subFolders.append(PendingFolder(path: path, components: components, index: folders.count - 1))
                    }
                case .other(let what):
                    if skipping?(components) == true { continue }
                    let error = IntuneWinError.badInput(path, "not a regular file or folder (\(what))",
                                                        remedy: .exclude(pattern: components.joined(separator: "/")))
                    guard let problems else { throw error }
                    problems(error)
                }
            }
            pending.append(contentsOf: subFolders.reversed())
        }
        return entries
    }

    // MARK: - Walking

    private struct Child {
        let name: String
        /// stat() of the child, symbolic links followed.
        let status: stat
    }

    private struct PendingFolder {
        let path: String
        let components: [String]
        /// Index in the walked-folders list.
        let index: Int
    }

    private struct WalkedFolder {
        let identity: FileIdentity
        let parent: Int?
    }

    /// Device and inode: what makes two paths the same folder.
    private struct FileIdentity: Equatable {
        let device: UInt64
        let inode: UInt64
        init(_ status: stat) {
            device = UInt64(truncatingIfNeeded: status.st_dev)
            inode = UInt64(truncatingIfNeeded: status.st_ino)
        }
    }

    private enum FileType: Equatable {
        case file, directory, other(String)

        init(_ status: stat) {
            // The POSIX type bits are the same numbers on Linux and macOS.
            switch UInt32(status.st_mode) & 0o170000 {
            case 0o100000: self = .file
            case 0o040000: self = .directory
            case 0o010000: self = .other("FIFO")
            case 0o140000: self = .other("socket")
            case 0o020000: self = .other("character device")
            case 0o060000: self = .other("block device")
            default: self = .other("unknown type")
            }
        }
    }

    /// Where the walk's root really is, to tell links that stay inside it from links that leave it.
    private struct LinkContainment {
        let realRoot: String

        init(root: String) {
            realRoot = realPath(root) ?? root
        }

        /// The real target of the link at `path` when it lies outside the root; nil when it stays inside
        /// (or cannot be resolved: the caller's stat reports broken links and loops).
        func outsideTarget(of path: String) -> String? {
            guard let target = realPath(path) else { return nil }
            let prefix = realRoot.hasSuffix("/") ? realRoot : realRoot + "/"
            return target == realRoot || target.hasPrefix(prefix) ? nil : target
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Reads a folder's names (without "." and "..") and stats each one, following symbolic links; a link
    /// that leaves the root is refused when `containment` is given.
    private static func listChildren(of directory: DirectoryStream, descriptor: Int32,
                                     path folder: String, containment: LinkContainment?,
                                     problems: ((IntuneWinError) -> Void)?,
                                     skipping: (String) -> Bool) throws -> [Child] {
        var children: [Child] = []
        while true {
            errno = 0
            guard let item = readdir(directory) else {
                let code = errno
                if code != 0 { throw IntuneWinError.badInput(folder, "cannot read folder: \(describe(code))") }
                break
            }
            let entry: String?
            do { entry = try entryName(item, in: folder) }
            catch let error as IntuneWinError where problems != nil { problems?(error); continue }
            guard let name = entry else { continue }
            var status = stat()
            if fstatat(descriptor, name, &status, 0) != 0 {
                if skipping(name) { continue }
                let error = linkOrReadError(errno, descriptor: descriptor, name: name, path: join(folder, name))
                guard let problems else { throw error }
                problems(error)
                continue
            }
            if let containment, isLink(item, name: name, in: descriptor),
               let target = containment.outsideTarget(of: join(folder, name)) {
                if skipping(name) { continue }
                let error = IntuneWinError.badInput(join(folder, name), "symbolic link leads outside the source folder (to \(target))",
                                                    remedy: .followLinks(orExclude: name))
                guard let problems else { throw error }
                problems(error)
                continue
            }
            children.append(Child(name: name, status: status))
        }
        return children
    }

    /// True when the folder entry is a symbolic link (from readdir's type, or lstat when the file system
    /// does not say).
    private static func isLink(_ item: UnsafeMutablePointer<dirent>, name: String, in descriptor: Int32) -> Bool {
        let type = item.pointee.d_type
        if type == UInt8(DT_LNK) { return true }
        if type != UInt8(DT_UNKNOWN) { return false }
        var own = stat()
        return fstatat(descriptor, name, &own, AT_SYMLINK_NOFOLLOW) == 0 && UInt32(own.st_mode) & 0o170000 == 0o120000
    }

    /// The entry's name, nil for "." and "..". Throws for names the inner zip cannot carry faithfully.
    private static func entryName(_ item: UnsafeMutablePointer<dirent>, in folder: String) throws -> String? {
        try withUnsafeBytes(of: &item.pointee.d_name) { raw -> String? in
            let bytes = raw.bindMemory(to: UInt8.self)
            let length = bytes.firstIndex(of: 0) ?? bytes.count
            let name = UnsafeBufferPointer(rebasing: bytes[..<length])
            if name.elementsEqual([0x2E]) || name.elementsEqual([0x2E, 0x2E]) { return nil }
            let text = String(decoding: name, as: UTF8.self)
            // Zip names are flagged UTF-8, and Windows names are UTF-16: other bytes cannot be carried.
            guard text.utf8.elementsEqual(name) else {
                throw IntuneWinError.badInput(join(folder, text), "name is not valid UTF-8")
            }
            // "\" separates folders in the inner zip; inside a name it would turn into a different path.
            guard !name.contains(0x5C) else {
                throw IntuneWinError.badInput(join(folder, text), "name contains a backslash, the zip folder separator")
            }
            return text
        }
    }

    /// Why stat() failed on a folder's child: a broken or looping symbolic link, or the child cannot be read.
    private static func linkOrReadError(_ code: Int32, descriptor: Int32, name: String, path: String) -> IntuneWinError {
        var own = stat()
        let isLink = fstatat(descriptor, name, &own, AT_SYMLINK_NOFOLLOW) == 0
            && UInt32(own.st_mode) & 0o170000 == 0o120000
        // Each can be left out of the package: the remedy names it (by name: it matches at any depth).
        if isLink && code == ENOENT { return .badInput(path, "broken symbolic link", remedy: .exclude(pattern: name)) }
        if code == ELOOP { return .badInput(path, "symbolic link loop", remedy: .exclude(pattern: name)) }
        return .badInput(path, "cannot read: \(describe(code))", remedy: .exclude(pattern: name))
    }

    /// True when the folder `name` in the open folder `parent` has no children at all; opening it also proves
    /// it can be read.
    private static func isEmptyFolder(_ name: String, in parent: Int32, path: String) throws -> Bool {
        let descriptor = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0, let directory = fdopendir(descriptor) else {
            let code = errno
            if descriptor >= 0 { close(descriptor) }
            throw IntuneWinError.badInput(path, "cannot read folder: \(describe(code))")
        }
        defer { closedir(directory) }
        while true {
            errno = 0
            guard let item = readdir(directory) else {
                let code = errno
                if code != 0 { throw IntuneWinError.badInput(path, "cannot read folder: \(describe(code))") }
                return true
            }
            let isDots = withUnsafeBytes(of: &item.pointee.d_name) { raw in
                raw[0] == 0x2E && (raw[1] == 0 || (raw[1] == 0x2E && raw[2] == 0))
            }
            if !isDots { return false }
        }
    }

    /// Fails now, before anything is written, when the packer will not be able to open the file: a
    /// permission check for the effective user (ACLs included), one syscall instead of open and close.
    /// Anything it cannot foresee still fails cleanly when the packer opens the file.
    private static func checkReadable(_ name: String, in parent: Int32, path: String) throws {
        guard faccessat(parent, name, R_OK, AT_EACCESS) == 0 else {
            let code = errno
            throw IntuneWinError.badInput(path, "cannot read file: \(describe(code))")
        }
    }

    // MARK: - Helpers

    /// What opendir() returns: an opaque pointer on Linux, a typed one on macOS.
    #if canImport(Darwin)
    private typealias DirectoryStream = UnsafeMutablePointer<DIR>
    #else
    private typealias DirectoryStream = OpaquePointer
    #endif

    private static func modificationTime(_ status: stat) -> Int64 {
        #if canImport(Darwin)
        return Int64(status.st_mtimespec.tv_sec)
        #else
        return Int64(status.st_mtim.tv_sec)
        #endif
    }

    private static func describe(_ code: Int32) -> String {
        guard let message = strerror(code) else { return "error \(code)" }
        return String(cString: message)
    }

    /// `path` made absolute against the working folder (lexically: symbolic links and ".." are kept),
    /// without trailing slashes.
    private static func absolute(_ path: String) -> String {
        var result = path
        if !result.hasPrefix("/") {
            let cwd = FileManager.default.currentDirectoryPath
            result = result.isEmpty || result == "." ? cwd : join(cwd, result)
        }
        while result.count > 1 && result.hasSuffix("/") { result.removeLast() }
        return result
    }

    private static func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }
}
