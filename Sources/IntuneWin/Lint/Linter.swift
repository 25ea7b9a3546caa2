import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pre-pack lint: what in a source folder would make the package fail or misbehave once Intune's
/// management extension (IME) unpacks it on a device. Every finding says what to do about it.
public enum Linter {
    /// Where IME unpacks the content: `C:\Windows\IMECache\<36-character app id>_<n>\`, assuming `_1`.
    static let cachePrefixLength = #"C:\Windows\IMECache\"#.utf16.count + 36 + #"_1\"#.utf16.count
    /// Windows' MAX_PATH (260) minus the terminating NUL: the longest full path without long-path support.
    static let maximumPathLength = 259

    /// Lints a source folder the way `pack` would read it: resolves the source and setup file with pack's
    /// rules, applies the exclude patterns (and `.intunewinignore`), scans, and lints what would be packed.
    /// `output` is pack's `-o` (a folder or a `.intunewin` path), nil if unknown.
    /// Returns the findings and the relative paths ("/"-separated) the excludes (and an output folder
    /// inside the source, which pack leaves out) left out.
    /// Throws the usage errors pack would (missing source, setup outside it, a bad pattern, the output
    /// folder being the source) and when the setup file itself is excluded; bad-input errors for an
    /// unreadable source or MSI. Entries pack could not read (a broken link, a link leaving the source
    /// without `followingLinksOutside`, a FIFO) are `unreadable` findings, every one of them.
    public static func lint(sourceFolder: String, setupFile: String, excludes: [String], output: String?,
                            followingLinksOutside: Bool = false) throws -> (findings: [LintFinding], excluded: [String]) {
        let output = try output.map { try PathArgument.local($0, what: "output") }
        let selection = try SourceSelection(sourceFolder: sourceFolder, setupFile: setupFile, excludes: excludes,
                                            followingLinksOutside: followingLinksOutside, output: output,
                                            collectingProblems: true)
        let outputFile = output.map { PackagePaths.resolveOutput($0, setupName: selection.setupName).file }
        return (try lint(selection, outputFile: outputFile), selection.excluded)
    }

    /// Lints what `selection` would pack; `outputFile` is the planned output (nil if unknown).
    /// Findings come grouped by rule (in `LintFinding.Rule` order), each group in scan order.
    static func lint(_ selection: SourceSelection, outputFile: String?) throws -> [LintFinding] {
        let entries = selection.kept, setupComponents = selection.setupComponents
        var findings = longPaths(entries)
        findings += packagesInSource(entries, source: selection.source, outputFile: outputFile)
        findings += leftovers(entries)
        findings += windowsNames(entries)
        findings += caseCollisions(entries)
        findings += chainedInstallers(entries, setupComponents: setupComponents)
        if let database = selection.msiDatabase { findings += try msiSourceNeeds(database, selection: selection) }
        findings += unreadable(selection.problems, source: selection.source)
        findings += selection.unmatchedExcludes.map {
            LintFinding(rule: .unmatchedExclude, path: "", message: "the exclude pattern '\($0)' matches nothing in the source")
        }
        return findings
    }

    /// The findings that make the package fail on every device, or that cannot be packed at all.
    public static func errors(in findings: [LintFinding]) -> [LintFinding] {
        findings.filter { $0.severity == .error }
    }

    // MARK: - Rules

    /// long-path: every packed path must fit MAX_PATH below IME's cache folder.
    static func longPaths(_ entries: [SourceEntry]) -> [LintFinding] {
        entries.compactMap { entry in
            let length = cachePrefixLength + entry.components.joined(separator: "\\").utf16.count
            guard length > maximumPathLength else { return nil }
            return LintFinding(rule: .longPath, path: relative(entry.components), message:
                "\(length) characters once IME unpacks it to C:\\Windows\\IMECache\\<app id>_1\\, "
                + "\(length - maximumPathLength) over Windows' limit of \(maximumPathLength); shorten its folder or file names")
        }
    }

    /// package-in-source: packages packed into packages, and an output that would be written into the source.
    static func packagesInSource(_ entries: [SourceEntry], source: String, outputFile: String?) -> [LintFinding] {
        var findings: [LintFinding] = []
        // An output in a folder inside the source is fine (pack leaves that folder out); one written into
        // the source folder itself is refused by pack (the selection already threw for it).
        var outputPath: String? = nil
        if let outputFile {
            let folder = PackagePaths.canonical(source), file = PackagePaths.canonical(outputFile)
            if PackagePaths.isInside(file, folder: folder), file != folder {
                outputPath = String(file.dropFirst(folder.count + 1))
            }
        }
        for entry in entries where entry.kind != .emptyFolder {
            let path = relative(entry.components)
            guard entry.components.last!.lowercased().hasSuffix(".intunewin"), path != outputPath else { continue }
            findings.append(LintFinding(rule: .packageInSource, path: path, message:
                "a .intunewin package would be packed inside the new one; move it out of the source or exclude it", remedy: .exclude(pattern: path)))
        }
        return findings
    }

    /// Metadata other tools leave behind, by lowercased name: what it is.
    static let leftoverNames: [String: String] = [
        ".git": "Git repository data",
        "__macosx": "macOS archive metadata",
        ".ds_store": "macOS Finder metadata",
        "thumbs.db": "Windows Explorer thumbnail cache",
        "desktop.ini": "Windows Explorer folder settings",
    ]

    /// leftover: reported once per leftover file or folder (a folder with the number of files below it).
    static func leftovers(_ entries: [SourceEntry]) -> [LintFinding] {
        var found: [(components: ArraySlice<String>, isFolder: Bool, files: Int)] = []
        var index: [ArraySlice<String>: Int] = [:]
        for entry in entries {
            guard let position = entry.components.firstIndex(where: { leftoverNames[$0.lowercased()] != nil }) else { continue }
            let components = entry.components[...position]
            let isFolder = position < entry.components.count - 1 || entry.kind == .emptyFolder
            let isFile = entry.kind != .emptyFolder ? 1 : 0
            if let known = index[components] {
                found[known].files += isFile
            } else {
                index[components] = found.count
                found.append((components, isFolder, isFile))
            }
        }
        return found.map { item in
            let name = item.components.last!
            let what = leftoverNames[name.lowercased()]!
            let pattern = item.isFolder ? name + "/" : name
            let size = item.isFolder ? " (\(item.files) file\(item.files == 1 ? "" : "s"))" : ""
            return LintFinding(rule: .leftover, path: relative(Array(item.components)), message:
                "\(what)\(size) would be packed", remedy: .exclude(pattern: pattern))
        }
    }

    /// windows-name: every file and folder name on the way, each reported once.
    static func windowsNames(_ entries: [SourceEntry]) -> [LintFinding] {
        var seen: Set<ArraySlice<String>> = []
        var findings: [LintFinding] = []
        for entry in entries {
            for end in entry.components.indices {
                let components = entry.components[...end]
                guard !seen.contains(components) else { continue }
                seen.insert(components)
                let name = entry.components[end]
                guard let problem = WindowsNames.problem(with: name) else { continue }
                let renamed = WindowsNames.isOnlyRenamed(name)
                findings.append(LintFinding(rule: .windowsName, path: relative(Array(components)), message:
                    "'\(name)': \(problem); " + (renamed ? "IME unpacks it under another name: rename it" : "IME cannot unpack it on any device: rename it"),
                    severity: renamed ? .warning : .error))
            }
        }
        return findings
    }

    /// case-collision: paths NTFS folds into one (its upper-casing, as the scan sorts). Two files, or a file
    /// and a folder, are an error: IME cannot unpack both. Two folders are a warning: Windows merges them
    /// (their files are compared in turn, as one folder).
    static func caseCollisions(_ entries: [SourceEntry]) -> [LintFinding] {
        // The first spelling of each folded path (a folder's key, "/", the name's key), and whether it is a folder.
        var firstSpelling: [[UInt16]: (components: ArraySlice<String>, isFolder: Bool)] = [:]
        var reported: Set<ArraySlice<String>> = []
        var findings: [LintFinding] = []
        for entry in entries {
            var key: [UInt16] = []
            for end in entry.components.indices {
                if end > 0 { key.append(0x2F) }
                key += ntfsSortKey(entry.components[end])
                let components = entry.components[...end]
                let isFolder = end < entry.components.count - 1 || entry.kind == .emptyFolder
                guard let first = firstSpelling[key] else {
                    firstSpelling[key] = (components, isFolder)
                    continue
                }
                guard first.components != components, !reported.contains(components) else { continue }
                reported.insert(components)
                let sameFolder = first.components.dropLast() == components.dropLast()
                let this = sameFolder ? components.last! : relative(components), that = sameFolder ? first.components.last! : relative(first.components)
                if isFolder && first.isFolder {
                    findings.append(LintFinding(rule: .caseCollision, path: relative(components), message:
                        "folders '\(this)' and '\(that)' differ only in case; Windows merges them into one: rename one to keep them apart"))
                } else {
                    findings.append(LintFinding(rule: .caseCollision, path: relative(components), message:
                        "'\(this)' and '\(that)' differ only in case; Windows keeps one of them and IME cannot unpack the package on any device: rename or remove one",
                        severity: .error))
                }
            }
        }
        return findings
    }

    /// File extensions of installers a setup program may start.
    static let installerExtensions: Set<String> = ["msi", "exe", "msu"]

    /// chained-installer: an .exe setup beside other installers, and ServiceUI.exe anywhere. A setup that
    /// starts a second installer and exits early lets IME detect and clean its cache while that one runs.
    static func chainedInstallers(_ entries: [SourceEntry], setupComponents: [String]) -> [LintFinding] {
        let advice = "IME's cache cleanup can pull the files from under it"
        var findings: [LintFinding] = []
        let files = entries.filter { $0.kind != .emptyFolder }
        let serviceUI = files.filter { $0.components.last!.lowercased() == "serviceui.exe" }
        if let setupName = setupComponents.last, fileExtension(setupName) == "exe" {
            // The same file under another name (a symbolic or hard link to the setup) is no second installer.
            let setupIdentity = files.first { $0.components == setupComponents }.flatMap { fileIdentity($0.path) }
            let others = files.filter {
                $0.components != setupComponents && installerExtensions.contains(fileExtension($0.components.last!))
                    && $0.components.last!.lowercased() != "serviceui.exe"
                    && (setupIdentity == nil || fileIdentity($0.path) != setupIdentity)
            }.map { relative($0.components) }
            if !others.isEmpty {
                let listed = others.prefix(3).joined(separator: ", ") + (others.count > 3 ? " and \(others.count - 3) more" : "")
                findings.append(LintFinding(rule: .chainedInstaller, path: relative(setupComponents), message:
                    "\(setupName) probably starts the other installer\(others.count == 1 ? "" : "s") in the source (\(listed)); \(advice)", remedy: .packNested))
            }
        }
        for entry in serviceUI {
            findings.append(LintFinding(rule: .chainedInstaller, path: relative(entry.components), message:
                "ServiceUI.exe starts the install as a second process in the user's session; \(advice)", remedy: .packNested))
        }
        return findings
    }

    /// msi-needs-source: an MSI setup that needs files IME deletes after the install (SourceResiliency).
    static func msiSourceNeeds(_ database: MSIDatabase, selection: SourceSelection) throws -> [LintFinding] {
        let setupComponents = selection.setupComponents
        let check = try SourceResiliency(database: database, folder: (selection.setupPath as NSString).deletingLastPathComponent)
        return check.findings.map {
            LintFinding(rule: .msiNeedsSource, path: relative(setupComponents), message:
                "\($0); IME deletes its cache after the install, so repair, self-heal and uninstall can fail", remedy: .packNested)
        }
    }

    /// unreadable: each entry the scan could not pack, with the reason pack would give.
    static func unreadable(_ problems: [IntuneWinError], source: String) -> [LintFinding] {
        let prefix = source.hasSuffix("/") ? source : source + "/"
        return problems.map { problem in
            let path = problem.path.hasPrefix(prefix) ? String(problem.path.dropFirst(prefix.count)) : problem.path
            return LintFinding(rule: .unreadable, path: path, message: problem.reason + "; pack cannot read it",
                               remedy: problem.remedy, severity: .error)
        }
    }

    // MARK: - Helpers

    /// Device and inode of the file `path` leads to (links followed), nil when it cannot be read.
    private static func fileIdentity(_ path: String) -> [UInt64]? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return [UInt64(truncatingIfNeeded: status.st_dev), UInt64(truncatingIfNeeded: status.st_ino)]
    }

    private static func relative<C: Collection<String>>(_ components: C) -> String {
        components.joined(separator: "/")
    }

    /// The lowercased extension after the last dot ("" when there is none).
    private static func fileExtension(_ name: String) -> String {
        (name as NSString).pathExtension.lowercased()
    }
}
