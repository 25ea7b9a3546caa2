import Foundation

/// Whether an MSI needs its source files after installation. IME deletes
/// `C:\Windows\IMECache\<app>` right after the install, so an MSI whose files are not all inside it
/// (uncompressed files, external cabinets) or that is installed with transforms or patches from the same
/// folder cannot repair, self-heal or sometimes uninstall later (IME.md §6.3).
public struct SourceResiliency: Sendable {
    /// Each reason the MSI depends on files outside itself, in words.
    public var findings: [String]
    /// The files it depends on (external cabinets, transforms, patches), relative names.
    public var externalFiles: [String]

    /// True when the MSI depends on anything outside itself (any finding).
    public var needsSource: Bool { !findings.isEmpty }

    /// Checks the database, and the folder it sits in for `.mst`/`.msp` files beside it.
    public init(database db: MSIDatabase, folder: String?) throws {
        var findings: [String] = []
        var files: [String] = []
        if let media = try db.table("Media") {
            for cabinet in media.column("Cabinet") {
                let name = cabinet.description
                if name.isEmpty { continue }
                if !name.hasPrefix("#") {
                    findings.append("external cabinet \(name) (Media table): must stay next to the MSI")
                    files.append(name)
                }
            }
            let cabinets = media.column("Cabinet").map(\.description)
            if cabinets.allSatisfy(\.isEmpty), let fileTable = try db.table("File"), !fileTable.rows.isEmpty {
                let wordCount = (try? db.summaryInformation())?.wordCount ?? 0
                let compressedByDefault = wordCount & 2 != 0
                let attributeColumn = fileTable.column("Attributes")  // empty when a damaged table lacks it
                let loose = fileTable.rows.indices.filter { r in
                    let attributes = r < attributeColumn.count ? attributeColumn[r] : .null
                    let flags: Int
                    if case .integer(let a) = attributes { flags = a } else { flags = 0 }
                    // msidbFileAttributesCompressed 0x4000 / Noncompressed 0x2000 override the summary flag.
                    return flags & 0x2000 != 0 || (!compressedByDefault && flags & 0x4000 == 0)
                }
                if !loose.isEmpty {
                    findings.append("\(loose.count) file\(loose.count == 1 ? "" : "s") stored uncompressed beside the MSI (no cabinet; Word Count \(wordCount))")
                }
            }
        }
        if let folder, let items = try? FileManager.default.contentsOfDirectory(atPath: folder) {
            for item in items.sorted() where [".mst", ".msp"].contains((item as NSString).pathExtension.lowercased().withDot) {
                findings.append("\(item) beside the MSI: a transform or patch applied from the source folder")
                files.append(item)
            }
        }
        self.findings = findings
        externalFiles = files
    }
}

private extension String {
    var withDot: String { "." + self }
}
